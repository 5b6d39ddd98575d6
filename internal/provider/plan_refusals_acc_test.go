package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// Plans that used to pass and then fail half-way through the apply, and are now refused at plan.

// distributionList creates the distribution list all-staff (not a security group) behind Terraform's back.
func distributionList(t *testing.T, tn *acctest.Tenant) {
	tn.Exchange(t, "New-DistributionGroup", map[string]any{"Name": "All Staff", "PrimarySmtpAddress": tn.Address("all-staff")})
}

// Defect 9 of issue 19: a distribution list as approver group passed plan and failed at apply.
func TestAccPlan_distributionListAsApproverGroupRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { distributionList(t, tn) },
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approval_policy" "move" {
  task           = %q
  approver_group = %q
}
`, moveTask, tn.Address("all-staff")),
				PlanOnly:    true,
				ExpectError: errorMatching("Approver group is not a mail-enabled security group", tn.Address("all-staff")+" is a distribution list"),
			},
			{
				Config: tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
}
`, tn.Address("all-staff")),
				PlanOnly: true,
				ExpectError: errorMatching("Approver group is not a mail-enabled security group",
					`default_approver_group`, tn.Address("all-staff")+" is a distribution list"),
			},
		},
	})
}

// Defect 5 of issue 19: moving a policy to a task the tenant already guards by hand passed plan,
// removed the old policy, then failed the create: the old task was left unguarded.
func TestAccPlan_moveToGuardedTaskRefused(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base + policyHCL("move", moveTask, "Manual")},
			{
				PreConfig: func() {
					tn.Exchange(t, "New-ElevatedAccessApprovalPolicy", map[string]any{
						"Task": setMailboxTask, "ApprovalType": "Auto", "ApproverGroup": outOfBandGroup(t, tn),
					})
				},
				Config: base + policyHCL("move", setMailboxTask, "Manual"),
				ExpectError: errorMatching("Task already has an approval policy", setMailboxTask,
					"would remove policy", "leaving "+moveTask+" unguarded", "import {"),
			},
			{
				PreConfig: func() {
					if got := movePolicies(t, tn); len(got) != 1 {
						t.Fatalf("after the refused move want %s still guarded by its policy, got %v", moveTask, got)
					}
				},
				Config:   base + policyHCL("move", moveTask, "Manual"),
				PlanOnly: true,
			},
		},
	})
}
