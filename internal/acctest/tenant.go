package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// Tenant is one tenant for one test: an emulator, or in live mode the real tenant.
type Tenant struct {
	Server *emulator.Server // nil in live mode; shared by the tenants of a fleet
	// Hosted is this tenant inside Server (its state, request counts and forced faults); for
	// NewTenant it is Server's starting tenant.
	Hosted *emulator.HostedTenant
	ep     endpoints
	live   *liveTenant // nil unless in live mode
	http   *http.Client
	// replicationLag is the longer of the emulator's lags; out-of-band creates wait it out (see
	// TryExchangeAs).
	replicationLag time.Duration
}

// The service's lags, on in every acceptance test unless a test sets its own (a negative value
// turns one off): a new object is "not found" to every Exchange call for ReplicationLag, and a new
// group has no Entra object id (and is missing from Graph) for ObjectIDLag. Real tenants take
// seconds to minutes; these are short so that the suite stays fast while every path that must
// survive a lag is taken.
const (
	ReplicationLag = 1 * time.Second
	ObjectIDLag    = 2 * time.Second
)

// endpoints say where and as whom the harness reaches the tenant out of band.
type endpoints struct {
	tenantID, clientID, clientSecret string
	domain, organization             string
	authority                        string // sign-in authority, ending in "/"
	exchange                         string // the part before /adminapi
}

// NewTenant starts an emulator on a free loopback port and stops it when the test ends; in live
// mode (O365PAM_ACC_LIVE=1) it connects to the real tenant instead.
func NewTenant(t testing.TB) *Tenant {
	t.Helper()
	if Live() {
		return newLiveTenant(t)
	}
	return NewTenantWith(t, emulator.Options{})
}

// NewTenantWith is NewTenant with emulator options such as faults, delays or latency; the
// address and CA are always the harness's own, and lags left zero get the defaults above.
func NewTenantWith(t testing.TB, opts emulator.Options) *Tenant {
	t.Helper()
	return startEmulator(t, opts)[0]
}

// NewFleet starts one emulator hosting n tenants (the built-in tenant first, then generated
// ones, see emulator.Options.Tenants) and returns them in that order. Each Tenant works as
// NewTenant's does, in its own tenant: its provider settings, out-of-band cmdlets and addresses.
// Fleet tests read one tenant's state and request counts through Tenant.Hosted; Server is the
// emulator they share.
func NewFleet(t testing.TB, n int) []*Tenant {
	t.Helper()
	return NewFleetWith(t, n, emulator.Options{})
}

// NewFleetWith is NewFleet with emulator options, which apply to every tenant.
func NewFleetWith(t testing.TB, n int, opts emulator.Options) []*Tenant {
	t.Helper()
	if n < 1 {
		t.Fatalf("acctest: a fleet needs at least one tenant, not %d", n)
	}
	opts.Tenants = n
	return startEmulator(t, opts)
}

// startEmulator starts one emulator and returns a Tenant for each tenant it hosts.
func startEmulator(t testing.TB, opts emulator.Options) []*Tenant {
	t.Helper()
	if Live() {
		t.Skip("needs the tenant emulator's options; not run against a live tenant")
	}
	if opts.ReplicationLag == 0 {
		opts.ReplicationLag = ReplicationLag
	}
	if opts.ObjectIDLag == 0 {
		opts.ObjectIDLag = ObjectIDLag
	}
	if sharedCA == nil {
		t.Fatal("acctest: call acctest.Main from TestMain before NewTenant")
	}
	opts.Addr, opts.CA = "127.0.0.1:0", sharedCA
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the tenant emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	hosted := srv.Tenants()
	out := make([]*Tenant, len(hosted))
	for i, h := range hosted {
		out[i] = &Tenant{
			Server: srv,
			Hosted: h,
			ep: endpoints{
				tenantID: h.TenantID(), clientID: h.ClientID(), clientSecret: h.ClientSecret(),
				domain: h.Organization(), organization: h.Organization(),
				authority: srv.BaseURL() + "/", exchange: srv.BaseURL() + "/exchange",
			},
			http:           sharedCA.HTTPClient(),
			replicationLag: max(opts.ReplicationLag, opts.ObjectIDLag, 0),
		}
	}
	return out
}

// TenantID is the tenant's GUID.
func (tn *Tenant) TenantID() string { return tn.ep.tenantID }

// ProviderSettings are the provider's settings for this tenant, by attribute name, besides
// use_cli = false.
func (tn *Tenant) ProviderSettings() map[string]string {
	if tn.live != nil {
		ep := tn.ep
		return map[string]string{"tenant_id": ep.tenantID, "client_id": ep.clientID, "client_secret": ep.clientSecret,
			"organization": ep.organization, "authority_host": ep.authority, "exchange_endpoint": ep.exchange}
	}
	ep := tn.ep
	return map[string]string{
		"tenant_id":         ep.tenantID,
		"client_id":         ep.clientID,
		"client_secret":     ep.clientSecret,
		"organization":      ep.organization,
		"authority_host":    ep.authority,
		"graph_endpoint":    tn.Server.BaseURL() + "/graph",
		"exchange_endpoint": ep.exchange,
	}
}

// ProviderConfig is a provider block pointing at this tenant, to put at the top of a test config.
// In live mode it is empty: the provider reads the ARM_* and O365PAM_* environment.
func (tn *Tenant) ProviderConfig() string {
	return tn.ProviderConfigWith(nil)
}

