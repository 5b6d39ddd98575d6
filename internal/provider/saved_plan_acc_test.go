package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// Issue 19, defect 4: a saved plan applied after another admin changed the tenant. The update
// sent only the differences between state and plan, waited the whole settle time for members that
// never came, and ended in "Provider produced inconsistent result". Each resource now compares the
// plan with the tenant as it is at apply time: it converges on the plan, or refuses naming what
// changed, and never ends in an inconsistent result.

// describedGroupHCL is the "approvers" group with adele and alex and a description.
func describedGroupHCL(tn *acctest.Tenant, description string) string {
	return fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  description          = %q
  members              = [%q, %q]
}
`, tn.Address("pam-approvers"), description, tn.Address("adele.vance"), tn.Address("alex.wilber"))
}

func TestAccSavedPlan_groupConvergesOnThePlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	adele, alex := tn.Address("adele.vance"), tn.Address("alex.wilber")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tn.ProviderConfig() + describedGroupHCL(tn, "Approves Exchange tasks")},
			{
				// The plan changes only the description; before it is applied, alex is removed by hand.
				Config: tn.ProviderConfig() + describedGroupHCL(tn, "Approves Exchange and mailbox tasks"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.SavedPlanThen(func() error {
						_, err := tn.TryExchange("Remove-DistributionGroupMember", map[string]any{
							"Identity": tn.Address("pam-approvers"), "Member": alex, "BypassSecurityGroupManagerCheck": true,
						})
						return err
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("members"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(adele), knownvalue.StringExact(alex)})),
				},
			},
			{
				Config:           tn.ProviderConfig() + describedGroupHCL(tn, "Approves Exchange and mailbox tasks"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccSavedPlan_policyReplacedByHandIsNotTouched(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := func(approval string) string {
		return tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + policyHCL("move", moveTask, approval)
	}
	var handMade string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("Manual")},
			{
				// The plan re-creates the policy as Auto; before it is applied, an admin replaces it by hand.
				Config: config("Auto"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.SavedPlanThen(func() error {
						old := movePolicies(t, tn)[0]["Identity"]
						if _, err := tn.TryExchange("Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": old}); err != nil {
							return err
						}
						made, err := tn.TryExchange("New-ElevatedAccessApprovalPolicy", map[string]any{
							"Task": moveTask, "ApprovalType": "Manual", "ApproverGroup": tn.Address("pam-approvers"),
						})
						if err == nil {
							handMade = fmt.Sprint(made[0]["Identity"])
						}
						return err
					}),
				}},
				ExpectError: errorMatching("Approval policy changed after the plan", "Nothing was changed", "Plan again"),
			},
			{
				PreConfig: func() {
					if got := movePolicies(t, tn); len(got) != 1 || fmt.Sprint(got[0]["Identity"]) != handMade {
						t.Fatalf("the policy made by hand was changed: %v", got)
					}
				},
				// A new plan sees the hand-made policy as drift and applies.
				Config: config("Auto"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("Auto")),
				},
			},
		},
	})
}

func TestAccSavedPlan_privilegedAccessTurnedOffIsNotTurnedOn(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := func(accounts ...string) string {
		return tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + accessHCL(accounts...)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config()},
			{
				Config: config(tn.Address("svc-sync")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					acctest.SavedPlanThen(func() error {
						_, err := tn.TryExchange("Disable-ElevatedAccessControl", nil)
						return err
					}),
				}},
				ExpectError: errorMatching("Privileged access was turned off after the plan", "Nothing was sent"),
			},
			{
				PreConfig: func() {
					if pamEnabled(t, tn) {
						t.Fatal("a plan made with privileged access on turned it back on")
					}
				},
				Config: config(tn.Address("svc-sync")),
			},
		},
	})
}
