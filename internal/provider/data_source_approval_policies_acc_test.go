package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// The approval policies data source drives for_each import blocks that adopt a tenant's policies.
func TestAccApprovalPolicies_adoptWithImportBlocks(t *testing.T) {
	tn := acctest.NewTenant(t)
	var moveID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{{
			PreConfig: func() {
				outOfBandPAM(t, tn)
				moveID = fmt.Sprint(movePolicies(t, tn)[0]["Identity"])
			},
			Config: tn.ProviderConfig() + `
data "o365pam_approval_policies" "all" {}

# Keyed by task in real use (see the data source's example); the test harness reads only
# count-indexed state, so this indexes by position.
import {
  for_each = [for p in data.o365pam_approval_policies.all.policies : p]
  to       = o365pam_approval_policy.adopted[each.key]
  id       = each.value.id
}

resource "o365pam_approval_policy" "adopted" {
  count          = length(data.o365pam_approval_policies.all.policies)
  task           = data.o365pam_approval_policies.all.policies[count.index].task
  approval_type  = data.o365pam_approval_policies.all.policies[count.index].approval_type
  approver_group = data.o365pam_approval_policies.all.policies[count.index].approver_group
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				// Policies are listed by task: New-MoveRequest, then Set-Mailbox.
				statecheck.ExpectKnownValue("o365pam_approval_policy.adopted[1]", tfjsonpath.New("approval_type"), knownvalue.StringExact("Auto")),
			},
			Check: func(s *terraform.State) error {
				got, err := stateAttr(s, "o365pam_approval_policy.adopted.0", "id")
				if err != nil {
					return fmt.Errorf("want the existing policy %s adopted: %w", moveID, err)
				}
				if got != moveID {
					return fmt.Errorf("want the existing policy %s adopted, not a new one; got %q", moveID, got)
				}
				if n := len(movePolicies(t, tn)); n != 1 {
					return fmt.Errorf("want one policy for %s after adoption, got %d", moveTask, n)
				}
				return nil
			},
		}},
	})
}
