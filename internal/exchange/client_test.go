package exchange

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestInvokeRequestShapeAppOnly(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "", map[string]any{"ElevatedAccessControl": "Disabled"})
	})
	if _, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil); err != nil {
		t.Fatal(err)
	}
	reqs := h.svc.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if want := "/exchange/adminapi/beta/" + testTenant + "/InvokeCommand"; r.Path != want {
		t.Errorf("path %q, want %q", r.Path, want)
	}
	if want := `{"CmdletInput":{"CmdletName":"Get-OrganizationConfig","Parameters":{}}}`; r.Body != want {
		t.Errorf("body %s, want %s", r.Body, want)
	}
	wantHeaders := map[string]string{
		"Authorization":   "Bearer " + h.cred.token,
		"Content-Type":    "application/json",
		"Prefer":          "odata.maxpagesize=1000",
		"X-AnchorMailbox": "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + testOrganization,
		"User-Agent":      "o365pam-test/1.0",
	}
	for name, want := range wantHeaders {
		if got := r.Header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if _, err := uuid.Parse(r.Header.Get("client-request-id")); err != nil {
		t.Errorf("client-request-id %q is not a UUID", r.Header.Get("client-request-id"))
	}
	if len(h.cred.scopes) != 1 || !reflect.DeepEqual(h.cred.scopes[0], []string{testScope}) {
		t.Errorf("token scopes %v, want [[%s]]", h.cred.scopes, testScope)
	}
}

func TestInvokeDelegatedAnchorAndSwitch(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	h.cred.token = delegatedToken(t)
	if err := h.client.RemoveDistributionGroup(context.Background(), "pam-approvers"); err != nil {
		t.Fatal(err)
	}
	r := h.svc.requests()[0]
	if got := r.Header.Get("X-AnchorMailbox"); got != "UPN:admin@contoso.com" {
		t.Errorf("anchor %q, want UPN:admin@contoso.com", got)
	}
	want := `{"CmdletInput":{"CmdletName":"Remove-DistributionGroup","Parameters":{"BypassSecurityGroupManagerCheck":true,"Identity":"pam-approvers"}}}`
	if r.Body != want {
		t.Errorf("body %s, want %s", r.Body, want)
	}
}

func TestAppOnlyAnchorFallsBackToTenant(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") },
		func(c *Config) { c.Tenant, c.Organization = "contoso.com", "" })
	if _, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if got := h.svc.requests()[0].Header.Get("X-AnchorMailbox"); !strings.HasSuffix(got, "}@contoso.com") {
		t.Errorf("anchor %q does not use the tenant domain", got)
	}
}

func TestInvokeFollowsNextLinkAcrossThreePages(t *testing.T) {
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		base := h.svc.endpoint() + "/adminapi/beta/" + testTenant + "/InvokeCommand"
		switch n {
		case 1:
			writeValues(w, base+"?$skiptoken=p2", map[string]any{"Name": "a"}, map[string]any{"Name": "b"})
		case 2:
			writeValues(w, base+"?$skiptoken=p3", map[string]any{"Name": "c"})
		default:
			writeValues(w, "", map[string]any{"Name": "d"}, map[string]any{"Name": "e"})
		}
	})
	values, err := h.client.Invoke(context.Background(), "Get-DistributionGroup", map[string]any{"ResultSize": "Unlimited"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range values {
		names = append(names, record(v).str("Name"))
	}
	if want := []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	reqs := h.svc.requests()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want 3", len(reqs))
	}
	if reqs[1].Query != "$skiptoken=p2" || reqs[2].Query != "$skiptoken=p3" {
		t.Errorf("page queries %q, %q", reqs[1].Query, reqs[2].Query)
	}
	for i, r := range reqs {
		if r.Body != reqs[0].Body {
			t.Errorf("page %d body %s differs from %s", i+1, r.Body, reqs[0].Body)
		}
		if r.Header.Get("client-request-id") != reqs[0].Header.Get("client-request-id") {
			t.Errorf("page %d has another client-request-id", i+1)
		}
	}
	if want := map[string]any{"ResultSize": "Unlimited"}; !reflect.DeepEqual(reqs[0].Params, want) {
		t.Errorf("params %v, want %v", reqs[0].Params, want)
	}
	if got := h.cred.callCount(); got != 1 {
		t.Errorf("asked for %d tokens in one call, want 1", got)
	}
}

func TestInvokeRefusesNextLinkToAnotherHost(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "https://elsewhere.example/adminapi/beta/x/InvokeCommand?page=2", map[string]any{"Name": "a"})
	})
	_, err := h.client.Invoke(context.Background(), "Get-DistributionGroup", nil)
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Fatalf("err %v, want a refusal to follow the link", err)
	}
	if n := len(h.svc.requests()); n != 1 {
		t.Errorf("got %d requests, want 1", n)
	}
}

func TestInvokeStripsAnnotations(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeJSON(w, http.StatusOK, json.RawMessage(`{"@odata.context":"x","@adminapi.warnings":["w"],"value":[
			{"@odata.type":"#Exchange.GenericHashTable","Name":"pam","Name@odata.type":"#String","ManagedBy@odata.type":"#Collection(String)","ManagedBy":["u1"]}]}`))
	})
	values, err := h.client.Invoke(context.Background(), "Get-DistributionGroup", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 1 {
		t.Fatalf("got %d values, want 1", len(values))
	}
	var keys []string
	for k := range values[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"ManagedBy", "Name"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	cred := &fakeCredential{token: "x"}
	for name, cfg := range map[string]Config{
		"relative endpoint": {Endpoint: "outlook.office365.com", Tenant: "t", Scope: "s", Credential: cred},
		"no tenant":         {Endpoint: "https://outlook.office365.com", Scope: "s", Credential: cred},
		"no scope":          {Endpoint: "https://outlook.office365.com", Tenant: "t", Credential: cred},
		"no credential":     {Endpoint: "https://outlook.office365.com", Tenant: "t", Scope: "s"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
}
