package provider_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// TestAccApproverGroup_renameWhileReadsLag (found by the sequence tester, seed 1008): renaming a
// group while reads lag writes, as a real tenant's do, ends with the new name in state and the
// tenant, not in "Provider produced inconsistent result" from reading back the old name.
func TestAccApproverGroup_renameWhileReadsLag(t *testing.T) {
	tn := acctest.NewTenantWith(t, emulator.Options{ConsistencyDelay: 2 * time.Second})
	named := func(name string) string {
		return tn.ProviderConfig() + fmt.Sprintf(`
resource "o365pam_approver_group" "approvers" {
  name                 = %q
  primary_smtp_address = %q
  members              = [%q]
}
`, name, tn.Address("pam-approvers"), tn.Address("lee.gu"))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: named("PAM Approvers")},
			{
				Config: named("PAM Approvers 2"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("o365pam_approver_group.approvers", tfjsonpath.New("name"), knownvalue.StringExact("PAM Approvers 2")),
					tenantCheck(t, "after the rename", func() error {
						for _, g := range tn.Server.Snapshot().Groups {
							if strings.EqualFold(g.PrimarySmtpAddress, tn.Address("pam-approvers")) && g.Name != "PAM Approvers 2" {
								return fmt.Errorf("the tenant's group is named %q", g.Name)
							}
						}
						return nil
					}),
				},
			},
		},
	})
}