// ProviderConfigWith is ProviderConfig with some settings replaced, such as tenant_id given as
// the tenant's domain; an empty value leaves the setting out. In live mode it is empty, as
// ProviderConfig.
func (tn *Tenant) ProviderConfigWith(replaced map[string]string) string {
	if tn.live != nil {
		return "\nprovider \"o365pam\" {}\n"
	}
	settings := tn.ProviderSettings()
	maps.Copy(settings, replaced)
	names := make([]string, 0, len(settings))
	for name, value := range settings {
		if value != "" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("\nprovider \"o365pam\" {\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  %-17s = %q\n", name, settings[name])
	}
	b.WriteString("  use_cli           = false\n}\n")
	return b.String()
}

// FleetProviderConfig is a provider block that names no tenant: the fleet's app and endpoints,
// with every object naming its own tenant_id. An alias, when given, names the block.
func (tn *Tenant) FleetProviderConfig(alias string) string {
	return tn.ProviderConfigWith(map[string]string{"tenant_id": "", "organization": "", "alias": alias})
}

// Domain is the tenant's initial domain (O365PAM_LIVE_DOMAIN in live mode); Address builds a
// mailbox address in it.
func (tn *Tenant) Domain() string { return tn.ep.domain }

// Address returns local@domain for this tenant. In live mode an emulator user's name maps to its
// stand-in from O365PAM_LIVE_USERS, and any other name gets this test's suffix.
func (tn *Tenant) Address(local string) string {
	if tn.live != nil {
		return tn.live.address(local, tn.Domain())
	}
	return local + "@" + tn.Domain()
}

// Exchange runs a cmdlet as another admin of the tenant would, over the same InvokeCommand
// endpoint and with its own sign-in, and returns the objects it answered. This code is apart from
// the provider's client on purpose: a test must be able to see the provider disagree with the
// service.
func (tn *Tenant) Exchange(t testing.TB, cmdlet string, params map[string]any) []map[string]any {
	t.Helper()
	out, err := tn.TryExchange(cmdlet, params)
	if err != nil {
		t.Fatalf("out-of-band %s: %v", cmdlet, err)
	}
	return out
}

// TryExchange is Exchange for a call that is expected to fail.
func (tn *Tenant) TryExchange(cmdlet string, params map[string]any) ([]map[string]any, error) {
	return tn.TryExchangeAs("", cmdlet, params)
}

// TryExchangeAs runs a cmdlet signed in as the tenant's user upn (password grant with the emulator's
// built-in password), as a person using the Exchange Online module would, for example an approver
// answering a request. An empty upn signs in as the app, like TryExchange.
func (tn *Tenant) TryExchangeAs(upn, cmdlet string, params map[string]any) ([]map[string]any, error) {
	if params == nil {
		params = map[string]any{}
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_secret": {tn.ep.clientSecret}}
	anchor := "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + tn.ep.organization
	if upn != "" && tn.live != nil {
		return nil, fmt.Errorf("signing in as %s needs the emulator's built-in password; not possible on a live tenant", upn)
	}
	if upn != "" {
		form = userGrant(upn)
		anchor = "UPN:" + upn
	}
	// Not the test's context: live cleanups call this from t.Cleanup, after it is cancelled.
	ctx := context.Background()
	token, err := tn.token(ctx, form, "https://outlook.office365.com/.default")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		tn.ep.exchange+"/adminapi/beta/"+tn.ep.tenantID+"/InvokeCommand", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AnchorMailbox", anchor)
	var answer struct {
		Value []map[string]any `json:"value"`
	}
	if err := tn.do(req, &answer); err != nil {
		return nil, err
	}
	if strings.HasPrefix(cmdlet, "New-") {
		// Test setup waits until what it made has replicated, as a careful admin would, so that a
		// test sees the provider's handling of its own creates, not of the harness's.
		time.Sleep(tn.replicationLag)
	}
	return answer.Value, nil
}

// DeleteUser deletes the tenant's user upn from the directory through Microsoft Graph, as an admin
// would in the admin center, signed in as the emulator's admin megan.bowen. Only on the emulator: a
// test never deletes a live tenant's users.
func (tn *Tenant) DeleteUser(upn string) error {
	if tn.Server == nil {
		return fmt.Errorf("deleting user %s: only done on the tenant emulator", upn)
	}
	token, err := tn.UserToken(tn.Address("megan.bowen"), "https://graph.microsoft.com/.default")
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodDelete,
		tn.Server.BaseURL()+"/graph/v1.0/users/"+url.PathEscape(upn), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := tn.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		raw, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("deleting user %s: HTTP %d: %s", upn, resp.StatusCode, raw)
	}
	return nil
}

// UserToken signs in as the tenant's user upn with the emulator's built-in password and returns an
// access token for scope, such as `az account get-access-token` hands a provider that signs in
// with the Azure CLI.
func (tn *Tenant) UserToken(upn, scope string) (string, error) {
	if tn.live != nil {
		return "", fmt.Errorf("signing in as %s needs the emulator's built-in password; not possible on a live tenant", upn)
	}
	return tn.token(context.Background(), userGrant(upn), scope)
}

// userGrant is a password grant for the emulator's user upn.
func userGrant(upn string) url.Values {
	return url.Values{"grant_type": {"password"}, "username": {upn}, "password": {emulator.BuiltinPassword}}
}

// token signs in with the grant in form, as the harness's app.
func (tn *Tenant) token(ctx context.Context, form url.Values, scope string) (string, error) {
	form.Set("client_id", tn.ep.clientID)
	form.Set("scope", scope)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tn.ep.authority+tn.ep.tenantID+"/oauth2/v2.0/token",
		strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := tn.do(req, &answer); err != nil {
		return "", err
	}
	return answer.AccessToken, nil
}

func (tn *Tenant) do(req *http.Request, into any) error {
	resp, err := tn.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, into)
}
