package pamtenant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// userCredential signs in as one of the emulator's users with the password grant, as a person
// signed in through the Azure CLI would be.
type userCredential struct {
	srv *emulator.Server
	upn string
}

func (c userCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	form := url.Values{"grant_type": {"password"}, "username": {c.upn}, "password": {emulator.BuiltinPassword},
		"client_id": {c.srv.ClientID()}, "scope": {strings.Join(opts.Scopes, " ")}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.srv.BaseURL()+"/"+c.srv.TenantID()+"/oauth2/v2.0/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return azcore.AccessToken{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.srv.CA().HTTPClient().Do(req)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK {
		return azcore.AccessToken{}, fmt.Errorf("signing in as %s: HTTP %d %w", c.upn, resp.StatusCode, err)
	}
	return azcore.AccessToken{Token: answer.AccessToken, ExpiresOn: time.Now().Add(time.Duration(answer.ExpiresIn) * time.Second)}, nil
}

// Whether the caller holds Role Management: the token's Entra roles settle it without a call;
// otherwise Exchange's role assignments do, and for an app whose token lists no Entra roles that
// Exchange does not know, nothing can tell.
func TestRoleManagement(t *testing.T) {
	cases := []struct {
		name       string
		entraRoles []string // the provider's app's
		user       string   // signs in as this user instead of the app
		want       pamtenant.RoleHolding
		asked      int // Get-ManagementRoleAssignment calls
	}{
		{name: "app with Exchange Administrator", entraRoles: []string{"Exchange Administrator"},
			want: pamtenant.RoleHolding{App: true, Known: true, Held: true}},
		{name: "app with Global Administrator", entraRoles: []string{"Directory Readers", "Global Administrator"},
			want: pamtenant.RoleHolding{App: true, Known: true, Held: true}},
		{name: "app with another Entra role", entraRoles: []string{"Directory Readers"},
			want: pamtenant.RoleHolding{App: true, Known: true}, asked: 1},
		{name: "app whose token lists no Entra roles",
			want: pamtenant.RoleHolding{App: true}, asked: 1},
		{name: "user in Organization Management", user: "megan.bowen@" + emulator.BuiltinDomain,
			want: pamtenant.RoleHolding{Caller: "megan.bowen@" + emulator.BuiltinDomain, Known: true, Held: true}, asked: 1},
		{name: "user without an admin role", user: "adele.vance@" + emulator.BuiltinDomain,
			want: pamtenant.RoleHolding{Caller: "adele.vance@" + emulator.BuiltinDomain, Known: true}, asked: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seed := emulator.BuiltinTenant()
			seed.Apps[0].EntraRoles = tc.entraRoles
			srv := startEmulatorWith(t, emulator.Options{Seed: seed})
			var clients *pamtenant.Clients
			if tc.user != "" {
				clients = connectAs(t, srv, userCredential{srv, tc.user}, nil)
			} else {
				clients = connect(t, srv, nil)
				tc.want.Caller = srv.ClientID()
			}
			tenant := pamtenant.New(clients)
			before := srv.Stats()
			got, err := tenant.RoleManagement(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if _, err := tenant.RoleManagement(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := srv.Stats().Sub(before).Cmdlets["Get-ManagementRoleAssignment"]; n != tc.asked {
				t.Errorf("asked Exchange %d times over two reads, want %d", n, tc.asked)
			}
		})
	}
}

// A readiness read costs one read of each kind, whatever the tenant holds, and shares them with the
// resources of the run.
func TestReadinessSharesTheRunsReads(t *testing.T) {
	srv := startEmulator(t)
	tenant := pamtenant.New(connect(t, srv, nil))
	ctx := context.Background()
	if _, err := tenant.ApprovalPolicies(ctx); err != nil {
		t.Fatal(err)
	}
	before := srv.Stats()
	r := tenant.Readiness(ctx)
	for _, err := range []error{r.PrivilegedAccessErr, r.PoliciesErr, r.SubscribedErr, r.RoleErr} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tenant.PrivilegedAccess(ctx); err != nil {
		t.Fatal(err)
	}
	d := srv.Stats().Sub(before)
	want := map[string]int{"Get-OrganizationConfig": 1}
	if fmt.Sprint(d.Cmdlets) != fmt.Sprint(want) || d.GraphRequests != 1 {
		t.Errorf("readiness after a policy read, then a resource's read of the setting: cmdlets %v and %d Graph requests; "+
			"want %v and 1 (the subscriptions)", d.Cmdlets, d.GraphRequests, want)
	}
	if !r.Role.Held || r.PrivilegedAccess.Enabled || r.Policies != 0 || !pamtenant.IncludesPAM(r.Subscribed) {
		t.Errorf("the built-in tenant read as %+v", r)
	}
}
