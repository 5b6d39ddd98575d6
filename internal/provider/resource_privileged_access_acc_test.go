package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

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

// removedRecipe is the documented way to stop managing privileged access while leaving it on: the
// test applies the text the resource's page shows.
func removedRecipe(t *testing.T) string {
	raw, err := os.ReadFile("../../templates/resources/privileged_access.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```terraform\n(removed \\{.*?)```").FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatal("the privileged_access page shows no removed block")
	}
	return m[1]
}

// expectForget checks that the plan forgets the resource rather than destroying it.
type expectForget string

func (addr expectForget) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == string(addr) {
			if !rc.Change.Actions.Forget() {
				resp.Error = fmt.Errorf("%s: planned %v, want forget", addr, rc.Change.Actions)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the plan", addr)
}

func TestAccPrivilegedAccess_removedLeavesItOn(t *testing.T) {
	tn := acctest.NewTenant(t)
	stillOn := func(*terraform.State) error {
		if !pamEnabled(t, tn) {
			return fmt.Errorf("privileged access was turned off")
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		CheckDestroy:             stillOn,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance"), tn.Address("alex.wilber")) + accessHCL(),
				Check:  stillOn,
			},
			// The approver group is the default approver group, which Exchange does not let go while
			// privileged access is on: it is kept the same way.
			{
				Config: tn.ProviderConfig() + removedRecipe(t) + `
removed {
  from = o365pam_approver_group.approvers

  lifecycle {
    destroy = false
  }
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectForget(accessAddr), expectForget("o365pam_approver_group.approvers")},
				},
				Check: resource.ComposeTestCheckFunc(stillOn, func(s *terraform.State) error {
					if _, kept := s.RootModule().Resources[accessAddr]; kept {
						return fmt.Errorf("%s is still in state", accessAddr)
					}
					return nil
				}),
			},
		},
	})
}
