package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
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
			strings.Join(unlicensed, ", "), group, hasHave(len(unlicensed)), pamtenant.PAMLicenceNames)}
}

// pamSubscriptionFinding refuses to enable privileged access in a tenant that has no licence for it.
func pamSubscriptionFinding(tenantID string, subscribed []pamtenant.Sku) *finding {
	if pamtenant.IncludesPAM(subscribed) {
		return nil
	}
	return &finding{isError: true, summary: "No subscription includes privileged access management",
		detail: fmt.Sprintf("Tenant %s has no subscription that includes privileged access management (it has: %s), "+
			"so privileged access cannot be enabled. Subscribe to a qualifying licence (%s), then plan again.",
			tenantID, skuNames(subscribed), pamtenant.PAMLicenceNames)}
}

// policyLimitFinding refuses a new policy when the tenant would then hold more policies than Exchange
// allows; count is how many it would hold.
func policyLimitFinding(count int, task string) *finding {
	if count <= maxApprovalPolicies {
		return nil
	}
	return &finding{attr: "task", isError: true, summary: "Approval policy limit reached",
		detail: fmt.Sprintf("No policy for %s can be added: the tenant would then hold %d approval policies (those it "+
			"has, plus the ones this plan creates, minus the ones it removes), more than the %d Exchange allows in one "+
			"organization. Remove policies you no longer need, in this configuration or in the tenant, then plan again. "+
			"(Before a destroy Terraform plans the configuration too: to destroy, run terraform destroy -refresh=false.)",
			task, count, maxApprovalPolicies)}
}

// policyLimitUnsureFinding warns that a new policy passes the limit unless the plan removes some of the
// tenant's policies it has not reached yet: count assumes they all stay; unplanned is how many there are.
func policyLimitUnsureFinding(count, unplanned int, task string) *finding {
	if count <= maxApprovalPolicies {
		return nil
	}
	return &finding{attr: "task", summary: "Approval policy limit may be reached",
		detail: fmt.Sprintf("The tenant would hold %d approval policies with the one for %s, more than the %d Exchange "+
			"allows, unless this plan removes some of the %d policies of the tenant it had not reached when it planned "+
			"this one (Terraform plans resources in no set order, so this check cannot tell yet). If fewer go, the "+
			"apply refuses to create this policy, and other changes of the same apply may have been made by then. "+
			"Policies made outside this configuration always stay.", count, task, maxApprovalPolicies, unplanned)}
}

// taskHasPolicyFinding refuses a policy for a task that another policy of the tenant guards already.
// A replacement (a new task) would remove the policy it replaces before the create is refused,
// leaving that policy's task unguarded.
func taskHasPolicyFinding(existing pamtenant.ApprovalPolicy, replaces replacedPolicy) *finding {
	moving := ""
	if replaces.ID != "" {
		moving = fmt.Sprintf(" Applying this plan would remove policy %s of %s first, then fail to create the new one, "+
			"leaving %s unguarded.", replaces.ID, replaces.Task, replaces.Task)
	}
	return &finding{attr: "task", isError: true, summary: "Task already has an approval policy",
		detail: fmt.Sprintf("Task %s already has approval policy %s (approval type %s, approver group %s), and a task "+
			"can have only one.%s Terraform does not take over a policy it did not create. If that policy is yours and not in "+
			"state (for example left by an apply that was stopped before it saved its state), import it, then plan again:\n\n%s\n"+
			"If another resource of this configuration holds the task and this plan removes it or moves it to another "+
			"task, apply that change first, then this one (use a moved block to rename a resource without removing "+
			"its policy). %s Otherwise remove that policy in the tenant, or choose another task.",
			existing.Task, existing.Identity, existing.ApprovalType, existing.ApproverGroup, moving,
			importBlock("o365pam_approval_policy", existing.Identity), replacedInStateHint)}
}

