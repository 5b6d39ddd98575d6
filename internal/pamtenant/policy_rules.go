package pamtenant

import (
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
)

// The rules that say which approval policy is which, kept in this one file. Exchange compares
// tasks, approval types and group addresses without regard to case, and a task has at most one
// policy. (The Exchange client's own check after a create whose answer was lost, NewPolicy.madeBy,
// is the same-settings rule below applied inside the client, which cannot import this package.)

// PolicyByID finds a policy by its identity (GUID).
func PolicyByID(policies []ApprovalPolicy, id string) *ApprovalPolicy {
	for i := range policies {
		if strings.EqualFold(policies[i].Identity, id) {
			return &policies[i]
		}
	}
	return nil
}

// PolicyForTask finds the policy that guards a task.
func PolicyForTask(policies []ApprovalPolicy, task string) *ApprovalPolicy {
	for i := range policies {
		if strings.EqualFold(policies[i].Task, task) {
			return &policies[i]
		}
	}
	return nil
}

// SameSetting reports whether two values of a policy setting (approval type or approver group)
// are the same to Exchange.
func SameSetting(a, b string) bool { return strings.EqualFold(a, b) }

// HasSettings reports whether the policy has the approval type and approver group.
func HasSettings(p ApprovalPolicy, approvalType, approverGroup string) bool {
	return SameSetting(p.ApprovalType, approvalType) && SameSetting(p.ApproverGroup, approverGroup)
}

// policyInPlace finds a policy for the task of in other than the one in replaces: one that a
// create whose answer was lost may have made, whichever settings it has.
func policyInPlace(policies []ApprovalPolicy, in NewPolicy) *ApprovalPolicy {
	for i := range policies {
		if strings.EqualFold(policies[i].Task, in.Task) && !strings.EqualFold(policies[i].Identity, in.Replaces) {
			return &policies[i]
		}
	}
	return nil
}

// exchangeTaskPrefix starts every task of the Exchange service; the cmdlet follows it.
const exchangeTaskPrefix = `Exchange\`

// UnknownTaskCmdlet returns the cmdlet of an Exchange task when it is not in the provider's list
// of Exchange cmdlets, with up to three known names close to it; cmdlet is "" when the task is
// known or is not an Exchange task. The list ships with the provider and can lag Microsoft's.
func UnknownTaskCmdlet(task string) (cmdlet string, near []string) {
	if len(task) <= len(exchangeTaskPrefix) || !strings.EqualFold(task[:len(exchangeTaskPrefix)], exchangeTaskPrefix) {
		return "", nil
	}
	cmdlet = task[len(exchangeTaskPrefix):]
	if exchange.KnownCmdlet(cmdlet) {
		return "", nil
	}
	return cmdlet, exchange.CloseCmdlets(cmdlet)
}
