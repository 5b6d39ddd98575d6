package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fleetToken signs in to the tenant segment names (id or domain) as the multi-tenant app.
func (h *harness) fleetToken(segment, resource string) string {
	h.t.Helper()
	r := h.tokenRequestTo(segment, url.Values{"grant_type": {"client_credentials"}, "client_id": {BuiltinClientID},
		"client_secret": {BuiltinClientSecret}, "scope": {resource + "/.default"}})
	if r.status != http.StatusOK {
		h.t.Fatalf("token from %s: %d %s", segment, r.status, r.raw)
	}
	return r.body["access_token"].(string)
}

// fleetApp is the multi-tenant app in tenant ht, signed in by the tenant's domain.
func (h *harness) fleetApp(ht *HostedTenant) caller {
	return caller{h.fleetToken(ht.Organization(), exchangeAudience), "APP:" + appAnchorMailbox + "@" + ht.Organization()}
}

func (h *harness) invokeIn(segment string, c caller, cmdlet string, params map[string]any) response {
	h.t.Helper()
	return h.invokeURL(h.srv.BaseURL()+"/exchange/adminapi/beta/"+segment+"/InvokeCommand", c, cmdlet, params, nil)
}

func (h *harness) mustInvokeIn(ht *HostedTenant, c caller, cmdlet string, params map[string]any) []map[string]any {
	h.t.Helper()
	r := h.invokeIn(ht.TenantID(), c, cmdlet, params)
	if r.status != http.StatusOK {
		h.t.Fatalf("%s in %s: %d %s", cmdlet, ht.Organization(), r.status, r.raw)
	}
	var out []map[string]any
	for _, v := range r.body["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

func TestFleetTenantsAreIsolated(t *testing.T) {
	h := start(t, Options{Tenants: 3})
	tenants := h.srv.Tenants()
	if len(tenants) != 3 || tenants[0].TenantID() != BuiltinTenantID || tenants[0].Organization() != BuiltinDomain ||
		h.srv.TenantID() != BuiltinTenantID {
		t.Fatalf("the built-in tenant must come first: %v", h.srv.Fleet())
	}
	a, idle, b := tenants[0], tenants[1], tenants[2]
	appA, appB := h.fleetApp(a), h.fleetApp(b)

	// The same group name in two tenants: each gets its own, in its own domain.
	created := h.mustInvokeIn(b, appB, "New-DistributionGroup", map[string]any{"Name": "approvers", "Type": "Security",
		"Members": []string{"adele.vance@" + b.Organization()}})
	addrB := created[0]["PrimarySmtpAddress"].(string)
	if addrB != "approvers@"+b.Organization() {
		t.Fatalf("address in B: %s", addrB)
	}
	if got := h.mustInvokeIn(a, appA, "Get-DistributionGroup", nil); len(got) != 0 {
		t.Fatalf("B's group is visible in A: %v", got)
	}
	h.mustInvokeIn(a, appA, "New-DistributionGroup", map[string]any{"Name": "approvers", "Type": "Security"})
	h.mustInvokeIn(b, appB, "Enable-ElevatedAccessControl", map[string]any{"AdminGroup": addrB})
	for ht, want := range map[*HostedTenant]string{a: "Disabled", b: "Enabled"} {
		cfg := h.mustInvokeIn(ht, h.fleetApp(ht), "Get-OrganizationConfig", nil)
		if cfg[0]["ElevatedAccessControl"] != want {
			t.Fatalf("PAM in %s: %v", ht.Organization(), cfg[0]["ElevatedAccessControl"])
		}
	}

	// Graph serves the token's tenant: its organization and its groups only.
	wantGroups := map[*HostedTenant]int{a: 1, idle: 0, b: 1}
	for _, ht := range tenants {
		token := h.fleetToken(ht.TenantID(), graphAudience)
		org := h.graph(http.MethodGet, "/organization", token, nil).body["value"].([]any)[0].(map[string]any)
		if org["id"] != ht.TenantID() {
			t.Fatalf("organization for %s: %v", ht.Organization(), org["id"])
		}
		groups := h.graph(http.MethodGet, "/groups", token, nil).body["value"].([]any)
		if len(groups) != wantGroups[ht] {
			t.Fatalf("%s sees %d groups, want %d", ht.Organization(), len(groups), wantGroups[ht])
		}
		for _, g := range groups {
			if mail := g.(map[string]any)["mail"].(string); !strings.HasSuffix(mail, "@"+ht.Organization()) {
				t.Fatalf("%s sees %s", ht.Organization(), mail)
			}
		}
	}

	if snap := b.Snapshot(); len(snap.Groups) != 1 || !snap.PAM.Enabled || snap.TenantID != b.TenantID() {
		t.Fatalf("B's snapshot: %d groups, PAM %v", len(snap.Groups), snap.PAM.Enabled)
	}
	if snap := idle.Snapshot(); len(snap.Groups) != 0 || snap.PAM.Enabled {
		t.Fatal("the idle tenant changed")
	}

	// Each tenant counts its own requests; the server counts them all.
	total := h.srv.Stats()
	var sum Stats
	for _, ht := range tenants {
		st := ht.Stats()
		sum.TokenRequests += st.TokenRequests
		sum.GraphRequests += st.GraphRequests
		sum.ExchangeRequests += st.ExchangeRequests
	}
	if sum.TokenRequests != total.TokenRequests || sum.GraphRequests != total.GraphRequests || sum.ExchangeRequests != total.ExchangeRequests {
		t.Fatalf("tenants %+v, server %+v", sum, total)
	}
	if st := idle.Stats(); st.ExchangeRequests != 0 || st.TokenRequests != 1 || st.GraphRequests != 2 {
		t.Fatalf("idle tenant: %+v", st)
	}
	if a.Stats().Cmdlets["New-DistributionGroup"] != 1 || b.Stats().Cmdlets["Enable-ElevatedAccessControl"] != 1 ||
		a.Stats().Cmdlets["Enable-ElevatedAccessControl"] != 0 {
		t.Fatalf("cmdlets: A %v, B %v", a.Stats().Cmdlets, b.Stats().Cmdlets)
	}
}

func TestFleetRefusesAnotherTenantsToken(t *testing.T) {
	h := start(t, Options{Tenants: 2})
	a, b := h.srv.Tenants()[0], h.srv.Tenants()[1]
	appA := h.fleetApp(a)
	userA := caller{h.userToken("megan.bowen", exchangeAudience), "UPN:" + upn("megan.bowen")}

	// Exchange: a token of A on B's URL, by id or domain and with either anchor, is refused.
	for _, segment := range []string{b.TenantID(), b.Organization()} {
		for _, c := range []caller{appA, {appA.token, "APP:" + appAnchorMailbox + "@" + b.Organization()}, userA} {
			r := h.invokeIn(segment, c, "Get-OrganizationConfig", nil)
			if r.status != http.StatusUnauthorized || r.body["error"].(map[string]any)["code"] != "InvalidAuthenticationToken" ||
				r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("A's token at %s: %d %s", segment, r.status, r.raw)
			}
		}
	}
	if r := h.invokeIn(b.Organization(), h.fleetApp(b), "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("B's own token: %d %s", r.status, r.raw)
	}
	if got := b.Stats().Cmdlets["Get-OrganizationConfig"]; got != 1 {
		t.Fatalf("refused calls ran a cmdlet in B: %d", got)
	}

	// Graph: a token names its tenant, so B's objects are not found with A's token...
	tokenA := h.fleetToken(a.TenantID(), graphAudience)
	userB := b.Snapshot().Users[0]
	for _, key := range []string{userB.ID, url.PathEscape(userB.UserPrincipalName)} {
		if r := h.graph(http.MethodGet, "/users/"+key, tokenA, nil); r.status != http.StatusNotFound {
			t.Fatalf("B's user %s with A's token: %d %s", key, r.status, r.raw)
		}
	}
	// ...and a token of a tenant this server does not host is refused.
	stranger := generatedTenant(7, nil)
	token, err := h.srv.issueAccessToken(stranger, graphAudience, stranger.Apps[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	r := h.graph(http.MethodGet, "/organization", token, nil)
	if r.status != http.StatusUnauthorized || r.body["error"].(map[string]any)["code"] != "InvalidAuthenticationToken" {
		t.Fatalf("token of an unknown tenant on Graph: %d %s", r.status, r.raw)
	}
	exchangeToken, _ := h.srv.issueAccessToken(stranger, exchangeAudience, stranger.Apps[0], nil)
	if r := h.invokeIn(stranger.TenantID, caller{exchangeToken, appA.anchor}, "Get-OrganizationConfig", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("token of an unknown tenant on Exchange: %d %s", r.status, r.raw)
	}

	// A user of A does not exist in B's directory; B's own users sign in there.
	form := url.Values{"grant_type": {"password"}, "client_id": {BuiltinClientID}, "username": {upn("megan.bowen")},
		"password": {BuiltinPassword}, "scope": {exchangeAudience + "/.default"}}
	if r := h.tokenRequestTo(b.TenantID(), form); r.status != http.StatusBadRequest || r.body["error"] != "invalid_grant" {
		t.Fatalf("A's user at B: %d %s", r.status, r.raw)
	}
	form.Set("username", "megan.bowen@"+b.Organization())
	r = h.tokenRequestTo(b.Organization(), form)
	if r.status != http.StatusOK {
		t.Fatalf("B's user at B: %d %s", r.status, r.raw)
	}
	meganB := caller{r.body["access_token"].(string), "UPN:megan.bowen@" + b.Organization()}
	if r := h.invokeIn(b.TenantID(), meganB, "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("B's admin in B: %d %s", r.status, r.raw)
	}
	if claims := jwtClaims(t, meganB.token); claims["tid"] != b.TenantID() || claims["iss"] != "https://sts.windows.net/"+b.TenantID()+"/" {
		t.Fatalf("claims %v", claims)
	}
}

func TestFleetSignInByDomainDiscoversTheTenantID(t *testing.T) {
	h := start(t, Options{Tenants: 2})
	b := h.srv.Tenants()[1]
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.srv.BaseURL()+"/"+b.Organization()+"/v2.0/.well-known/openid-configuration", nil)
	r := h.do(req)
	if r.status != http.StatusOK || r.body["token_endpoint"] != h.srv.BaseURL()+"/"+b.TenantID()+"/oauth2/v2.0/token" {
		t.Fatalf("discovery by domain: %d %s", r.status, r.raw)
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, h.srv.BaseURL()+"/common/UserRealm/lee.gu@"+b.Organization(), nil)
	if r := h.do(req); r.body["account_type"] != "Managed" {
		t.Fatalf("user realm: %s", r.raw)
	}
}

func TestFleetIsDeterministicAndBuiltOnFirstUse(t *testing.T) {
	five := start(t, Options{Tenants: 5}).srv
	three := start(t, Options{Tenants: 3}).srv
	fleet := five.Fleet()
	if !reflect.DeepEqual(fleet[:3], three.Fleet()) {
		t.Fatalf("the same tenant count must give the same tenants:\n%v\n%v", fleet[:3], three.Fleet())
	}
	if fleet[0] != (FleetEntry{BuiltinTenantID, BuiltinDomain}) || fleet[1].Organization != "fleet0001.onmicrosoft.com" {
		t.Fatalf("fleet %v", fleet)
	}
	seen := map[string]bool{}
	for _, e := range fleet {
		if !guidPattern.MatchString(e.TenantID) || seen[e.TenantID] {
			t.Fatalf("tenant id %q not a fresh GUID", e.TenantID)
		}
		seen[e.TenantID] = true
	}
	if !reflect.DeepEqual(five.Tenants()[2].Snapshot(), three.Tenants()[2].Snapshot()) {
		t.Fatal("a generated tenant's directory must not depend on the fleet size")
	}
	if a, b := five.Tenants()[1].Snapshot(), five.Tenants()[2].Snapshot(); a.Users[0].ID == b.Users[0].ID || a.Apps[0].ObjectID == b.Apps[0].ObjectID ||
		a.Apps[0].ClientID != BuiltinClientID || b.Apps[0].Secret != BuiltinClientSecret {
		t.Fatal("tenants share one app (client id and secret) but have their own object ids")
	}

	big := start(t, Options{Tenants: 1000}).srv
	last := big.Tenant("FLEET0999.onmicrosoft.com")
	if last == nil || big.Tenant(last.TenantID()) != last || big.Tenant("fleet1000.onmicrosoft.com") != nil {
		t.Fatal("tenants are found by id or domain, ignoring case")
	}
	if got := last.Snapshot().Users[0].UserPrincipalName; !strings.HasSuffix(got, "@fleet0999.onmicrosoft.com") {
		t.Fatalf("user %s", got)
	}
	built := 0
	for _, ht := range big.Tenants() {
		ht.mu.Lock()
		if ht.tenant != nil {
			built++
		}
		ht.mu.Unlock()
	}
	if built != 2 {
		t.Fatalf("%d tenants built; only the starting one and the one used should be", built)
	}
}

func TestFleetFileAndExport(t *testing.T) {
	h := start(t, Options{Tenants: 3})
	exports := h.srv.Exports()
	last := exports[len(exports)-1]
	if last.Name != "O365PAM_EMULATOR_TENANTS" || last.Value != h.srv.FleetFile() || last.Line() != "export O365PAM_EMULATOR_TENANTS="+h.srv.FleetFile() {
		t.Fatalf("last export %+v", last)
	}
	data, err := os.ReadFile(last.Value)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]string
	if err := json.Unmarshal(data, &raw); err != nil || len(raw) != 3 {
		t.Fatalf("fleet file %s: %v", data, err)
	}
	for i, e := range raw {
		if len(e) != 2 || e["tenant_id"] != h.srv.Fleet()[i].TenantID || e["organization"] != h.srv.Fleet()[i].Organization {
			t.Fatalf("entry %d: %v", i, e)
		}
	}
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(last.Value); !os.IsNotExist(err) {
		t.Fatal("a temporary fleet file must be removed on Close")
	}

	path := filepath.Join(t.TempDir(), "tenants.json")
	named := start(t, Options{Tenants: 2, TenantsFile: path}).srv
	if named.FleetFile() != path {
		t.Fatalf("fleet file %s", named.FleetFile())
	}
	_ = named.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("a named fleet file stays: %v", err)
	}
	if single := start(t, Options{}).srv; single.FleetFile() != "" || len(single.Tenants()) != 1 {
		t.Fatal("without Tenants there is no fleet file")
	}
}

