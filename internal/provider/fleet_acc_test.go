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
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// fleetKey names tenant i of a fleet in configurations.
func fleetKey(i int) string { return fmt.Sprintf("t%d", i) }

// fleetBaselineHCL is the baseline of every tenant of a fleet (an approver group, privileged
// access and a policy), each object naming its tenant by tenant_id. provider, when set, is the
// expression choosing each instance's provider configuration (the aliases pattern). It counts
// rather than uses for_each: the test framework's state checks cannot address for_each keys.
func fleetBaselineHCL(fleet []*acctest.Tenant, provider string) string {
	var tenants strings.Builder
	for _, tn := range fleet {
		fmt.Fprintf(&tenants, "    { id = %q, domain = %q },\n", tn.TenantID(), tn.Domain())
	}
	meta := "tenant_id = local.tenants[count.index].id"
	if provider != "" {
		meta = "provider = " + provider
	}
	return fmt.Sprintf(`
locals {
  tenants = [
%s  ]
}

resource "o365pam_approver_group" "approvers" {
  count                = length(local.tenants)
  %[2]s
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@${local.tenants[count.index].domain}"
  members              = ["adele.vance@${local.tenants[count.index].domain}"]
}

resource "o365pam_privileged_access" "this" {
  count                  = length(local.tenants)
  %[2]s
  default_approver_group = o365pam_approver_group.approvers[count.index].primary_smtp_address
}

resource "o365pam_approval_policy" "move" {
  count          = length(local.tenants)
  %[2]s
  task           = "Exchange\\New-MoveRequest"
  approval_type  = "Manual"
  approver_group = o365pam_approver_group.approvers[count.index].primary_smtp_address
}
`, tenants.String(), meta)
}

// fleetInstance is the address of one tenant's instance of a resource of fleetBaselineHCL.
func fleetInstance(resourceAddr string, i int) string {
	return fmt.Sprintf("%s[%d]", resourceAddr, i)
}

// inEveryTenant checks that each tenant's instances record that tenant and that the tenant holds
// the baseline.
func inEveryTenant(t *testing.T, fleet []*acctest.Tenant) []statecheck.StateCheck {
	var checks []statecheck.StateCheck
	for i, tn := range fleet {
		for _, addr := range []string{groupAddr, accessAddr, policyAddr} {
			checks = append(checks, statecheck.ExpectKnownValue(fleetInstance(addr, i), tfjsonpath.New("tenant_id"),
				knownvalue.StringExact(tn.TenantID())))
		}
		checks = append(checks, baselineIn(t, tn))
	}
	return checks
}

// baselineIn is a state check that looks at the tenant itself: privileged access on and one
// policy, for the task the configuration names.
func baselineIn(t *testing.T, tn *acctest.Tenant) statecheck.StateCheck {
	return tenantCheck(t, "of "+tn.Domain(), func() error { return baselineOf(tn) })
}

func baselineOf(tn *acctest.Tenant) error {
	snap := tn.Hosted.Snapshot()
	if !snap.PAM.Enabled || len(snap.Policies) != 1 || !strings.EqualFold(snap.Policies[0].Task, moveTask) {
		return fmt.Errorf("tenant %s: privileged access on %v, %d policies; want on, one for %s",
			tn.Domain(), snap.PAM.Enabled, len(snap.Policies), moveTask)
	}
	return nil
}

// writesTo counts the cmdlets other than reads that a tenant answered since an earlier count.
func writesTo(tn *acctest.Tenant, since emulator.Stats) []string {
	var writes []string
	for cmdlet, n := range tn.Hosted.Stats().Sub(since).Cmdlets {
		if !strings.HasPrefix(cmdlet, "Get-") {
			writes = append(writes, fmt.Sprintf("%s x%d", cmdlet, n))
		}
	}
	return writes
}

