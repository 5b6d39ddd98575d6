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
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The plan-time safety checks. Errors are asserted through the CLI; warnings, which the CLI harness
// cannot assert, through the provider's protocol server (planNew, in safety_warnings_test.go), and
// the CLI shows that a plan with all of them still succeeds.

func TestAccSafety_errorsAtPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "typo" {
  task           = %q
  approver_group = %q
}
`, moveTask, tn.Address("no-such-group")),
				PlanOnly:    true,
				ExpectError: errorMatching("Approver group not found", "Exchange has no group "+tn.Address("no-such-group")),
			},
			{
				PreConfig: func() { outOfBandGroup(t, tn) },
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
  system_accounts        = [%q]
}
`, tn.Address("other-approvers"), tn.Address("no.such.account")),
				PlanOnly:    true,
				ExpectError: errorMatching("System account is not a user", tn.Address("no.such.account")),
			},
			{
				PreConfig: func() {
					for i := len(tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil)); i < 30; i++ {
						tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
							"Task": fmt.Sprintf(`Exchange\Set-Thing%d`, i), "ApprovalType": "Auto", "ApproverGroup": tn.Address("other-approvers"),
						})
					}
				},
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "extra" {
  task           = %q
  approver_group = %q
}
`, setMailboxTask, tn.Address("other-approvers")),
				// Policies made by hand are never planned, so the plan only warns; the apply refuses the create.
				ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			},
		},
	})
}

func TestAccSafety_noSubscription(t *testing.T) {
	seed := emulator.BuiltinTenant()
	seed.Skus = nil
	for _, u := range seed.Users {
		u.SkuIDs = nil
	}
	tn := acctest.NewTenantWith(t, emulator.Options{Seed: seed})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) + accessHCL(),
			PlanOnly:    true,
			ExpectError: errorMatching("No subscription includes privileged access management", "Tenant "+tn.Server.TenantID(), "it has: none"),
		}},
	})
}

// A configuration that trips every warning still plans.
func TestAccSafety_warningsDoNotStopThePlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             tn.ProviderConfig() + groupHCL(tn, tn.Address("nestor.wilke")) + accessHCL(tn.Address("nestor.wilke")),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// What the safety checks find about an approver group is in the plan itself, known before apply,
// so that policy tools reading `terraform show -json` can act on it; a member change updates it.
func TestAccFindings_approverGroupInPlan(t *testing.T) {
	tn := acctest.NewTenant(t)
	const address = "o365pam_approver_group.approvers"
	findings := func(count int64, unlicensed ...string) []knownvalue.Check {
		names := make([]knownvalue.Check, len(unlicensed))
		for i, u := range unlicensed {
			names[i] = knownvalue.StringExact(u)
		}
		return []knownvalue.Check{knownvalue.Int64Exact(count), knownvalue.SetExact(names)}
	}
	inPlan := func(want []knownvalue.Check) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{
			plancheck.ExpectKnownValue(address, tfjsonpath.New("approver_count"), want[0]),
			plancheck.ExpectKnownValue(address, tfjsonpath.New("unlicensed_members"), want[1]),
		}
	}
	inState := func(want []knownvalue.Check) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("approver_count"), want[0]),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("unlicensed_members"), want[1]),
		}
	}
	three := findings(3, tn.Address("nestor.wilke"))
	two := findings(2)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"), tn.Address("nestor.wilke")),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: inPlan(three)},
				ConfigStateChecks: inState(three),
			},
			{
				Config:            tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: append(inPlan(two), plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate))},
				ConfigStateChecks: inState(two),
			},
		},
	})
}
