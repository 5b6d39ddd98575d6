package provider_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// callCountHCL manages several objects of every kind: three approver groups (one with owners), a
// policy per task, and privileged access.
func callCountHCL(tn *acctest.Tenant, tasks []string) string {
	var b strings.Builder
	b.WriteString(tn.ProviderConfig())
	for i := range 3 {
		owners := ""
		if i == 0 {
			owners = fmt.Sprintf("owners = [%q, %q]", tn.Address("megan.bowen"), tn.Address("lee.gu"))
		}
		fmt.Fprintf(&b, `
resource "o365pam_approver_group" "g%d" {
  name                 = "Approvers %d"
  primary_smtp_address = %q
  members              = [%q, %q]
  %s
}
`, i, i, tn.Address(fmt.Sprintf("approvers-%d", i)), tn.Address("adele.vance"), tn.Address("alex.wilber"), owners)
	}
	for i, task := range tasks {
		fmt.Fprintf(&b, `
resource "o365pam_approval_policy" "p%d" {
  task           = %q
  approver_group = o365pam_approver_group.g%d.primary_smtp_address
}
`, i, task, i%3)
	}
	b.WriteString(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.g0.primary_smtp_address
}
`)
	return b.String()
}

// statsSince is a plan check (a query check too, in the Terraform 1.14 tests) that compares the
// emulator's request counts since a snapshot with what the step should cost.
type statsSince struct {
	tn     *acctest.Tenant
	before *emulator.Stats
	check  func(emulator.Stats) error
}

func (c statsSince) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.check(c.tn.Server.Stats().Sub(*c.before))
}

// TestAccCallCount_noChangePlan pins what drift detection costs: a plan that refreshes every
// object makes one Exchange call per kind of object, at most two Microsoft Graph calls (members of
// all groups, then all owners) and one token request per service, however many objects there are.
func TestAccCallCount_noChangePlan(t *testing.T) {
	testNoChangePlanCalls(t, acctest.NewTenantWith(t, noLags))
}

// TestAccCallCount_largeTenant pins that the cost follows the configuration, not the tenant: with
// thousands of other groups in the tenant, a no-change plan makes the same calls.
func TestAccCallCount_largeTenant(t *testing.T) {
	opts := noLags
	opts.ExtraGroups = 5000
	testNoChangePlanCalls(t, acctest.NewTenantWith(t, opts))
}

// noLags turns the replication and object-id lags off: these tests count the calls of a
// no-change plan, not the waits after creates.
var noLags = emulator.Options{ReplicationLag: -1, ObjectIDLag: -1}

func testNoChangePlanCalls(t *testing.T, tn *acctest.Tenant) {
	config := callCountHCL(tn, []string{
		"Exchange\\New-MoveRequest", "Exchange\\Set-Mailbox", "Exchange\\Remove-Mailbox",
		"Exchange\\New-MailboxExportRequest", "Exchange\\Set-TransportRule",
	})
	before := &emulator.Stats{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				Config:    config,
				PreConfig: func() { *before = tn.Server.Stats() },
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					statsSince{tn: tn, before: before, check: func(d emulator.Stats) error {
						wantCmdlets := map[string]int{
							"Get-DistributionGroup":            1,
							"Get-ElevatedAccessApprovalPolicy": 1,
							"Get-OrganizationConfig":           1,
						}
						if !maps.Equal(d.Cmdlets, wantCmdlets) || d.ExchangeRequests != 3 {
							return fmt.Errorf("a no-change plan ran Exchange cmdlets %v in %d requests, want %v in 3",
								d.Cmdlets, d.ExchangeRequests, wantCmdlets)
						}
						if d.GraphRequests > 2 {
							return fmt.Errorf("a no-change plan made %d Microsoft Graph requests, want at most 2", d.GraphRequests)
						}
						if d.TokenRequests != 2 {
							return fmt.Errorf("a no-change plan made %d token requests, want 2 (one per service)", d.TokenRequests)
						}
						return nil
					}},
				}},
			},
		},
	})
}

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
