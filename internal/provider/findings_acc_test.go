package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

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
