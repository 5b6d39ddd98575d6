package provider_test

import (
	"fmt"
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

const accessAddr = "o365pam_privileged_access.this"

func accessHCL(systemAccounts ...string) string {
	accounts := ""
	if len(systemAccounts) > 0 {
		accounts = "system_accounts        = " + hclList(systemAccounts)
	}
	return fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  %s
}
`, accounts)
}

// pamEnabled reads Get-OrganizationConfig as another admin would. The property's type is not
// known for sure, so any spelling of "on" counts.
func pamEnabled(t *testing.T, tn *acctest.Tenant) bool {
	org := tn.Exchange(t, "Get-OrganizationConfig", nil)
	if len(org) != 1 {
		t.Fatalf("Get-OrganizationConfig answered %d objects", len(org))
	}
	v := strings.ToLower(fmt.Sprint(org[0]["ElevatedAccessControl"]))
	return v == "true" || strings.HasPrefix(v, "enabled")
}

func TestAccPrivilegedAccess_lifecycle(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if pamEnabled(t, tn) {
				return fmt.Errorf("privileged access is still enabled after destroy")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: base + accessHCL(tn.Address("svc-sync")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("id"), knownvalue.StringExact(tn.Server.TenantID())),
					statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("system_accounts"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(tn.Address("svc-sync"))})),
				},
				Check: func(*terraform.State) error {
					if !pamEnabled(t, tn) {
						return fmt.Errorf("privileged access is not enabled in the tenant")
					}
					return nil
				},
			},
			// The service does not report the approver group or system accounts, so import cannot
			// verify them.
			{
				ResourceName: accessAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"timeouts", "default_approver_group", "system_accounts"},
			},
			// Changing the system accounts is an in-place update.
			{
				Config: base + accessHCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(accessAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("system_accounts"), knownvalue.Null()),
					statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
				},
			},
			// Turned off by hand: the plan turns it on again.
			{
				PreConfig: func() { tn.Exchange(t, "Disable-ElevatedAccessControl", nil) },
				Config:    base + accessHCL(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(accessAddr, plancheck.ResourceActionCreate)},
				},
				Check: func(*terraform.State) error {
					if !pamEnabled(t, tn) {
						return fmt.Errorf("privileged access was not turned back on")
					}
					return nil
				},
			},
		},
	})
}

func TestAccPrivilegedAccess_alreadyEnabled(t *testing.T) {
	tn := acctest.NewTenant(t)
	base := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: base},
			{
				PreConfig: func() {
					tn.Exchange(t, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": outOfBandGroup(t, tn)})
				},
				Config: base + accessHCL(),
				ExpectError: errorMatching("Privileged access is already enabled", "import {",
					"to = o365pam_privileged_access.", `id = "`+tn.Server.TenantID()+`"`),
			},
		},
	})
}
