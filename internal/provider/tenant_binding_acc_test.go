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

// Issue 19, defect 1: a state written for tenant A and a provider then configured for tenant B
// (a CI variable mixed up) planned "No changes" and destroyed B's privileged access. Every
// resource records its tenant's GUID and is reached only through that tenant, so nothing of B is
// touched; here B's credential cannot sign in to A, and plan and destroy say so.
func TestAccTenantBinding_stateOfAnotherTenantIsRefused(t *testing.T) {
	tnA := acctest.NewTenant(t)
	tnB := acctest.NewOtherTenant(t)
	// No members: a plan in B must not fail on A's users for this test to show what it guards.
	resources := groupHCL(tnA) + accessHCL() + policyHCL("move", moveTask, "Manual")
	refused := errorMatching("Cannot reach tenant "+tnA.Server.TenantID(), "not read or changed",
		"provider's own tenant is "+tnB.Server.TenantID())
	tenantOf := func(id string) []statecheck.StateCheck {
		var checks []statecheck.StateCheck
		for _, addr := range []string{groupAddr, accessAddr, policyAddr} {
			checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(id)))
		}
		return checks
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tnA.ProviderConfig() + resources, ConfigStateChecks: tenantOf(tnA.Server.TenantID())},
			{
				// Tenant B has privileged access on, set up by its own admins.
				PreConfig:   func() { outOfBandPAM(t, tnB) },
				Config:      tnB.ProviderConfig() + resources,
				Destroy:     true,
				ExpectError: refused,
			},
			// Without a refresh, the plan itself refuses: the configuration names no tenant.
			{Config: tnB.ProviderConfig() + resources, PlanOnly: true, ExpectError: errorMatching(
				"belongs to tenant "+tnA.Server.TenantID(), "configured for tenant "+tnB.Server.TenantID(), "nothing was sent")},
			{
				PreConfig: func() {
					if !pamEnabled(t, tnB) || len(tnB.Server.Snapshot().Policies) != 2 {
						t.Fatal("tenant B was changed through a state of tenant A")
					}
				},
				Config:            tnA.ProviderConfig() + resources,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: tenantOf(tnA.Server.TenantID()),
			},
		},
	})
}

// Issue 19, defect 10: with tenant_id given as a domain, importing privileged access by the
// tenant's GUID was refused and state held the domain as the id. Both are accepted; state holds
// the GUID.
func TestAccTenantBinding_domainTenantIDStoresGUID(t *testing.T) {
	tn := acctest.NewTenant(t)
	guid := tn.Server.TenantID()
	config := tn.ProviderConfigWith(map[string]string{"tenant_id": tn.Domain()}) + groupHCL(tn, tn.Address("adele.vance")) + accessHCL()
	guidState := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("id"), knownvalue.StringExact(guid)),
		statecheck.ExpectKnownValue(accessAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(guid)),
		statecheck.ExpectKnownValue(groupAddr, tfjsonpath.New("tenant_id"), knownvalue.StringExact(guid)),
	}
	importAccess := func(id string) resource.TestStep {
		return resource.TestStep{
			Config: config, ResourceName: accessAddr, ImportState: true, ImportStateId: id,
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"default_approver_group", "timeouts"},
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: guidState},
			importAccess(guid),
			importAccess(tn.Domain()),
			{
				Config:             config,
				ResourceName:       accessAddr,
				ImportState:        true,
				ImportStateId:      "0a6d2e94-5c1b-4f3e-8d7a-9b2c4e6f8a10",
				ExpectError:        errorMatching("Cannot reach tenant 0a6d2e94-5c1b-4f3e-8d7a-9b2c4e6f8a10", "provider's own tenant is "+guid),
				ImportStatePersist: false,
			},
		},
	})
}

// Issue 19, defect 7: importing a policy by a GUID that names no policy ended in the framework's
// "Missing Resource Identity After Read". The import says the policy does not exist, with
// `terraform import` and with an import block; so do the other resources' imports.
func TestAccImport_unknownObjectSaysItDoesNotExist(t *testing.T) {
	tn := acctest.NewTenant(t)
	const unknown = "6f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b"
	config := tn.ProviderConfig() + groupHCL(tn, tn.Address("adele.vance")) + policyHCL("move", moveTask, "Manual")
	importStep := func(addr, id string, kind resource.ImportStateKind, want ...string) resource.TestStep {
		return resource.TestStep{
			Config: config, ResourceName: addr, ImportState: true, ImportStateId: id, ImportStateKind: kind,
			ExpectError: errorMatching(want...),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			importStep(policyAddr, unknown, resource.ImportCommandWithID, "No such approval policy", unknown),
			importStep(policyAddr, unknown, resource.ImportBlockWithID, "No such approval policy", unknown),
			importStep(policyAddr, `Exchange\Set-Mailbox`, resource.ImportCommandWithID, "No such approval policy", `Exchange\Set-Mailbox`),
			importStep(groupAddr, unknown, resource.ImportCommandWithID, "No such group", unknown),
			importStep(groupAddr, unknown, resource.ImportBlockWithID, "No such group", unknown),
		},
	})
}

// The exclusive policies resource removes policies: its state of tenant A must never be read or
// applied through tenant B, where B's policies would show as drift and go.
func TestAccTenantBinding_exclusivePoliciesOfAnotherTenantAreRefused(t *testing.T) {
	tnA := acctest.NewTenant(t)
	tnB := acctest.NewOtherTenant(t)
	exclusive := `
resource "o365pam_approval_policies_exclusive" "all" {
  tasks = ["Exchange\\New-MoveRequest"]
}
`
	refused := errorMatching("Cannot reach tenant "+tnA.Server.TenantID(), "provider's own tenant is "+tnB.Server.TenantID())
	var policiesOfB int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: tnA.ProviderConfig() + exclusive},
			{
				PreConfig: func() {
					outOfBandPAM(t, tnB)
					policiesOfB = len(tnB.Server.Snapshot().Policies)
				},
				Config:      tnB.ProviderConfig() + exclusive,
				ExpectError: refused,
			},
			{
				PreConfig: func() {
					if n := len(tnB.Server.Snapshot().Policies); n != policiesOfB || n == 0 {
						t.Fatalf("tenant B holds %d policies, had %d: it was changed through a state of tenant A", n, policiesOfB)
					}
				},
				Config:   tnA.ProviderConfig() + exclusive,
				PlanOnly: true,
			},
		},
	})
}
