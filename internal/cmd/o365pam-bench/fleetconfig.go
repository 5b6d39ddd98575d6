package main

import (
	"fmt"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The two ways one configuration reaches many tenants.
const (
	// modePerResource: one provider block without a tenant; every object sets tenant_id.
	modePerResource = "per-resource"
	// modeForEach: OpenTofu's provider for_each, one provider instance (and process) per tenant.
	modeForEach = "for-each"
)

// The baseline every tenant gets: an approver group of two people who exist in every emulated
// tenant, privileged access with that group as the default approvers, and policies for real
// Exchange cmdlets (known to the provider, so it warns of none).
var (
	baselineApprovers = []string{"adele.vance", "alex.wilber"}
	baselineTasks     = []string{`Exchange\New-MoveRequest`, `Exchange\New-JournalRule`, `Exchange\New-TransportRule`}
)

// resourcesPerTenant is the baseline's object count: the group, privileged access, the policies.
var resourcesPerTenant = 2 + len(baselineTasks)

// fleetTenant is one tenant of the configuration: its key in the tenants map, its GUID and its
// initial domain.
type fleetTenant struct {
	key, tenantID, organization string
}

// fleetTenants keys the emulator's tenants by the first label of their initial domain
// ("contoso", "fleet0001", ...).
func fleetTenants(entries []emulator.FleetEntry) []fleetTenant {
	out := make([]fleetTenant, len(entries))
	for i, e := range entries {
		key, _, _ := strings.Cut(e.Organization, ".")
		out[i] = fleetTenant{key: key, tenantID: e.TenantID, organization: e.Organization}
	}
	return out
}

// fleetConnection is what every provider block names: the multi-tenant app and the emulator's
// endpoints. The app's secret is not written: the CLI's environment carries it.
type fleetConnection struct {
	clientID, authorityHost, graphEndpoint, exchangeEndpoint string
}

// fleetRootConfig is the root module: the tenants, the provider block(s) of mode, and the baseline
// module once per tenant.
func fleetRootConfig(mode string, conn fleetConnection, tenants []fleetTenant) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

locals {
  tenants = {
`)
	for _, t := range tenants {
		fmt.Fprintf(&b, "    %s = { tenant_id = %q, organization = %q }\n", t.key, t.tenantID, t.organization)
	}
	b.WriteString("  }\n}\n\n")

	settings := fmt.Sprintf(`  client_id         = %q
  authority_host    = %q
  graph_endpoint    = %q
  exchange_endpoint = %q
  use_cli           = false
`, conn.clientID, conn.authorityHost, conn.graphEndpoint, conn.exchangeEndpoint)
	module := `module "pam" {
  source       = "./baseline"
  for_each     = local.tenants
  tenant_id    = each.value.tenant_id
  organization = each.value.organization
`
	if mode == modeForEach {
		b.WriteString("provider \"o365pam\" {\n  alias        = \"tenant\"\n  for_each     = local.tenants\n" +
			"  tenant_id    = each.value.tenant_id\n  organization = each.value.organization\n" + settings + "}\n\n")
		b.WriteString(module + "  providers    = { o365pam = o365pam.tenant[each.key] }\n}\n")
	} else {
		b.WriteString("# One provider for every tenant: each object names its own.\nprovider \"o365pam\" {\n" + settings + "}\n\n")
		b.WriteString(module + "}\n")
	}
	return b.String()
}

// baselineModule is the module applied to each tenant. In per-resource mode every object names
// the tenant; in for-each mode the provider instance it is given does.
func baselineModule(mode string) string {
	tenant := ""
	if mode == modePerResource {
		tenant = "  tenant_id      = var.tenant_id\n"
	}
	members := make([]string, len(baselineApprovers))
	for i, alias := range baselineApprovers {
		members[i] = fmt.Sprintf(`"%s@${var.organization}"`, alias)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    o365pam = { source = "zerostanding/o365pam" }
  }
}

variable "tenant_id" {
  type = string
}

variable "organization" {
  type = string
}

resource "o365pam_approver_group" "approvers" {
%s  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@${var.organization}"
  members              = [%s]
}

resource "o365pam_privileged_access" "this" {
%s  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
}
`, tenant, strings.Join(members, ", "), tenant)
	for i, task := range baselineTasks {
		fmt.Fprintf(&b, `
resource "o365pam_approval_policy" "p%d" {
%s  task           = %q
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
  depends_on     = [o365pam_privileged_access.this]
}
`, i, tenant, task)
	}
	return b.String()
}
