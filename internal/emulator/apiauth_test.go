package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func TestGraphRefusesMissingExpiredAndWrongAudienceTokens(t *testing.T) {
	h := start(t, Options{})
	graphToken := h.graphToken()
	exchangeToken := h.appToken(BuiltinClientID, BuiltinClientSecret, exchangeAudience)
	cases := map[string]string{"missing": "", "garbage": "not.a.token", "wrong audience": exchangeToken}
	for name, token := range cases {
		r := h.graph(http.MethodGet, "/organization", token, nil)
		if r.status != http.StatusUnauthorized || r.body["error"].(map[string]any)["code"] != "InvalidAuthenticationToken" {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if r := h.graph(http.MethodGet, "/organization", graphToken, nil); r.status != http.StatusOK {
		t.Fatalf("valid token: %d %s", r.status, r.raw)
	}
	h.clock.Advance(time.Hour + time.Second)
	r := h.graph(http.MethodGet, "/organization", graphToken, nil)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("expired: %d", r.status)
	}
	assertContains(t, r.body["error"].(map[string]any)["message"].(string), "expired")
}

func TestExchangeRefusesMissingExpiredAndWrongAudienceTokens(t *testing.T) {
	h := start(t, Options{})
	app := h.app()
	graphAsExchange := caller{h.graphToken(), app.anchor}
	for name, c := range map[string]caller{"missing": {anchor: app.anchor}, "wrong audience": graphAsExchange} {
		r := h.invoke(c, "Get-OrganizationConfig", nil)
		if r.status != http.StatusUnauthorized || r.body["error"].(map[string]any)["code"] != "InvalidAuthenticationToken" {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("%s: no WWW-Authenticate", name)
		}
	}
	h.clock.Advance(2 * time.Hour)
	if r := h.invoke(app, "Get-OrganizationConfig", nil); r.status != http.StatusUnauthorized || r.body["error"].(map[string]any)["code"] != "ExpiredToken" {
		t.Fatalf("expired: %d %s", r.status, r.raw)
	}
}

func TestExchangeForbidsAppWithoutManageAsApp(t *testing.T) {
	h := start(t, Options{})
	c := caller{h.appToken(BuiltinGraphOnlyClientID, BuiltinGraphOnlyClientSecret, exchangeAudience), h.app().anchor}
	r := h.invoke(c, "Get-OrganizationConfig", nil)
	if r.status != http.StatusForbidden || r.body["error"].(map[string]any)["code"] != "Forbidden" {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
}

func TestExchangeForbidsUserWithoutAdminRole(t *testing.T) {
	h := start(t, Options{})
	if r := h.invoke(h.user("adele.vance"), "Get-OrganizationConfig", nil); r.status != http.StatusForbidden || r.raw != strings.Repeat("\x00", 8) {
		t.Fatalf("non-admin user: %d %s", r.status, r.raw)
	}
	if r := h.invoke(h.user("megan.bowen"), "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("admin user: %d %s", r.status, r.raw)
	}
}

func TestExchangeRequiresMatchingAnchorMailbox(t *testing.T) {
	h := start(t, Options{})
	app := h.app()
	megan := h.user("megan.bowen")
	cases := map[string]caller{
		"missing":            {token: app.token},
		"app, other org":     {app.token, "APP:" + appAnchorMailbox + "@fabrikam.onmicrosoft.com"},
		"app with UPN form":  {app.token, "UPN:" + upn("megan.bowen")},
		"user, another UPN":  {megan.token, "UPN:" + upn("lee.gu")},
		"user with APP form": {megan.token, app.anchor},
	}
	for name, c := range cases {
		if r := h.invoke(c, "Get-OrganizationConfig", nil); r.status != http.StatusBadRequest {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
	}
	// The module's APP: form by tenant id, and the UPN: form CISA ScubaGear and CIPP send for apps.
	for _, anchor := range []string{"APP:" + appAnchorMailbox + "@" + BuiltinTenantID, "UPN:" + appAnchorMailbox + "@" + BuiltinDomain} {
		if r := h.invoke(caller{app.token, anchor}, "Get-OrganizationConfig", nil); r.status != http.StatusOK {
			t.Fatalf("anchor %s: %d %s", anchor, r.status, r.raw)
		}
	}
}

func TestExchangeAcceptsDomainAndV1InURL(t *testing.T) {
	h := start(t, Options{})
	rawURL := h.srv.BaseURL() + "/exchange/adminapi/v1.0/" + BuiltinDomain + "/InvokeCommand"
	r := h.invokeURL(rawURL, h.app(), "Get-OrganizationConfig", nil, map[string]string{"client-request-id": "abc"})
	if r.status != http.StatusOK || r.header.Get("client-request-id") != "abc" || r.header.Get("request-id") == "" || r.header.Get("x-ms-request-id") == "" {
		t.Fatalf("got %d %v %s", r.status, r.header, r.raw)
	}
}
