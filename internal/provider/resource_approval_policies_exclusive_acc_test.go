package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

const exclusiveAddr = "o365pam_approval_policies_exclusive.all"

// Defect 12 of issue 19: a drift run exited 0 while a policy no configuration manages (an Auto policy
// added by hand for a sensitive task) sat in the tenant. Under the opt-in exclusive resource it shows
// as drift, and applying removes it and nothing else.
func TestAccApprovalPoliciesExclusive_undeclaredPolicyIsDrift(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) +
		policyHCL("move", moveTask, "Manual") + `
resource "o365pam_approval_policies_exclusive" "all" {
  tasks = [o365pam_approval_policy.move.task]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": setMailboxTask, "ApprovalType": "Auto", "ApproverGroup": outOfBandGroup(t, tn),
					})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(exclusiveAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(policyAddr, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(exclusiveAddr, tfjsonpath.New("tasks"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(moveTask)})),
				}},
				Check: func(*terraform.State) error {
					all := tn.Exchange(t, "Get-ElevatedAccessApprovalPolicy", nil)
					if len(all) != 1 || fmt.Sprint(all[0]["Task"]) != moveTask {
						return fmt.Errorf("want only the policy for %s left, got %v", moveTask, all)
					}
					return nil
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