// approvingSystemAccounts lists the system accounts that are also approvers.
func approvingSystemAccounts(accounts []string, approvers []pamtenant.User) []string {
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

// unknownApproverGroupFinding refuses an approver group (attr) that Exchange does not have and that no
// approver group planned through this provider configuration creates. Each provider configuration (an
// alias) is planned by a provider process of its own, which cannot see what another one plans.
func unknownApproverGroupFinding(attr, address string) *finding {
	return &finding{attr: attr, isError: true, summary: "Approver group not found",
		detail: fmt.Sprintf("Exchange has no group %s, and no o365pam_approver_group planned through this resource's "+
			"provider configuration has that address. Check the address. If this configuration creates the group, refer "+
			"to it as o365pam_approver_group.<name>.primary_smtp_address so that Terraform plans it first. If the group "+
			"is planned through another provider configuration (an alias) and not created yet, this check cannot see "+
			"that plan: give the group and this resource the same provider configuration, or create the group first "+
			"(terraform apply -target=o365pam_approver_group.<name>), then plan again.", address)}
}

// notSecurityGroupFinding refuses an approver group (attr) that is a recipient of another kind, such as
// a distribution list: Exchange accepts only mail-enabled security groups as approvers.
func notSecurityGroupFinding(attr, address string, g pamtenant.DistributionGroup) *finding {
	kind := recipientKinds[g.RecipientTypeDetails]
	if kind == "" {
		kind = "recipient"
	}
	return &finding{attr: attr, isError: true, summary: "Approver group is not a mail-enabled security group",
		detail: fmt.Sprintf("%s is a %s (%s), not a mail-enabled security group (%s), and Exchange accepts only "+
			"mail-enabled security groups as approvers. Name a mail-enabled security group, or create one with "+
			"o365pam_approver_group.", address, kind, g.RecipientTypeDetails, pamtenant.RecipientTypeSecurityGroup)}
}

// rotationRemedy says how to move what a group approves to another group.
const rotationRemedy = "Terraform removes a group before it updates what uses it unless the group was applied with " +
	"lifecycle { create_before_destroy = true }. To move them to another group, apply twice: first with the old group " +
	"back in the configuration (add create_before_destroy to it there) and everything pointing at the new one, then " +
	"without the old group. With create_before_destroy recorded, later rotations take one apply."

// replaceGroupRemedy says how to get a new group in place of one in use.
const replaceGroupRemedy = "To replace a group in use, give the new group another name and address (with " +
	"create_before_destroy recorded on the group, one apply then creates it, moves what uses the old group and removes " +
	"the old one), or point what uses it at another group first."

// replacedInStateHint warns, where a create is refused because its name or task is taken, against
// importing the object that a replacement under create_before_destroy still holds in state.
const replacedInStateHint = "If this create replaces an object of this configuration (-replace, or a tainted resource) " +
	"under lifecycle { create_before_destroy = true }, that object still holds the name or task and is in state " +
	"already: do not import it. Replace it without create_before_destroy (remove the setting for that apply, or " +
	"destroy it first with terraform apply -destroy -target=<address>), then apply."

// sameNameReplacementFinding refuses a -replace of what whose new object keeps the old one's name or
// task: Exchange allows no two at once (why), so under create_before_destroy the create is refused while
// the old object holds it. The provider is not told whether create_before_destroy is set, and Terraform
// shows only errors from the plan of a replacement's create, so the plan refuses and says what works.
func sameNameReplacementFinding(what, why string) *finding {
	return &finding{isError: true, summary: "Replacement keeps the name or task of the object it replaces",
		detail: fmt.Sprintf("This plan replaces %s by a new one of the same name or task, and Exchange allows no two at "+
			"once (%s): under lifecycle { create_before_destroy = true }, which Terraform does not tell the provider "+
			"about, the create would be refused while the old one holds it, and the old one stays in state. To recreate "+
			"it, remove it first, then create it: terraform apply -destroy -target=<address>, then terraform apply. Or "+
			"give the new one another name or task.", what, why)}
}

// groupInUseFinding warns that a group the plan removes still approves something in the tenant: uses
// lists what, in words.
func groupInUseFinding(address string, uses []string) *finding {
	if len(uses) == 0 {
		return nil
	}
	return &finding{summary: "Approver group still in use",
		detail: fmt.Sprintf("This plan removes approver group %s, which is still %s. Exchange refuses to remove a group "+
			"in use, so the apply fails at the removal unless what uses the group has moved to another group by then. "+
			"%s", address, strings.Join(uses, " and "), rotationRemedy)}
}

// notAUserFinding refuses a system account that names no user.
func notAUserFinding(spelling string) *finding {
	return &finding{attr: "system_accounts", isError: true, summary: "System account is not a user",
		detail: fmt.Sprintf("%q in system_accounts is not a user of this tenant. System accounts are the user "+
			"accounts of services, named by UPN; check the spelling.", spelling)}
}

// departedFinding is about a person the configuration lists who was a member or owner of the group
// and has since left the directory. At plan it is a warning: Terraform plans the configuration
// before a destroy too, and an error there would block the destroy. The apply refuses (isError).
func departedFinding(attr, group, spelling string, isError bool) *finding {
	detail := fmt.Sprintf("%q in %s of %s was in the group and is no longer a user of this tenant: it was deleted "+
		"from the directory (or its address changed) outside Terraform, and Exchange dropped it from the group. "+
		"Terraform cannot add a person who is not there. Remove it from %s (or write the person's new address), "+
		"then plan again.", spelling, attr, group, attr)
	if isError {
		detail += " Nothing was changed."
	} else {
		detail += " Until then an apply of this group is refused; destroying it is not."
	}
	summary := "Member no longer in the directory"
	if attr == "owners" {
		summary = "Owner no longer in the directory"
	}
	return &finding{attr: attr, isError: isError, summary: summary, detail: detail}
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// sentSettingsFindings warn about the privileged access settings an update sends without knowing the
// values they replace: Exchange is not known to report the default approver group or the system
// accounts, so after an import neither is known, and system accounts added by hand are never seen.
func sentSettingsFindings(ctx context.Context, state, plan privilegedAccessModel, diags *diag.Diagnostics) []*finding {
	imported := state.DefaultApproverGroup.IsNull()
	var out []*finding
	if imported {
		out = append(out, &finding{attr: "default_approver_group", summary: "Current default approver group unknown",
			detail: fmt.Sprintf("Exchange does not report the default approver group privileged access uses now (this "+
				"resource was imported), so this plan cannot show the value it replaces. Applying sends "+
				"default_approver_group = %s.", plannedText(plan.DefaultApproverGroup))})
	}
	accounts, known := knownStrings(ctx, plan.SystemAccounts, diags)
	switch {
	case plan.SystemAccounts.IsNull():
		out = append(out, &finding{attr: "system_accounts", summary: "Applying removes every system account",
			detail: "system_accounts is not set, so applying sends no system accounts. Exchange does not report the " +
				"system accounts in place, so any the tenant has now (from before an import, or added outside " +
				"Terraform) are removed and fall under privileged access. To keep them, list them in system_accounts."})
	case imported:
		sent := "the configured list (not known yet)"
		if known {
			sent = "[" + strings.Join(accounts, ", ") + "]"
		}
		out = append(out, &finding{attr: "system_accounts", summary: "Current system accounts unknown",
			detail: fmt.Sprintf("Exchange does not report the system accounts in place (this resource was imported), so "+
				"this plan cannot show the list it replaces. Applying sends system_accounts = %s; any other system "+
				"account the tenant has now falls under privileged access.", sent)})
	}
	return out
}

// plannedText shows a planned string, or says it is not known yet.
func plannedText(v types.String) string {
	if v.IsUnknown() {
		return "(known after apply)"
	}
	return v.ValueString()
}
