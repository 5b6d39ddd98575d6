package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// Every plan-time check runs from here, called by the resources' ModifyPlan; safety.go words what
// they find, plan_memory.go keeps what the run's plans have seen. The checks skip values not known
// yet, and call the services only for what the plan changes (a new resource or a changed
// attribute), so a plan without changes costs no extra calls. A check that cannot reach a service
// says so in a warning rather than stop the plan.

// knownStrings converts a set whose every element is known; ok is false while any part is unknown.
func knownStrings(ctx context.Context, set types.Set, diags *diag.Diagnostics) ([]string, bool) {
	if set.IsUnknown() {
		return nil, false
	}
	for _, e := range set.Elements() {
		if e.IsUnknown() {
			return nil, false
		}
	}
	return stringSet(ctx, set, diags), true
}

// warnUnknownCmdlet warns when an Exchange task names a cmdlet missing from the provider's list of
// Exchange cmdlets. Only a warning: the list ships with the provider and can lag Microsoft's.
func warnUnknownCmdlet(resourceType string, attr path.Path, task string, diags *diag.Diagnostics) {
	cmdlet, near := pamtenant.UnknownTaskCmdlet(task)
	if cmdlet == "" {
		return
	}
	suggest := "No known cmdlet has a close name."
	if len(near) > 0 {
		for i, c := range near {
			near[i] = `Exchange\` + c
		}
		suggest = "Did you mean " + strings.Join(near, ", ") + "?"
	}
	diags.AddAttributeWarning(attr, "Unknown Exchange cmdlet",
		fmt.Sprintf("%s: %s %s names the cmdlet %s, which is not in the provider's list of Exchange Online cmdlets. "+
			"%s A policy for a cmdlet that does not exist guards nothing. The list ships with the provider and "+
			"may lag Microsoft's: if %s is a new cmdlet, the policy works and this warning can be ignored.",
			resourceType, attr, task, cmdlet, suggest, cmdlet))
}

// checkSkipped tells the user that a safety check could not run, without stopping the plan.
func checkSkipped(diags *diag.Diagnostics, check string, err error) {
	diags.AddWarning("Safety check skipped",
		fmt.Sprintf("Could not check %s: %s\n\nThe plan goes on without this check.", check, err))
}

// newPeople lists the members and owners the plan adds: the ones the plan-time checks look up.
func newPeople(ctx context.Context, plan, state approverGroupModel, diags *diag.Diagnostics) []string {
	var out []string
	seen := map[string]bool{}
	for _, sets := range [][2]types.Set{{plan.Members, state.Members}, {plan.Owners, state.Owners}} {
		prior := foldSet(stringSet(ctx, sets[1], diags))
		for _, spelling := range stringSet(ctx, sets[0], diags) {
			key := strings.ToLower(spelling)
			if !prior[key] && !seen[key] {
				seen[key] = true
				out = append(out, spelling)
			}
		}
	}
	return out
}

// foldSet is a set of lower-cased strings.
func foldSet(list []string) map[string]bool {
	set := make(map[string]bool, len(list))
	for _, s := range list {
		set[strings.ToLower(s)] = true
	}
	return set
}

// approverGroupFindings are what the safety checks compute about an approver group, shown as
// read-only attributes so that policy tools reading the plan's JSON can act on them.
type approverGroupFindings struct {
	ApproverCount     types.Int64 `tfsdk:"approver_count"`
	UnlicensedMembers types.Set   `tfsdk:"unlicensed_members"`
}

// checkApproverGroupPlan notes the planned group for the other resources' checks, warns about
// approvers who cannot be relied on, and returns the findings as the plan leaves them. people holds
// the users the plan's new members and owners name, with their licences; unknown findings stay
// unknown until apply.
func checkApproverGroupPlan(ctx context.Context, c *tenantClient, plan, state approverGroupModel, creating bool,
	people map[string]pamtenant.User, diags *diag.Diagnostics,
) approverGroupFindings {
	unknown := approverGroupFindings{ApproverCount: types.Int64Unknown(), UnlicensedMembers: types.SetUnknown(types.StringType)}
	if c == nil || plan.PrimarySMTPAddress.IsUnknown() {
		return unknown
	}
	group := plan.PrimarySMTPAddress.ValueString()
	members, known := knownStrings(ctx, plan.Members, diags)
	c.notePlannedGroup(group, plannedGroup{members: members, membersKnown: known && !plan.Members.IsNull()})
	if !known || plan.Members.IsNull() {
		return unknown
	}
	prior := stringSet(ctx, state.Members, diags)
	if !creating && sameFold(prior, members) && !state.UnlicensedMembers.IsNull() {
		return state.approverGroupFindings
	}
	findings := approverGroupFindings{ApproverCount: types.Int64Value(int64(len(members))), UnlicensedMembers: unknown.UnlicensedMembers}
	if creating || !sameFold(prior, members) {
		approverCountFinding(group, members).addTo(diags)
	}
	unlicensed, err := c.unlicensedAmong(ctx, members, state, people, diags)
	if err != nil {
		checkSkipped(diags, "the licences of the members of "+group, err)
		return findings
	}
	findings.UnlicensedMembers = setOfStrings(unlicensed)
	var added []string
	for _, member := range unlicensed {
		if !containsFold(prior, member) {
			added = append(added, member)
		}
	}
	unlicensedApproversFinding(group, added).addTo(diags)
	return findings
}

// unlicensedAmong lists the members without a privileged access licence. A member the prior
// model already had keeps its earlier finding; the others are taken from people or, when not
// there, looked up together in batched Graph reads, so a plan or refresh costs calls only for
// changed membership, never one per member. Reading the prior model's sets adds to diags.
func (c *tenantClient) unlicensedAmong(ctx context.Context, members []string, prior approverGroupModel, people map[string]pamtenant.User, diags *diag.Diagnostics) ([]string, error) {
	priorMembers := foldSet(stringSet(ctx, prior.Members, diags))
	priorUnlicensed := foldSet(stringSet(ctx, prior.UnlicensedMembers, diags))
	if prior.UnlicensedMembers.IsNull() || prior.UnlicensedMembers.IsUnknown() {
		priorMembers = nil // nothing was found before: look at every member
	}
	var missing []string
	for _, member := range members {
		key := strings.ToLower(member)
		if _, found := people[key]; !found && !priorMembers[key] {
			missing = append(missing, member)
		}
	}
	if len(missing) > 0 {
		found, err := c.tenant.UsersByName(ctx, missing)
		if err != nil {
			return nil, err
		}
		people = withUsers(people, found)
	}
	unlicensed := []string{}
	var subscribed []pamtenant.Sku
	for _, member := range members {
		key := strings.ToLower(member)
		if priorMembers[key] {
			if priorUnlicensed[key] {
				unlicensed = append(unlicensed, member)
			}
			continue
		}
		u, found := people[key]
		if !found {
			continue // the resource reports unknown users, and other kinds of member hold no licence to check
		}
		if subscribed == nil {
			var err error
			if subscribed, err = c.tenant.SubscribedSkus(ctx); err != nil {
				return nil, err
			}
		}
		if !pamtenant.IncludesPAM(assignedSkus(u, subscribed)) {
			unlicensed = append(unlicensed, member)
		}
	}
	return unlicensed, nil
}

// withUsers is people with more users added, as a new map.
func withUsers(people, more map[string]pamtenant.User) map[string]pamtenant.User {
	out := make(map[string]pamtenant.User, len(people)+len(more))
	for k, v := range people {
		out[k] = v
	}
	for k, v := range more {
		out[strings.ToLower(k)] = v
	}
	return out
}

// withFindings completes a group model read from the services with its findings, reading
// licences only for members prior did not have. A failed licence read leaves them null with a
// warning rather than fail the operation.
func (c *tenantClient) withFindings(ctx context.Context, m, prior approverGroupModel, diags *diag.Diagnostics) approverGroupModel {
	members := stringSet(ctx, m.Members, diags)
	m.ApproverCount = types.Int64Value(int64(len(members)))
	unlicensed, err := c.unlicensedAmong(ctx, members, prior, nil, diags)
	if err != nil {
		diags.AddWarning("Licences of approvers not read",
			fmt.Sprintf("Could not read the licences of the members of %s, so unlicensed_members is left unset: %s",
				m.PrimarySMTPAddress.ValueString(), err))
		m.UnlicensedMembers = types.SetNull(types.StringType)
		return m
	}
	m.UnlicensedMembers = setOfStrings(unlicensed)
	return m
}

// checkPrivilegedAccessPlan refuses to enable privileged access in a tenant without a licence for
// it, with a default approver group that cannot approve or with system accounts that are not users,
// and warns about system accounts that can approve.
func checkPrivilegedAccessPlan(ctx context.Context, c *tenantClient, plan, state privilegedAccessModel, creating bool, diags *diag.Diagnostics) {
	if c == nil {
		return
	}
	if creating {
		skus, err := c.tenant.SubscribedSkus(ctx)
		if err != nil {
			checkSkipped(diags, "the tenant's subscriptions", err)
		} else {
			pamSubscriptionFinding(c.tenantID, skus).addTo(diags)
		}
	}
	group := plan.DefaultApproverGroup
	groupChanged := creating || !strings.EqualFold(state.DefaultApproverGroup.ValueString(), group.ValueString())
	if groupChanged && !group.IsUnknown() && !group.IsNull() &&
		!c.checkApproverGroup(ctx, "default_approver_group", group.ValueString(), diags) {
		return
	}
	accounts, known := knownStrings(ctx, plan.SystemAccounts, diags)
	if !known || len(accounts) == 0 {
		return
	}
	prior := stringSet(ctx, state.SystemAccounts, diags)
	for _, account := range accounts {
		if containsFold(prior, account) {
			continue
		}
		_, err := c.tenant.ResolveUser(ctx, account)
		if apierr.IsNotFound(err) {
			notAUserFinding(account).addTo(diags)
		} else if err != nil {
			checkSkipped(diags, "system account "+account, err)
		}
	}
	if group.IsUnknown() || (!groupChanged && sameFold(prior, accounts)) {
		return
	}
	approvers, err := c.approversOf(ctx, group.ValueString())
	if err != nil {
		checkSkipped(diags, "the members of "+group.ValueString(), err)
		return
	}
	approvingSystemAccountsFinding(group.ValueString(), approvingSystemAccounts(accounts, approvers)).addTo(diags)
}

// approversOf lists a group's members as this plan leaves them: the planned members when the
// configuration manages the group, else its members now. A group that does not exist yet has none.
func (c *tenantClient) approversOf(ctx context.Context, address string) ([]pamtenant.User, error) {
	if planned, ok := c.plannedGroup(address); ok && planned.membersKnown {
		users := make([]pamtenant.User, len(planned.members))
		for i, m := range planned.members {
			users[i] = pamtenant.User{UserPrincipalName: m}
		}
		return users, nil
	}
	group, err := c.tenant.SecurityGroup(ctx, address)
	if apierr.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c.tenant.GroupMembers(ctx, group.ExternalDirectoryObjectID)
}

// checkApprovalPolicyPlan records the planned policy for the run's counts, and refuses a second
// resource for one task, a plan that passes the tenant's policy limit, and a policy whose approver
// group neither exists nor is planned by this configuration. replaces is the policy a planned
// creation replaces, if any.
func checkApprovalPolicyPlan(ctx context.Context, c *tenantClient, plan, state approvalPolicyModel, replaces replacedPolicy, diags *diag.Diagnostics) {
	if c == nil {
		return
	}
	creating := state.ID.IsNull()
	key := state.ID.ValueString()
	switch {
	case !creating:
		c.policies.noteKept(key)
	case replaces.ID != "":
		key = replaces.ID
		c.policies.noteRemoved(replaces.ID)
		c.policies.noteCreated()
	default:
		key = c.policies.newKey()
		c.policies.noteCreated()
	}
	if !plan.Task.IsUnknown() {
		if other, taken := c.policies.claimTask(plan.Task.ValueString(), key); taken {
			diags.AddAttributeError(path.Root("task"), "Two approval policies for one task",
				fmt.Sprintf("Task %s is also planned as %s by another o365pam_approval_policy of this configuration "+
					"(tasks are compared without regard to case). A task has at most one policy: both resources would "+
					"claim the same one, and removing either would leave the task unguarded while the other still "+
					"claims it. Keep one of them.", plan.Task.ValueString(), other))
			return
		}
	}
	if creating && !plan.Task.IsUnknown() {
		policies, err := c.tenant.ApprovalPolicies(ctx)
		if err != nil {
			checkSkipped(diags, "the tenant's approval policies", err)
			return
		}
		// Private data outlives the object it was planned from (deleted by hand, say): only a policy
		// still in the tenant is being replaced.
		if replaces.ID != "" && strings.EqualFold(replaces.Task, plan.Task.ValueString()) && pamtenant.PolicyByID(policies, replaces.ID) != nil {
			sameNameReplacementFinding("the policy for "+replaces.Task, "a task has one policy").addTo(diags)
			return
		}
		// Only the policy this resource replaces may hold the task: any other makes the create fail,
		// after a replacement has already removed the old policy.
		if existing := pamtenant.PolicyForTask(policies, plan.Task.ValueString()); existing != nil && !strings.EqualFold(existing.Identity, replaces.ID) {
			taskHasPolicyFinding(*existing, replaces).addTo(diags)
			return
		}
		c.checkPolicyLimit(policies, plan.Task.ValueString()).addTo(diags)
	}
	group := plan.ApproverGroup
	if group.IsUnknown() || group.IsNull() || (!creating && strings.EqualFold(state.ApproverGroup.ValueString(), group.ValueString())) {
		return
	}
	c.checkApproverGroup(ctx, "approver_group", group.ValueString(), diags)
}

// checkApproverGroup refuses an approver group (attr) that is neither planned through this provider
// configuration nor a mail-enabled security group of the tenant. It reports whether the group can approve.
func (c *tenantClient) checkApproverGroup(ctx context.Context, attr, address string, diags *diag.Diagnostics) bool {
	if _, planned := c.plannedGroup(address); planned {
		return true
	}
	group, err := c.tenant.SecurityGroup(ctx, address)
	switch {
	case apierr.IsNotFound(err):
		unknownApproverGroupFinding(attr, address).addTo(diags)
		return false
	case err != nil:
		checkSkipped(diags, "approver group "+address, err)
	case !group.IsSecurityGroup():
		notSecurityGroupFinding(attr, address, *group).addTo(diags)
		return false
	}
	return true
}

// checkGroupRemoval warns when a group the plan removes still approves policies in the tenant, or is
// the default approver group of privileged access in this configuration. Exchange is not known to
// report the default approver group, so that use is known only from the plan of
// o365pam_privileged_access: whichever of the two is planned second warns.
func checkGroupRemoval(ctx context.Context, c *tenantClient, address string, diags *diag.Diagnostics) {
	uses, err := c.groupUses(ctx, address, true)
	if err != nil {
		checkSkipped(diags, "which approval policies "+address+" approves", err)
	}
	groupInUseFinding(address, uses).addTo(diags)
}

// groupUses lists, in words, what a group approves: the tenant's policies and, as far as the plans
// of this run show, privileged access. removing notes that the plan removes the group.
func (c *tenantClient) groupUses(ctx context.Context, address string, removing bool) ([]string, error) {
	var uses []string
	if (removing && c.noteRemovedGroup(address)) || (!removing && c.pamUses(address)) {
		uses = append(uses, "the default approver group of privileged access")
	}
	policies, err := c.tenant.ApprovalPolicies(ctx)
	for _, p := range policies {
		if pamtenant.SameSetting(p.ApproverGroup, address) {
			uses = append(uses, fmt.Sprintf("the approver group of the policy for %s (%s)", p.Task, p.Identity))
		}
	}
	return uses, err
}

// checkGroupReplacement runs when a planned creation replaces a group (-replace) under the same name
// or address. Exchange lets no two groups share either, so under create_before_destroy the create
// fails while the old group holds them; without it, the old group is removed first, which Exchange
// refuses while the group approves policies or privileged access. The provider is not told which
// order Terraform uses, so the plan is refused, saying what works.
func checkGroupReplacement(ctx context.Context, c *tenantClient, plan approverGroupModel, old replacedGroup, diags *diag.Diagnostics) {
	if old.ID == "" || (!strings.EqualFold(old.Name, plan.Name.ValueString()) && !strings.EqualFold(old.Address, plan.PrimarySMTPAddress.ValueString())) {
		return
	}
	// Private data outlives the object it was planned from: a group deleted by hand is not replaced.
	if _, err := c.tenant.SecurityGroup(ctx, old.ID); apierr.IsNotFound(err) {
		return
	}
	uses, err := c.groupUses(ctx, old.Address, false)
	if err != nil {
		checkSkipped(diags, "which approval policies "+old.Address+" approves", err)
	}
	if len(uses) > 0 {
		diags.AddError("Approver group cannot be replaced while in use",
			fmt.Sprintf("This plan replaces approver group %s (id %s) by a new group of the same name or address. Exchange "+
				"lets no two groups share a name or address, and refuses to remove a group that is still %s, so neither "+
				"order of a replacement can work. %s", old.Address, old.ID, strings.Join(uses, " and "), replaceGroupRemedy))
		return
	}
	sameNameReplacementFinding("approver group "+old.Address, "no two groups may share a name or address").addTo(diags)
}

// checkPeople reports planned people that name no user, and two entries that name the same user;
// people holds the users the plan's new entries name. A person the group's reads saw leave the
// directory (departed) gets a warning with the way forward instead of the error for a typo.
func checkPeople(attr, group string, planned, prior []string, people map[string]pamtenant.User, departed map[string]bool, diags *diag.Diagnostics) {
	known := foldSet(prior)
	byID := map[string]string{}
	for _, spelling := range planned {
		if known[strings.ToLower(spelling)] {
			continue
		}
		u, found := people[strings.ToLower(spelling)]
		if !found && departed[strings.ToLower(spelling)] {
			departedFinding(attr, group, spelling, false).addTo(diags)
			continue
		}
		if !found {
			diags.AddAttributeError(path.Root(attr), "Unknown user",
				fmt.Sprintf("%q in %s is not a user of this tenant. Check the spelling; use the person's UPN or "+
					"primary SMTP address.", spelling, attr))
			continue
		}
		if first, dup := byID[u.ID]; dup {
			diags.AddAttributeError(path.Root(attr), "Person listed twice",
				fmt.Sprintf("%q and %q are the same user (%s); list each person once.", first, spelling, u.UserPrincipalName))
		}
		byID[u.ID] = spelling
	}
}

// checkPolicyLimit refuses a planned creation that leaves the tenant with more policies than Exchange
// allows, counting what the same plan creates and removes. Terraform plans resources in no set order
// (one at a time under -parallelism=1), so policies of the tenant this run has not planned yet may
// still be removed by it: the plan is refused only when the count passes the limit even if they all
// go, or when none is left unplanned; otherwise it warns. The apply refuses the create at the limit.
func (c *tenantClient) checkPolicyLimit(policies []pamtenant.ApprovalPolicy, task string) *finding {
	book := &c.policies
	book.setBaseline(policies)
	count, unplanned := book.projected()
	if count-unplanned > maxApprovalPolicies || (unplanned == 0 && count > maxApprovalPolicies) {
		return policyLimitFinding(count, task)
	}
	return policyLimitUnsureFinding(count, unplanned, task)
}
