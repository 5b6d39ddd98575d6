package provider_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

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
