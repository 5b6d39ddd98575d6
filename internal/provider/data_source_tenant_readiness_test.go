package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

func TestTenantReadiness(t *testing.T) {
	e5 := pamtenant.Sku{SkuPartNumber: "SPE_E5", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE", "PAM_ENTERPRISE"}}
	e3 := pamtenant.Sku{SkuPartNumber: "SPE_E3", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE"}}
	app := pamtenant.RoleHolding{Caller: "app-id", App: true, Known: true, Held: true}
	ready := pamtenant.Readiness{
		PrivilegedAccess: pamtenant.PrivilegedAccessStatus{Enabled: true},
		Policies:         3,
		Subscribed:       []pamtenant.Sku{e3, e5},
		Role:             app,
	}
	forbidden := &apierr.Error{Service: "Exchange Online", Operation: "Get-ElevatedAccessApprovalPolicy",
		Kind: apierr.KindForbidden, Message: "forbidden", RequestID: "req-1"}

	cases := map[string]struct {
		change func(*pamtenant.Readiness)
		check  func(t *testing.T, m tenantReadinessModel)
		// problems are phrases each problem must hold, one entry per problem, in order.
		problems [][]string
	}{
		"ready": {
			check: func(t *testing.T, m tenantReadinessModel) {
				wantBool(t, "privileged_access_enabled", m.PrivilegedAccessEnabled, true)
				wantBool(t, "licensed", m.Licensed, true)
				wantBool(t, "role_management", m.RoleManagement, true)
				if got := m.Licences.String(); got != `["SPE_E5"]` {
					t.Errorf("licences = %s, want only the subscription that includes PAM", got)
				}
				if m.ApprovalPolicies.ValueInt64() != 3 || m.ApprovalPolicyLimit.ValueInt64() != 30 {
					t.Errorf("approval_policies %s of %s, want 3 of 30", m.ApprovalPolicies, m.ApprovalPolicyLimit)
				}
				if m.TenantID.ValueString() != "tenant-1" || m.Organization.ValueString() != "contoso.onmicrosoft.com" {
					t.Errorf("tenant %s %s", m.TenantID, m.Organization)
				}
			},
		},
		// The baseline turns privileged access on, so off is no problem.
		"privileged access off": {
			change: func(r *pamtenant.Readiness) { r.PrivilegedAccess.Enabled = false },
			check: func(t *testing.T, m tenantReadinessModel) {
				wantBool(t, "privileged_access_enabled", m.PrivilegedAccessEnabled, false)
			},
		},
		"no subscription includes PAM": {
			change: func(r *pamtenant.Readiness) { r.Subscribed = []pamtenant.Sku{e3} },
			check: func(t *testing.T, m tenantReadinessModel) {
				wantBool(t, "licensed", m.Licensed, false)
				if m.Licences.IsNull() || len(m.Licences.Elements()) != 0 {
					t.Errorf("licences = %s, want an empty set", m.Licences)
				}
			},
			problems: [][]string{{"No subscription", "includes privileged access management", "it has: SPE_E3", "Subscribe"}},
		},
		"one below the policy limit": {
			change: func(r *pamtenant.Readiness) { r.Policies = 29 },
		},
		"at the policy limit": {
			change:   func(r *pamtenant.Readiness) { r.Policies = 30 },
			problems: [][]string{{"holds 30 approval policies", "(30)", "no policy can be added", "Remove policies"}},
		},
		"an app without the rights": {
			change: func(r *pamtenant.Readiness) { r.Role.Held = false },
			check: func(t *testing.T, m tenantReadinessModel) {
				wantBool(t, "role_management", m.RoleManagement, false)
			},
			problems: [][]string{{"The app app-id holds neither", "Exchange Administrator", "Assign the app"}},
		},
		"a user without the rights": {
			change:   func(r *pamtenant.Readiness) { r.Role = pamtenant.RoleHolding{Caller: "adele@contoso.com", Known: true} },
			problems: [][]string{{"adele@contoso.com does not hold the Exchange role Role Management", "Organization Management"}},
		},
		"an app whose rights cannot be told": {
			change: func(r *pamtenant.Readiness) { r.Role = pamtenant.RoleHolding{Caller: "app-id", App: true} },
			check: func(t *testing.T, m tenantReadinessModel) {
				if !m.RoleManagement.IsNull() {
					t.Errorf("role_management = %s, want null when it cannot be told", m.RoleManagement)
				}
			},
			problems: [][]string{{"app app-id", "cannot be told", "lists no Entra roles", "Exchange Administrator"}},
		},
		// Each part that cannot be read is null and a problem with the service's answer; the rest
		// is still read and checked.
		"nothing readable": {
			change: func(r *pamtenant.Readiness) {
				// A service message that ends a sentence gets no second period.
				r.PrivilegedAccessErr = &apierr.Error{Service: "Exchange Online", Operation: "Get-OrganizationConfig", Message: "boom."}
				r.SubscribedErr, r.PoliciesErr, r.RoleErr = errors.New("boom"), forbidden, errors.New("boom")
			},
			check: func(t *testing.T, m tenantReadinessModel) {
				for name, v := range map[string]interface{ IsNull() bool }{"privileged_access_enabled": m.PrivilegedAccessEnabled,
					"licensed": m.Licensed, "licences": m.Licences, "approval_policies": m.ApprovalPolicies, "role_management": m.RoleManagement} {
					if !v.IsNull() {
						t.Errorf("%s = %v, want null when it could not be read", name, v)
					}
				}
			},
			problems: [][]string{
				{"Whether privileged access is on", "could not be read: Exchange Online Get-OrganizationConfig: boom."},
				{"subscriptions", "could not be read: boom."},
				{"approval policies could not be read", "forbidden", "request id req-1", "lacks a permission"},
				{"Role Management could not be read: boom."},
			},
		},
		"several checks fail": {
			change: func(r *pamtenant.Readiness) {
				r.Subscribed, r.Policies, r.Role.Held = nil, 31, false
			},
			problems: [][]string{{"it has: none"}, {"holds 31 approval policies"}, {"holds neither"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := ready
			if tc.change != nil {
				tc.change(&r)
			}
			m := tenantReadiness(r, "tenant-1", "contoso.onmicrosoft.com")
			if tc.check != nil {
				tc.check(t, m)
			}
			var problems []string
			for _, p := range m.Problems.Elements() {
				problems = append(problems, p.(types.String).ValueString())
			}
			if m.Problems.IsNull() {
				t.Fatal("problems is null; want a list, empty when the tenant is ready")
			}
			wantBool(t, "ready", m.Ready, len(tc.problems) == 0)
			if len(problems) != len(tc.problems) {
				t.Fatalf("%d problems, want %d:\n%s", len(problems), len(tc.problems), strings.Join(problems, "\n"))
			}
			for i, phrases := range tc.problems {
				if strings.Contains(problems[i], "..") {
					t.Errorf("problem %d has two periods in a row: %s", i, problems[i])
				}
				for _, phrase := range phrases {
					if !strings.Contains(problems[i], phrase) {
						t.Errorf("problem %d lacks %q: %s", i, phrase, problems[i])
					}
				}
			}
		})
	}
}

func wantBool(t *testing.T, name string, got types.Bool, want bool) {
	t.Helper()
	if got.IsNull() || got.ValueBool() != want {
		t.Errorf("%s = %s, want %v", name, got, want)
	}
}
