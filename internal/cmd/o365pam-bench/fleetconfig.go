package main

import (
	"fmt"
	"slices"
	"strconv"
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
	b.WriteString(requireO365pam + `
locals {
  tenants = {
`)
	for _, t := range tenants {
		fmt.Fprintf(&b, "    %s = { tenant_id = %q, organization = %q }\n", t.key, t.tenantID, t.organization)
	}
	b.WriteString("  }\n}\n\n")

	settings := [][2]string{{"client_id", strconv.Quote(conn.clientID)}, {"authority_host", strconv.Quote(conn.authorityHost)},
		{"graph_endpoint", strconv.Quote(conn.graphEndpoint)}, {"exchange_endpoint", strconv.Quote(conn.exchangeEndpoint)},
		{"use_cli", "false"}}
	module := [][2]string{{"source", `"./baseline"`}, {"for_each", "local.tenants"},
		{"tenant_id", "each.value.tenant_id"}, {"organization", "each.value.organization"}}
	if mode == modeForEach {
		settings = append([][2]string{{"alias", `"tenant"`}, {"for_each", "local.tenants"},
			{"tenant_id", "each.value.tenant_id"}, {"organization", "each.value.organization"}}, settings...)
		module = append(module, [2]string{"providers", "{ o365pam = o365pam.tenant[each.key] }"})
	} else {
		b.WriteString("# One provider for every tenant: each object names its own.\n")
	}
	writeBlock(&b, `provider "o365pam"`, settings)
	b.WriteString("\n")
	writeBlock(&b, `module "pam"`, module)
	return b.String()
}

// writeBlock writes a block of name = value arguments, aligned.
func writeBlock(b *strings.Builder, header string, args [][2]string) {
	width := 0
	for _, a := range args {
		width = max(width, len(a[0]))
	}
	b.WriteString(header + " {\n")
	for _, a := range args {
		fmt.Fprintf(b, "  %-*s = %s\n", width, a[0], a[1])
	}
	b.WriteString("}\n")
}

// baselineModule is the module applied to each tenant. In per-resource mode every object names
// the tenant; in for-each mode the provider instance it is given does.
func baselineModule(mode string) string {
	var tenant [][2]string
	if mode == modePerResource {
		tenant = [][2]string{{"tenant_id", "var.tenant_id"}}
	}
	members := make([]string, len(baselineApprovers))
	for i, alias := range baselineApprovers {
		members[i] = fmt.Sprintf(`"%s@${var.organization}"`, alias)
	}
	var b strings.Builder
	b.WriteString(requireO365pam + `
variable "tenant_id" {
  type = string
}

variable "organization" {
  type = string
}

`)
	group := "o365pam_approver_group.approvers.primary_smtp_address"
	writeBlock(&b, `resource "o365pam_approver_group" "approvers"`, append(slices.Clone(tenant),
		[2]string{"name", `"PAM Approvers"`}, [2]string{"primary_smtp_address", `"pam-approvers@${var.organization}"`},
		[2]string{"members", "[" + strings.Join(members, ", ") + "]"}))
	b.WriteString("\n")
	writeBlock(&b, `resource "o365pam_privileged_access" "this"`, append(slices.Clone(tenant),
		[2]string{"default_approver_group", group}))
	for i, task := range baselineTasks {
		b.WriteString("\n")
		writeBlock(&b, fmt.Sprintf(`resource "o365pam_approval_policy" "p%d"`, i), append(slices.Clone(tenant),
			[2]string{"task", strconv.Quote(task)}, [2]string{"approver_group", group},
			[2]string{"depends_on", "[o365pam_privileged_access.this]"}))
	}
	return b.String()
}