func TestFleetForcedFaultHitsOnlyItsTenant(t *testing.T) {
	h := start(t, Options{Tenants: 2})
	a, b := h.srv.Tenants()[0], h.srv.Tenants()[1]
	appA, appB := h.fleetApp(a), h.fleetApp(b)
	b.FailCmdlet("Get-OrganizationConfig", 1, FaultServerError)
	if r := h.invokeIn(a.TenantID(), appA, "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("A hit by B's fault: %d", r.status)
	}
	if r := h.invokeIn(b.TenantID(), appB, "Get-OrganizationConfig", nil); r.status != http.StatusInternalServerError {
		t.Fatalf("B's fault: %d", r.status)
	}
	h.srv.FailCmdlet("Get-OrganizationConfig", 1, FaultServerError)
	if r := h.invokeIn(b.TenantID(), appB, "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("B hit by the starting tenant's fault: %d", r.status)
	}
	if r := h.invokeIn(a.TenantID(), appA, "Get-OrganizationConfig", nil); r.status != http.StatusInternalServerError {
		t.Fatalf("the server's FailCmdlet is the starting tenant's: %d", r.status)
	}
	if b.Stats().FaultedRequests != 1 || a.Stats().FaultedRequests != 1 || h.srv.Stats().FaultedRequests != 2 {
		t.Fatalf("faults: A %d, B %d, all %d", a.Stats().FaultedRequests, b.Stats().FaultedRequests, h.srv.Stats().FaultedRequests)
	}
}
