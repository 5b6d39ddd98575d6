package auth

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDocumentedDiscoveryAnswersTheOpenIDConfiguration(t *testing.T) {
	var reached []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, r.Method+" "+r.URL.Path)
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	client := &http.Client{Transport: documentedDiscovery{next: srv.Client().Transport}}
	send := func(method, path string, body io.Reader) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	resp := send(http.MethodGet, "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration", nil)
	var doc map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	base := srv.URL + "/contoso.onmicrosoft.com"
	want := map[string]string{
		"issuer":                 base + "/v2.0",
		"authorization_endpoint": base + "/oauth2/v2.0/authorize",
		"token_endpoint":         base + "/oauth2/v2.0/token",
	}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %q, want %q", k, doc[k], v)
		}
	}

	// Anything else reaches the server: tokens, instance discovery, paths under a prefix.
	for _, path := range []string{"/common/discovery/instance", "/prefix/contoso/v2.0/.well-known/openid-configuration"} {
		send(http.MethodGet, path, nil).Body.Close()
	}
	send(http.MethodPost, "/contoso/oauth2/v2.0/token", strings.NewReader("x=1")).Body.Close()
	wantReached := "GET /common/discovery/instance\nGET /prefix/contoso/v2.0/.well-known/openid-configuration\nPOST /contoso/oauth2/v2.0/token"
	if got := strings.Join(reached, "\n"); got != wantReached {
		t.Errorf("the server saw:\n%s\nwant:\n%s", got, wantReached)
	}
}
