package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// threeGroupsHCL manages three approver groups of two members each.
func threeGroupsHCL(tn *acctest.Tenant) string {
	var b strings.Builder
	b.WriteString(tn.ProviderConfig())
	for i := range 3 {
		fmt.Fprintf(&b, `
resource "o365pam_approver_group" "g%d" {
  name                 = "Scale approvers %d"
  primary_smtp_address = %q
  members              = [%q, %q]
}
`, i, i, tn.Address(fmt.Sprintf("scale-approvers-%d", i)), tn.Address("adele.vance"), tn.Address("alex.wilber"))
	}
	return b.String()
}

// TestAccApproverGroup_driftFoundByBatchedReads changes three groups by hand in a tenant of
// thousands of other groups: a member removed from one, another renamed, the third deleted. The
// plan finds all three with one batched Exchange read, plus the single read that confirms the
// deleted group is gone, and apply puts everything back.
func TestAccApproverGroup_driftFoundByBatchedReads(t *testing.T) {
	// Lags off: this counts the calls of a plan, not the waits after the previous step's creates.
	opts := noLags
	opts.ExtraGroups = 3000
	tn := acctest.NewTenantWith(t, opts)
	config := threeGroupsHCL(tn)
	before := &emulator.Stats{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					tn.Exchange(t, "Remove-DistributionGroupMember", map[string]any{
						"Identity": tn.Address("scale-approvers-0"), "Member": tn.Address("alex.wilber"),
						"BypassSecurityGroupManagerCheck": true,
					})
					tn.Exchange(t, "Set-DistributionGroup", map[string]any{
						"Identity": tn.Address("scale-approvers-1"), "Name": "Renamed by hand",
						"BypassSecurityGroupManagerCheck": true,
					})
					tn.Exchange(t, "Remove-DistributionGroup", map[string]any{
						"Identity": tn.Address("scale-approvers-2"), "BypassSecurityGroupManagerCheck": true,
					})
					*before = tn.Server.Stats()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("o365pam_approver_group.g0", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("o365pam_approver_group.g1", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("o365pam_approver_group.g2", plancheck.ResourceActionCreate),
					statsSince{tn: tn, before: before, check: func(d emulator.Stats) error {
						if n := d.Cmdlets["Get-DistributionGroup"]; n != 2 {
							return fmt.Errorf("the plan ran Get-DistributionGroup %d times, want 2: one batch, one read confirming the deleted group", n)
						}
						return nil
					}},
				}},
				Check: func(*terraform.State) error {
					if got := groupMembers(t, tn, tn.Address("scale-approvers-0")); len(got) != 2 {
						return fmt.Errorf("want both members back, got %v", got)
					}
					g := tn.Exchange(t, "Get-DistributionGroup", map[string]any{"Identity": tn.Address("scale-approvers-1")})
					if g[0]["Name"] != "Scale approvers 1" {
						return fmt.Errorf("name not put back: %v", g[0]["Name"])
					}
					return nil
				},
			},
			{Config: config, PlanOnly: true},
		},
	})
}

// TestAccApproverGroup_memberChecksBatched plans a new group of 40 members: the plan-time checks
// (each member exists, has a licence) look them up 15 to a Graph call and read the subscriptions
// once, so the plan makes at most ceil(40/15)+2 Graph calls, none per member.
func TestAccApproverGroup_memberChecksBatched(t *testing.T) {
	const members = 40
	seed := emulator.BuiltinTenant()
	var names []string
	for i := range members {
		upn := fmt.Sprintf("checked%02d@%s", i, emulator.BuiltinDomain)
		seed.Users = append(seed.Users, &emulator.User{
			ID: fmt.Sprintf("d0000000-0000-4000-8000-%012d", i), ExchangeGUID: fmt.Sprintf("e2000000-0000-4000-8000-%012d", i),
			UserPrincipalName: upn, DisplayName: fmt.Sprintf("Checked %02d", i), AccountEnabled: true,
			SkuIDs: []string{seed.Skus[0].SkuID},
		})
		names = append(names, fmt.Sprintf("%q", upn))
	}
	tn := acctest.NewTenantWith(t, emulator.Options{Seed: seed})
	config := tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "big" {
  name                 = "Checked approvers"
  primary_smtp_address = %q
  members              = [%s]
}
`, tn.Address("checked-approvers"), strings.Join(names, ", "))
	before := &emulator.Stats{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { *before = tn.Server.Stats() },
			Config:    config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("o365pam_approver_group.big", plancheck.ResourceActionCreate),
				statsSince{tn: tn, before: before, check: func(d emulator.Stats) error {
					if limit := (members+14)/15 + 2; d.GraphRequests > limit {
						return fmt.Errorf("planning a group of %d members made %d Graph calls, want at most %d", members, d.GraphRequests, limit)
					}
					return nil
				}},
			}},
		}},
	})
}
