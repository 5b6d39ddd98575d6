package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// Plan-time safety checks. Each check is a small function of what the plan and the services
// show, returning a finding or nil, so that it can be tested without a tenant; safety_plan.go
// gathers the inputs and runs them from the resources' ModifyPlan.

// finding is one result of a safety check: a warning, or an error that stops the plan.
type finding struct {
	attr    string // the attribute it is about; "" for the resource as a whole
	isError bool
	summary string
	detail  string
}

func (f *finding) addTo(diags *diag.Diagnostics) {
	switch {
	case f == nil:
	case f.attr == "" && f.isError:
		diags.AddError(f.summary, f.detail)
	case f.attr == "":
		diags.AddWarning(f.summary, f.detail)
	case f.isError:
		diags.AddAttributeError(path.Root(f.attr), f.summary, f.detail)
	default:
		diags.AddAttributeWarning(path.Root(f.attr), f.summary, f.detail)
	}
}

// approverCountFinding warns when a group has too few members to approve reliably.
func approverCountFinding(group string, members []string) *finding {
	switch len(members) {
	case 0:
		return &finding{attr: "members", summary: "Approver group has no members",
			detail: fmt.Sprintf("%s has no members, so nobody can approve requests for the tasks it guards. "+
				"Add at least two members.", group)}
	case 1:
		return &finding{attr: "members", summary: "Approver group has a single approver",
			detail: fmt.Sprintf("%s has only one member (%s), so approvals have a single point of failure: while "+
				"that person is away, every request waits until it expires. Add at least one more member.", group, members[0])}
	}
	return nil
}

// unlicensedApproversFinding warns about members who cannot answer requests.
func unlicensedApproversFinding(group string, unlicensed []string) *finding {
	if len(unlicensed) == 0 {
		return nil
	}
	return &finding{attr: "members", summary: "Approvers without a privileged access licence",
		detail: fmt.Sprintf("%s of %s %s no licence that includes privileged access management, so they cannot "+
			"approve or deny requests. Assign a qualifying licence (%s), or choose other approvers.",
			strings.Join(unlicensed, ", "), group, hasHave(len(unlicensed)), pamLicenceNames)}
}

// pamSubscriptionFinding refuses to enable privileged access in a tenant that has no licence for it.
func pamSubscriptionFinding(tenantID string, subscribed []graph.Sku) *finding {
	if IncludesPAM(subscribed) {
		return nil
	}
	return &finding{isError: true, summary: "No subscription includes privileged access management",
		detail: fmt.Sprintf("Tenant %s has no subscription that includes privileged access management (it has: %s), "+
			"so privileged access cannot be enabled. Subscribe to a qualifying licence (%s), then plan again.",
			tenantID, skuNames(subscribed), pamLicenceNames)}
}

// policyLimitFinding refuses a new policy in a tenant that already holds the most Exchange allows.
func policyLimitFinding(count int, task string) *finding {
	if count < maxApprovalPolicies {
		return nil
	}
	return &finding{attr: "task", isError: true, summary: "Approval policy limit reached",
		detail: fmt.Sprintf("The tenant already has %d approval policies, the most Exchange allows in one organization, "+
			"so no policy for %s can be added. Remove a policy you no longer need first.", count, task)}
}

// approvingSystemAccounts lists the system accounts that are also approvers.
func approvingSystemAccounts(accounts []string, approvers []graph.User) []string {
	var both []string
	for _, account := range accounts {
		for _, approver := range approvers {
			if userIsNamed(approver, account) {
				both = append(both, account)
				break
			}
		}
	}
	return both
}

// approvingSystemAccountsFinding warns when accounts outside the control can approve others' requests.
func approvingSystemAccountsFinding(group string, accounts []string) *finding {
	if len(accounts) == 0 {
		return nil
	}
	who := strings.Join(accounts, ", ") + " are system accounts, which privileged access does not apply to, and also members"
	if len(accounts) == 1 {
		who = accounts[0] + " is a system account, which privileged access does not apply to, and also a member"
	}
	return &finding{attr: "system_accounts", summary: "System accounts are also approvers",
		detail: fmt.Sprintf("%s of the default approver group %s, so they can approve other people's requests. Keep "+
			"service accounts out of the approver group, or out of system_accounts.", who, group)}
}

// unknownApproverGroupFinding refuses a policy whose approver group does not exist.
func unknownApproverGroupFinding(address string) *finding {
	return &finding{attr: "approver_group", isError: true, summary: "Approver group not found",
		detail: fmt.Sprintf("Exchange has no group %s. Check the address. If the group is created by this "+
			"configuration, refer to it as o365pam_approver_group.<name>.primary_smtp_address so that Terraform "+
			"plans it first.", address)}
}

// notAUserFinding refuses a system account that names no user.
func notAUserFinding(spelling string) *finding {
	return &finding{attr: "system_accounts", isError: true, summary: "System account is not a user",
		detail: fmt.Sprintf("%q in system_accounts is not a user of this tenant. System accounts are the user "+
			"accounts of services, named by UPN; check the spelling.", spelling)}
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}
