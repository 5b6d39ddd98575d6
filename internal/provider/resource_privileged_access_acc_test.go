package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// enableOutOfBand turns privileged access on as another admin would, with svc-sync as a system
// account, and returns the default approver group's address.
func enableOutOfBand(t *testing.T, tn *acctest.Tenant) string {
	group := outOfBandGroup(t, tn)
	tn.Exchange(t, "Enable-ElevatedAccessControl", map[string]any{
		"AdminGroup": group, "SystemAccounts": []string{tn.Address("svc-sync")},
	})
	return group
}

// systemAccounts lists the UPNs of the tenant's system accounts, as the emulator holds them.
func systemAccounts(tn *acctest.Tenant) []string {
	snap := tn.Server.Snapshot()
	var out []string
	for _, id := range snap.PAM.SystemAccounts {
		for _, u := range snap.Users {
			if strings.EqualFold(u.ID, id) {
				out = append(out, u.UserPrincipalName)
			}
		}
	}
	return out
}

func importAccessHCL(tn *acctest.Tenant) string {
	return fmt.Sprintf(`
import {
  to = o365pam_privileged_access.this
  id = %q
}
`, tn.Server.TenantID())
}

// Exchange does not report the system accounts in place, so after an import the first apply sends
// them blind: the plan must say which values it sends, and the accounts listed must stay.
func TestAccPrivilegedAccess_importKeepsSystemAccounts(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := enableOutOfBand(t, tn)
	resourceHCL := func(accounts string) string {
		return fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
  %s
}
`, group, accounts)
	}
	ws := newCLIWorkspace(t, cliProvider+importAccessHCL(tn)+resourceHCL(""), tenantEnv(tn)...)

	// system_accounts left out: the plan says the apply removes every system account.
	out, code := ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("plan exited %d, want 2 (changes):\n%s", code, out)
	}
	for _, want := range []string{
		"Warning: Current default approver group unknown", "sends\ndefault_approver_group = " + group,
		"Warning: Applying removes every system account", "applying sends no system accounts",
	} {
		if !strings.Contains(unwrap(out), unwrap(want)) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}

	// Listed: the plan names the list it sends, and the apply keeps the account.
	writeFile(t, filepath.Join(ws.dir, "main.tf"), cliProvider+importAccessHCL(tn)+
		resourceHCL(fmt.Sprintf("system_accounts = [%q]", tn.Address("svc-sync"))))
	out = ws.mustRun("apply", "-input=false", "-auto-approve")
	if want := "Applying sends system_accounts = [" + tn.Address("svc-sync") + "]"; !strings.Contains(unwrap(out), unwrap(want)) {
		t.Errorf("the apply does not say %q:\n%s", want, out)
	}
	if got := systemAccounts(tn); len(got) != 1 || !strings.EqualFold(got[0], tn.Address("svc-sync")) {
		t.Fatalf("system accounts after the apply = %v, want [%s]", got, tn.Address("svc-sync"))
	}
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after the apply exited %d, want 0:\n%s", code, out)
	}
}

// -generate-config-out writes what the import read; that configuration must plan.
func TestAccPrivilegedAccess_generatedConfigPlans(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	enableOutOfBand(t, tn)
	ws := newCLIWorkspace(t, cliProvider+importAccessHCL(tn), tenantEnv(tn)...)

	out, code := ws.run("plan", "-input=false", "-generate-config-out=generated.tf")
	if code != 0 {
		t.Fatalf("plan -generate-config-out exited %d:\n%s", code, out)
	}
	generated, err := os.ReadFile(filepath.Join(ws.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	out, code = ws.run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("plan with the generated configuration exited %d, want an import and nothing else:\n%s\n\ngenerated.tf:\n%s",
			code, out, generated)
	}
	ws.mustRun("apply", "-input=false", "-auto-approve")
	if out, code := ws.run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after importing exited %d, want 0:\n%s", code, out)
	}
	if got := systemAccounts(tn); len(got) != 1 {
		t.Fatalf("system accounts after importing with the generated configuration = %v, want svc-sync kept", got)
	}
}

// Destroying the resource when privileged access is off already (here: turned off after the last
// refresh) succeeds, like removing any object that is gone.
func TestAccPrivilegedAccess_destroyWhenAlreadyOff(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	group := outOfBandGroup(t, tn)
	ws := newCLIWorkspace(t, cliProvider+fmt.Sprintf(`
resource "o365pam_privileged_access" "this" {
  default_approver_group = %q
}
`, group), tenantEnv(tn)...)
	ws.mustRun("apply", "-input=false", "-auto-approve")
	tn.Exchange(t, "Disable-ElevatedAccessControl", nil)
	ws.mustRun("destroy", "-input=false", "-auto-approve", "-refresh=false")
	if out := ws.mustRun("state", "list"); strings.TrimSpace(out) != "" {
		t.Fatalf("state after destroy still lists:\n%s", out)
	}
}
