package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestClientCredentialsTokenCarriesAppClaims(t *testing.T) {
	h := start(t, Options{})
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {BuiltinClientID},
		"client_secret": {BuiltinClientSecret}, "scope": {"https://outlook.office365.com/.default"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(3600) {
		t.Fatalf("unexpected token response %v", r.body)
	}
	claims := jwtClaims(t, r.body["access_token"].(string))
	if claims["aud"] != exchangeAudience || claims["tid"] != BuiltinTenantID || claims["appid"] != BuiltinClientID || claims["idtyp"] != "app" {
		t.Fatalf("claims %v", claims)
	}
	if roles := claims["roles"].([]any); len(roles) != 1 || roles[0] != "Exchange.ManageAsApp" {
		t.Fatalf("roles %v", roles)
	}
	if _, hasUPN := claims["upn"]; hasUPN {
		t.Fatal("app token must not carry upn")
	}
	if wids, _ := claims["wids"].([]any); len(wids) != 1 || wids[0] != "29232cdf-9323-42fd-ade2-1d097af3e4de" {
		t.Fatalf("wids %v, want the Exchange Administrator role's template id", claims["wids"])
	}
	exp := int64(claims["exp"].(float64))
	if want := h.clock.Now().Add(time.Hour).Unix(); exp != want {
		t.Fatalf("exp %d, want %d", exp, want)
	}
}

func TestTokenLifetimeOption(t *testing.T) {
	h := start(t, Options{TokenLifetime: 10 * time.Minute})
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {BuiltinClientID},
		"client_secret": {BuiltinClientSecret}, "scope": {"https://graph.microsoft.com/.default"}})
	if r.body["expires_in"] != float64(600) {
		t.Fatalf("expires_in %v", r.body["expires_in"])
	}
}

func TestTenantDomainAcceptedAsSigninTenant(t *testing.T) {
	h := start(t, Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {BuiltinClientID},
		"client_secret": {BuiltinClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.BaseURL()+"/"+BuiltinDomain+"/oauth2/v2.0/token", stringsReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := h.do(req); r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
}

func TestTokenRefusals(t *testing.T) {
	h := start(t, Options{})
	base := func() url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {BuiltinClientID},
			"client_secret": {BuiltinClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	}
	cases := []struct {
		name   string
		change func(url.Values)
		status int
		code   string
		aadsts float64
	}{
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "nope") }, 401, "invalid_client", 7000215},
		{"missing secret", func(v url.Values) { v.Del("client_secret") }, 401, "invalid_client", 7000218},
		{"unknown client", func(v url.Values) { v.Set("client_id", "00000000-0000-0000-0000-000000000001") }, 400, "unauthorized_client", 700016},
		{"foreign resource", func(v url.Values) { v.Set("scope", "https://management.azure.com/.default") }, 400, "invalid_resource", 500011},
		{"not .default", func(v url.Values) { v.Set("scope", "https://graph.microsoft.com/User.Read") }, 400, "invalid_scope", 1002012},
		{"unsupported grant", func(v url.Values) { v.Set("grant_type", "authorization_code") }, 400, "unsupported_grant_type", 70003},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := base()
			tc.change(form)
			r := h.tokenRequest(form)
			if r.status != tc.status || r.body["error"] != tc.code {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
			if codes := r.body["error_codes"].([]any); codes[0] != tc.aadsts {
				t.Fatalf("error_codes %v", codes)
			}
			for _, key := range []string{"timestamp", "trace_id", "correlation_id"} {
				if r.body[key] == "" || r.body[key] == nil {
					t.Fatalf("missing %s in %s", key, r.raw)
				}
			}
			assertContains(t, r.body["error_description"].(string), "AADSTS")
		})
	}
}

func TestUnknownTenantRefused(t *testing.T) {
	h := start(t, Options{})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.srv.BaseURL()+"/fabrikam.onmicrosoft.com/oauth2/v2.0/token", stringsReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := h.do(req)
	if r.status != http.StatusBadRequest || r.body["error"] != "invalid_request" || r.body["error_codes"].([]any)[0] != float64(90002) {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
}

func TestPasswordGrantGivesDelegatedToken(t *testing.T) {
	h := start(t, Options{})
	claims := jwtClaims(t, h.userToken("megan.bowen", exchangeAudience))
	if claims["upn"] != upn("megan.bowen") || claims["scp"] != "AdminApi.AccessAsUser.All" {
		t.Fatalf("claims %v", claims)
	}
	if _, isApp := claims["idtyp"]; isApp {
		t.Fatal("delegated token must not say idtyp")
	}
	// Organization Management is an Exchange role group, not an Entra role: no claim.
	if wids, listed := claims["wids"]; listed {
		t.Fatalf("wids %v for a user without Entra roles; want no claim", wids)
	}
	r := h.tokenRequest(url.Values{"grant_type": {"password"}, "client_id": {BuiltinClientID},
		"username": {upn("megan.bowen")}, "password": {"wrong"}, "scope": {"https://outlook.office365.com/.default"}})
	if r.status != http.StatusBadRequest || r.body["error"] != "invalid_grant" || r.body["error_codes"].([]any)[0] != float64(50126) {
		t.Fatalf("wrong password: %d %s", r.status, r.raw)
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	h := start(t, Options{})
	get := func(path string) response {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.srv.BaseURL()+path, nil)
		return h.do(req)
	}
	r := get("/" + BuiltinDomain + "/v2.0/.well-known/openid-configuration")
	if r.status != http.StatusOK {
		t.Fatalf("discovery %d", r.status)
	}
	want := h.srv.BaseURL() + "/" + BuiltinTenantID
	if r.body["issuer"] != want+"/v2.0" || r.body["token_endpoint"] != want+"/oauth2/v2.0/token" ||
		r.body["authorization_endpoint"] != want+"/oauth2/v2.0/authorize" || r.body["jwks_uri"] != want+"/discovery/v2.0/keys" {
		t.Fatalf("discovery %v", r.body)
	}
	if keys := get("/" + BuiltinTenantID + "/discovery/v2.0/keys"); len(keys.body["keys"].([]any)) != 1 {
		t.Fatalf("keys %s", keys.raw)
	}
	if r := get("/common/discovery/instance?api-version=1.1&authorization_endpoint=x"); r.status != http.StatusOK || r.body["tenant_discovery_endpoint"] == nil {
		t.Fatalf("instance discovery %d %s", r.status, r.raw)
	}
	if r := get("/common/UserRealm/" + upn("lee.gu") + "?api-version=1.0"); r.body["account_type"] != "Managed" {
		t.Fatalf("user realm %s", r.raw)
	}
	if r := get("/nowhere.example/v2.0/.well-known/openid-configuration"); r.status != http.StatusBadRequest {
		t.Fatalf("unknown tenant discovery %d", r.status)
	}
}