// Issue 21: one provider configuration that names no tenant manages three tenants, each object
// naming its own. Drift made by hand in one tenant shows in the plan for that tenant alone, and the
// apply repairs it without writing to the others.
func TestAccFleet_perResourceTenant(t *testing.T) {
	fleet := acctest.NewFleet(t, 3)
	config := fleet[0].FleetProviderConfig("") + fleetBaselineHCL(fleet, "")
	var before [3]emulator.Stats
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: inEveryTenant(t, fleet)},
			{
				PreConfig: func() {
					fleet[1].Exchange(t, "Disable-ElevatedAccessControl", nil)
					for i, tn := range fleet {
						before[i] = tn.Hosted.Stats()
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(fleetInstance(accessAddr, 1), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(fleetInstance(accessAddr, 0), plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(fleetInstance(accessAddr, 2), plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(fleetInstance(policyAddr, 1), plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: inEveryTenant(t, fleet),
			},
			{
				PreConfig: func() {
					for _, i := range []int{0, 2} {
						if writes := writesTo(fleet[i], before[i]); len(writes) > 0 {
							t.Fatalf("repairing tenant %s wrote to tenant %s: %v", fleet[1].Domain(), fleet[i].Domain(), writes)
						}
					}
					if writes := writesTo(fleet[1], before[1]); len(writes) == 0 {
						t.Fatal("the repair wrote nothing to the tenant that drifted")
					}
				},
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// Issue 21: the same baseline through one provider configuration per tenant (aliases), the way
// Terraform users without per-resource tenants manage a fleet. Run by the CLI with a built
// provider: the test framework's in-process provider would serve every alias with the settings of
// the last one configured.
func TestAccFleet_aliasPerTenant(t *testing.T) {
	fleet := acctest.NewFleet(t, 3)
	config := cliProvider
	for i, tn := range fleet {
		config += tn.ProviderConfigWith(map[string]string{"alias": fleetKey(i)})
		// An alias is chosen statically, so each tenant has its own blocks.
		one := strings.NewReplacer("local.tenants", "local.tenants_"+fleetKey(i), "tenants = [", "tenants_"+fleetKey(i)+" = [",
			`"approvers"`, `"approvers_`+fleetKey(i)+`"`, "approvers[count.index]", "approvers_"+fleetKey(i)+"[count.index]",
			`"this"`, `"this_`+fleetKey(i)+`"`, `"move"`, `"move_`+fleetKey(i)+`"`,
		).Replace(fleetBaselineHCL(fleet[i:i+1], "o365pam."+fleetKey(i)))
		config += one
	}
	ws := newCLIWorkspace(t, config, tenantEnv(fleet[0])...)
	ws.mustRun("apply", "-auto-approve")
	for _, tn := range fleet {
		if err := baselineOf(tn); err != nil {
			t.Fatal(err)
		}
	}
	if out, code := ws.run("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("the plan after the apply exited %d, want 0 (no changes):\n%s", code, out)
	}
	state := ws.mustRun("state", "show", "o365pam_approval_policy.move_t2[0]")
	if !strings.Contains(state, fleet[2].TenantID()) {
		t.Fatalf("the policy of the third alias does not record tenant %s:\n%s", fleet[2].TenantID(), state)
	}
}

// Issue 21: objects that name no tenant_id live in the provider's tenant, and stay there. Pointed
// at another tenant, the provider refuses to plan them; naming their tenant keeps managing them
// there, and a destroy removes them from their own tenant, never from the provider's.
func TestAccTenantBinding_unsetTenantIDKeepsObjectsInTheirTenant(t *testing.T) {
	fleet := acctest.NewFleet(t, 2)
	home, other := fleet[0], fleet[1]
	resources := groupHCL(home, home.Address("adele.vance")) + accessHCL() + policyHCL("move", moveTask, "Manual")
	pinned := strings.ReplaceAll(resources, "resource \"o365pam_approver_group\" \"approvers\" {",
		"resource \"o365pam_approver_group\" \"approvers\" {\n  tenant_id = \""+home.TenantID()+"\"")
	pinned = strings.ReplaceAll(pinned, "resource \"o365pam_privileged_access\" \"this\" {",
		"resource \"o365pam_privileged_access\" \"this\" {\n  tenant_id = \""+home.TenantID()+"\"")
	pinned = strings.ReplaceAll(pinned, "resource \"o365pam_approval_policy\" \"move\" {",
		"resource \"o365pam_approval_policy\" \"move\" {\n  tenant_id = \""+home.TenantID()+"\"")
	var otherBefore emulator.Stats
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: home.ProviderConfig() + resources},
			{
				PreConfig:   func() { otherBefore = other.Hosted.Stats() },
				Config:      other.ProviderConfig() + resources,
				PlanOnly:    true,
				ExpectError: errorMatching("Object belongs to another tenant", "belongs to tenant "+home.TenantID(), "set tenant_id"),
			},
			{
				Config:           other.ProviderConfig() + pinned,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:  other.ProviderConfig() + pinned,
				Destroy: true,
				Check: func(*terraform.State) error {
					if snap := home.Hosted.Snapshot(); snap.PAM.Enabled || len(snap.Policies) != 0 {
						return fmt.Errorf("the destroy left privileged access on %v and %d policies in %s", snap.PAM.Enabled, len(snap.Policies), home.Domain())
					}
					if writes := writesTo(other, otherBefore); len(writes) > 0 {
						return fmt.Errorf("the provider's tenant %s was written to: %v", other.Domain(), writes)
					}
					return nil
				},
			},
		},
	})
}

// Issue 21: import ids may name the tenant: "<tenant GUID>/<id>". The test framework cannot import
// into a for_each instance, so the objects here are single resources naming another tenant than
// the provider's.
func TestAccFleet_importIDsNameTheTenant(t *testing.T) {
	fleet := acctest.NewFleet(t, 2)
	other := fleet[1]
	config := fleet[0].ProviderConfig() + strings.ReplaceAll(groupHCL(other, other.Address("adele.vance"))+policyHCL("move", moveTask, "Manual"),
		"  name ", fmt.Sprintf("  tenant_id            = %q\n  name ", other.TenantID()))
	config = strings.ReplaceAll(config, "  task ", fmt.Sprintf("  tenant_id      = %q\n  task ", other.TenantID()))
	importStep := func(addr, id string) resource.TestStep {
		return resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateId: id,
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(other.TenantID())),
				tenantCheck(t, "of "+other.Domain(), func() error {
					if n := len(fleet[0].Hosted.Snapshot().Policies); n != 0 {
						return fmt.Errorf("the provider's own tenant got %d policies", n)
					}
					return nil
				}),
			}},
			importStep(policyAddr, other.TenantID()+"/"+moveTask),
			importStep(groupAddr, other.TenantID()+"/"+other.Address("pam-approvers")),
		},
	})
}

