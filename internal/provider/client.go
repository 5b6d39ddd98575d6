package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// tenantClient is what the provider hands to every resource and data source: the tenant layer,
// which alone reads and writes, plus what plans of this run have seen. Resources never see tokens
// or the service clients.
type tenantClient struct {
	tenant *pamtenant.Tenant
	// tenantID is the tenant's GUID; configuredTenant is the tenant as the configuration named it
	// (a GUID or a domain, or empty), which older states may hold.
	tenantID         string
	configuredTenant string
	organization     string
	plannedGroups    groupBook  // approver groups planned in this run, for the safety checks
	policies         policyBook // approval policies planned (and removed) in this run
}

func newTenantClient(ctx context.Context, s connect.Settings, version, terraformVersion string) (*tenantClient, error) {
	conn, err := connect.New(ctx, s, connect.Options{Version: version, TerraformVersion: terraformVersion, Log: debugLog})
	if err != nil {
		return nil, err
	}
	return &tenantClient{
		tenant: pamtenant.New(conn.Clients), tenantID: conn.TenantID, configuredTenant: s.Auth.TenantID,
		organization:  conn.Organization,
		plannedGroups: groupBook{groups: map[string]plannedGroup{}},
		policies:      newPolicyBook(),
	}, nil
}

// clientFrom recovers the tenantClient that Configure stored, or reports a provider bug. A nil
// ProviderData is normal early in the plan, before the provider is configured.
func clientFrom(data any, diags *diag.Diagnostics) *tenantClient {
	if data == nil {
		return nil
	}
	c, ok := data.(*tenantClient)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *tenantClient, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}
