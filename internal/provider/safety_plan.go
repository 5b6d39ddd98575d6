package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// These functions run the safety checks from the resources' ModifyPlan. They skip values not known
// yet, and call the services only for what the plan changes (a new resource or a changed
// attribute), so a plan without changes costs no extra calls. A check that cannot reach a service
// says so in a warning rather than stop the plan.

// plannedGroup is what the plan says about one approver group.
type plannedGroup struct {
	members      []string
	membersKnown bool
}

// groupBook remembers the approver groups one configured provider has planned. Terraform plans a
// resource after the resources it refers to, so a policy that names its group as
// o365pam_approver_group.<name>.primary_smtp_address is checked after that group was planned, and
// a group this configuration is about to create is not reported missing.
type groupBook struct {
	mu     sync.Mutex
	groups map[string]plannedGroup // by lower-case primary SMTP address
}

func (c *tenantClient) notePlannedGroup(address string, g plannedGroup) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	book.groups[strings.ToLower(address)] = g
}

func (c *tenantClient) plannedGroup(address string) (plannedGroup, bool) {
	book := &c.plannedGroups
	book.mu.Lock()
	defer book.mu.Unlock()
	g, ok := book.groups[strings.ToLower(address)]
	return g, ok
}

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

// checkApproverGroupPlan notes the planned group for the other resources' checks and warns about
// approvers who cannot be relied on. Licences are checked only for members the plan adds; people
// holds the users they name, with their licences.
func checkApproverGroupPlan(ctx context.Context, c *tenantClient, plan, state approverGroupModel, creating bool,
	people map[string]graph.User, diags *diag.Diagnostics,
) {
	if c == nil || plan.PrimarySMTPAddress.IsUnknown() {
		return
	}
	group := plan.PrimarySMTPAddress.ValueString()
	members, known := knownStrings(ctx, plan.Members, diags)
	c.notePlannedGroup(group, plannedGroup{members: members, membersKnown: known && !plan.Members.IsNull()})
	prior := stringSet(ctx, state.Members, diags)
	if !known || plan.Members.IsNull() || (!creating && sameFold(prior, members)) {
		return
	}
	approverCountFinding(group, members).addTo(diags)

	priorSet := foldSet(prior)
	var unlicensed []string
	for _, member := range members {
		u, found := people[strings.ToLower(member)]
		if priorSet[strings.ToLower(member)] || !found {
			continue // unknown users are reported by the resource itself
		}
		subscribed, err := c.reads.skus.Get(ctx)
		if err != nil {
			checkSkipped(diags, "the licences of the approvers", err)
			return
		}
		if !includesPAM(assignedSkus(u, subscribed)) {
			unlicensed = append(unlicensed, member)
		}
	}
	unlicensedApproversFinding(group, unlicensed).addTo(diags)
}

// checkPrivilegedAccessPlan refuses to enable privileged access in a tenant without a licence for
// it or with system accounts that are not users, and warns about system accounts that can approve.
func checkPrivilegedAccessPlan(ctx context.Context, c *tenantClient, plan, state privilegedAccessModel, creating bool, diags *diag.Diagnostics) {
	if c == nil {
		return
	}
	if creating {
		skus, err := c.reads.skus.Get(ctx)
		if err != nil {
			checkSkipped(diags, "the tenant's subscriptions", err)
		} else {
			pamSubscriptionFinding(c.tenantID, skus).addTo(diags)
		}
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
		_, err := c.resolveUser(ctx, account)
		if apierr.IsNotFound(err) {
			notAUserFinding(account).addTo(diags)
		} else if err != nil {
			checkSkipped(diags, "system account "+account, err)
		}
	}
	group := plan.DefaultApproverGroup
	groupChanged := creating || !strings.EqualFold(state.DefaultApproverGroup.ValueString(), group.ValueString())
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
func (c *tenantClient) approversOf(ctx context.Context, address string) ([]graph.User, error) {
	if planned, ok := c.plannedGroup(address); ok && planned.membersKnown {
		users := make([]graph.User, len(planned.members))
		for i, m := range planned.members {
			users[i] = graph.User{UserPrincipalName: m}
		}
		return users, nil
	}
	group, err := c.securityGroup(ctx, address)
	if apierr.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c.graph.GroupMembers(ctx, group.ExternalDirectoryObjectID)
}

// checkApprovalPolicyPlan refuses a new policy beyond the tenant's limit and a policy whose approver
// group neither exists nor is planned by this configuration.
func checkApprovalPolicyPlan(ctx context.Context, c *tenantClient, plan, state approvalPolicyModel, creating bool, diags *diag.Diagnostics) {
	if c == nil {
		return
	}
	if creating && !plan.Task.IsUnknown() {
		policies, err := c.approvalPolicies(ctx)
		if err != nil {
			checkSkipped(diags, "how many approval policies the tenant has", err)
		} else {
			policyLimitFinding(len(policies), plan.Task.ValueString()).addTo(diags)
		}
	}
	group := plan.ApproverGroup
	if group.IsUnknown() || group.IsNull() || (!creating && strings.EqualFold(state.ApproverGroup.ValueString(), group.ValueString())) {
		return
	}
	if _, planned := c.plannedGroup(group.ValueString()); planned {
		return
	}
	_, err := c.securityGroup(ctx, group.ValueString())
	switch {
	case apierr.IsNotFound(err):
		unknownApproverGroupFinding(group.ValueString()).addTo(diags)
	case err != nil:
		checkSkipped(diags, "approver group "+group.ValueString(), err)
	}
}
