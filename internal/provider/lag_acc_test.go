package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// TestAccDestroyOfObjectsDeletedByHand: a group and a policy that an admin deleted by hand are
// gone for Terraform too; destroy succeeds and nothing is left. The tenant answers "not found"
// in the service's own envelope (HTTP 404), with the replication and object id lags on.
func TestAccDestroyOfObjectsDeletedByHand(t *testing.T) {
	tn := acctest.NewTenant(t)
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + policyHCL("move", moveTask, "Manual")
	group := tn.Address("pam-approvers")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					for _, p := range movePolicies(t, tn) {
						tn.Exchange(t, "Remove-ElevatedAccessApprovalPolicy", map[string]any{"Identity": p["Identity"]})
					}
					tn.Exchange(t, "Remove-DistributionGroup", map[string]any{"Identity": group, "BypassSecurityGroupManagerCheck": true})
				},
				Config:  config,
				Destroy: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, err := tn.TryExchange("Get-DistributionGroup", map[string]any{"Identity": group}); err == nil ||
				!strings.Contains(err.Error(), "HTTP 404") {
				return fmt.Errorf("want the group gone (404), got %w", err)
			}
			if got := movePolicies(t, tn); len(got) != 0 {
				return fmt.Errorf("policies left: %v", got)
			}
			return nil
		},
	})
}

// TestAccApproverGroup_owners: a group must keep at least one owner, so an empty list is refused
// at plan time, and removing owners from the configuration stops managing them: the plan shows no
// change and the owners stay.
func TestAccApproverGroup_owners(t *testing.T) {
	tn := acctest.NewTenant(t)
	megan := tn.Address("megan.bowen")
	withOwners := func(owners string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = %q
  %s
}
`, tn.Address("pam-approvers"), owners)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      withOwners("owners = []"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)owners.*at least 1`),
			},
			{
				Config: withOwners(fmt.Sprintf("owners = [%q]", megan)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("owners"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(megan)})),
				},
			},
			{
				Config: withOwners(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					g := tn.Exchange(t, "Get-DistributionGroup", map[string]any{"Identity": tn.Address("pam-approvers")})
					if owners := fmt.Sprint(g[0]["ManagedBy"]); owners == "[]" {
						return fmt.Errorf("owners were cleared: %v", owners)
					}
					return nil
				},
			},
		},
	})
}