// Issue 21: a tenant that cannot be signed in to fails its own objects with one error for the
// tenant, however many objects it has, and the other tenants' objects are still planned. The
// objects name their group by address, so that none waits for another and each is planned.
func TestAccFleet_unreachableTenantIsOneError(t *testing.T) {
	fleet := acctest.NewFleet(t, 2)
	const gone = "5d0c7e4a-3b2f-4e1d-9c8b-7a6f5e4d3c2b" // no tenant of the emulator
	objects := func(tenant, domain, suffix string) string {
		return fmt.Sprintf(`
resource "o365pam_approver_group" "approvers_%[3]s" {
  tenant_id            = %[1]q
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@%[2]s"
}

resource "o365pam_privileged_access" "this_%[3]s" {
  tenant_id              = %[1]q
  default_approver_group = "pam-approvers@%[2]s"
}

resource "o365pam_approval_policy" "move_%[3]s" {
  tenant_id      = %[1]q
  task           = "Exchange\\New-MoveRequest"
  approval_type  = "Manual"
  approver_group = "pam-approvers@%[2]s"
}
`, tenant, domain, suffix)
	}
	config := cliProvider + objects(fleet[1].TenantID(), fleet[1].Domain(), "ok") + objects(gone, "gone.onmicrosoft.com", "gone")
	ws := newCLIWorkspace(t, config, tenantEnv(fleet[0])...)
	out, code := ws.run("plan")
	if code != 1 {
		t.Fatalf("plan exited %d, want 1:\n%s", code, out)
	}
	if n := strings.Count(out, "Error: "); n != 1 || !strings.Contains(out, "Error: Cannot reach tenant "+gone) {
		t.Fatalf("want exactly one error, for tenant %s; got %d:\n%s", gone, n, out)
	}
	for _, planned := range []string{"o365pam_approver_group.approvers_ok", "o365pam_privileged_access.this_ok", "o365pam_approval_policy.move_ok"} {
		if !strings.Contains(out, "# "+planned+" will be created") {
			t.Errorf("the plan does not show %s, an object of the reachable tenant:\n%s", planned, out)
		}
	}
}

// Issue 21: the safety checks count per tenant. The first tenant holds 29 policies: one more there
// is allowed while the second tenant gets one too (counted together they would pass the limit of
// 30), and a second one there is refused.
func TestAccFleet_policyLimitIsPerTenant(t *testing.T) {
	seed := emulator.BuiltinTenant()
	withOldPolicies(29)(seed)
	fleet := acctest.NewFleetWith(t, 2, emulator.Options{Seed: seed})
	policy := func(name string, tn *acctest.Tenant, task string) string {
		return fmt.Sprintf(`
resource "o365pam_approval_policy" %q {
  tenant_id      = %q
  task           = %q
  approval_type  = "Manual"
  approver_group = %q
}
`, name, tn.TenantID(), task, tn.Address("other-approvers"))
	}
	config := fleet[0].FleetProviderConfig("") + policy("full", fleet[0], moveTask) + policy("other", fleet[1], moveTask)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { outOfBandGroup(t, fleet[1]) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{tenantCheck(t, "of both tenants", func() error {
					if a, b := len(fleet[0].Hosted.Snapshot().Policies), len(fleet[1].Hosted.Snapshot().Policies); a != 30 || b != 1 {
						return fmt.Errorf("the tenants hold %d and %d policies, want 30 and 1", a, b)
					}
					return nil
				})},
			},
			{
				Config:      config + policy("over", fleet[0], setMailboxTask),
				ExpectError: errorMatching("Approval policy limit reached", "would then hold 31 approval policies"),
			},
		},
	})
}
