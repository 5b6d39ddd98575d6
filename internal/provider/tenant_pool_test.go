package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// unreachablePool is a pool whose settings name no tenant and whose sign-in host refuses
// connections, so that every tenant fails to sign in at once.
func unreachablePool(t *testing.T) *tenantPool {
	t.Helper()
	env := map[string]string{
		"O365PAM_CLIENT_ID": "3b9f5e2c-6a1d-4f7e-8c0b-5d2a7e9f1c46", "O365PAM_CLIENT_SECRET": "not-a-secret",
		"O365PAM_AUTHORITY_HOST": "https://127.0.0.1:1", "O365PAM_GRAPH_ENDPOINT": "https://127.0.0.1:1",
		"O365PAM_EXCHANGE_ENDPOINT": "https://127.0.0.1:1",
	}
	s, problems := connect.Resolve(connect.Inputs{}, func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	if len(problems) > 0 {
		t.Fatalf("settings: %v", problems)
	}
	p, err := newTenantPool(context.Background(), s, "test", "")
	if err != nil {
		t.Fatalf("a pool whose settings name no tenant should start without signing in: %v", err)
	}
	if p.home != nil {
		t.Fatalf("the pool has a tenant of its own: %s", p.home.tenantID)
	}
	return p
}

// A fleet's plan reports a tenant that cannot be reached on one of its objects, not on each;
// applies, imports and data sources report it on every object they cannot do.
func TestUnreachableTenantIsReportedOncePerRefresh(t *testing.T) {
	p := unreachablePool(t)
	ctx := context.Background()
	const a, b = "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-8999-000000000000"
	count := func(reach func(tenant string, diags *diag.Diagnostics) *tenantClient, tenants ...string) map[string]int {
		errs := map[string]int{}
		for _, tenant := range tenants {
			var diags diag.Diagnostics
			if c := reach(tenant, &diags); c != nil {
				t.Fatalf("tenant %s was reached", tenant)
			}
			for _, d := range diags.Errors() {
				if !strings.Contains(d.Summary(), "Cannot reach tenant "+tenant) || !strings.Contains(d.Detail(), "127.0.0.1:1") {
					t.Errorf("error %q: %s; want the tenant named and the sign-in error kept", d.Summary(), d.Detail())
				}
				errs[tenant]++
			}
		}
		return errs
	}
	refresh := func(tenant string, diags *diag.Diagnostics) *tenantClient {
		return p.tenantToRefresh(ctx, "o365pam_approver_group \"x\"", types.StringValue(tenant), diags)
	}
	if got := count(refresh, a, a, b, a, b); got[a] != 1 || got[b] != 1 {
		t.Errorf("refreshes reported %v errors; want one per tenant", got)
	}
	apply := func(tenant string, diags *diag.Diagnostics) *tenantClient {
		return p.tenantOf(ctx, "o365pam_approver_group \"x\"", types.StringValue(tenant), diags)
	}
	if got := count(apply, a, a); got[a] != 2 {
		t.Errorf("applies reported %v errors; want one per object", got)
	}
}

// Settings that name no tenant leave every object to name its own; one that names none fails
// with what to set.
func TestObjectWithoutTenantNeedsOne(t *testing.T) {
	p := unreachablePool(t)
	var diags diag.Diagnostics
	if c := p.tenantOf(context.Background(), "o365pam_privileged_access", types.StringNull(), &diags); c != nil || !diags.HasError() {
		t.Fatalf("an object without a tenant was reached (%v)", diags)
	}
	if got := diags.Errors()[0]; got.Summary() != "No tenant for this object" || !strings.Contains(got.Detail(), "Set tenant_id on it") {
		t.Errorf("got %q: %s", got.Summary(), got.Detail())
	}
}

func TestSplitTenantPrefix(t *testing.T) {
	for id, want := range map[string][2]string{
		"7f3c2a51-8d4e-4b0a-9c61-2e5f8a9d0b13/Exchange\\New-MoveRequest": {"7f3c2a51-8d4e-4b0a-9c61-2e5f8a9d0b13", "Exchange\\New-MoveRequest"},
		"7F3C2A51-8D4E-4B0A-9C61-2E5F8A9D0B13/pam@contoso.com":           {"7f3c2a51-8d4e-4b0a-9c61-2e5f8a9d0b13", "pam@contoso.com"},
		"pam@contoso.com":           {"", "pam@contoso.com"},
		"not-a-guid/pam@contoso":    {"", "not-a-guid/pam@contoso"},
		"Exchange\\New-MoveRequest": {"", "Exchange\\New-MoveRequest"},
	} {
		tenant, key := splitTenantPrefix(id)
		if tenant.ValueString() != want[0] || key != want[1] {
			t.Errorf("splitTenantPrefix(%q) = %q, %q; want %q, %q", id, tenant.ValueString(), key, want[0], want[1])
		}
	}
}
