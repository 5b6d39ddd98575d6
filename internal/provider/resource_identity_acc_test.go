//go:build tf114

package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

func TestAccTF114_identityImport(t *testing.T) {
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		TerraformVersionChecks:   tf114Only,
		Steps: []resource.TestStep{
			{
				Config: tenantHCL(tn, "Manual"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(groupAddr, map[string]knownvalue.Check{"id": knownvalue.StringRegexp(guidPattern), "tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
					statecheck.ExpectIdentityValueMatchesState(groupAddr, tfjsonpath.New("id")),
					statecheck.ExpectIdentity(accessAddr, map[string]knownvalue.Check{"tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
					statecheck.ExpectIdentity(policyAddr, map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask), "tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
				},
			},
			// An import block with the identity each object has in state imports it with no change.
			{ResourceName: groupAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: policyAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			// Exchange does not report the default approver group, so the configured one is sent again.
			{ResourceName: accessAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity, ExpectNonEmptyPlan: true},
			// A change of approval type re-creates the policy under a new GUID; its identity, the task, stays.
			{
				Config: tenantHCL(tn, "Auto"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(policyAddr, tfjsonpath.New("approval_type"), knownvalue.StringExact("Auto")),
					statecheck.ExpectIdentity(policyAddr, map[string]knownvalue.Check{"task": knownvalue.StringExact(moveTask), "tenant_id": knownvalue.StringExact(tn.Server.TenantID())}),
				},
			},
		},
	})
}
