package auth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// openIDConfigurationSuffix ends the path of an authority's OpenID configuration:
// {authority}/{tenant}/v2.0/.well-known/openid-configuration.
const openIDConfigurationSuffix = "/v2.0/.well-known/openid-configuration"

// documentedDiscovery answers MSAL's request for the authority's OpenID configuration from the
// documented endpoint layout instead of the network. MSAL fetches that document before the first
// token of every process, and a provider process lives for one Terraform command, so the fetch
// would cost every plan a round trip to the authority before anything else can start. The
// document only tells MSAL where the token endpoint is, and that is documented for every
// cloud: {authority}/{tenant}/oauth2/v2.0/token. A wrong tenant is still refused, by the token
// endpoint. Every other request (tokens, managed identity) goes to next.
type documentedDiscovery struct {
	next http.RoundTripper
}

func (d documentedDiscovery) RoundTrip(r *http.Request) (*http.Response, error) {
	// Only /{tenant}/v2.0/.well-known/openid-configuration at the host's root has a documented answer.
	tenant, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), openIDConfigurationSuffix)
	if r.Method != http.MethodGet || !ok || tenant == "" || strings.Contains(tenant, "/") {
		return d.next.RoundTrip(r)
	}
	tenantBase := r.URL.Scheme + "://" + r.URL.Host + "/" + tenant
	if r.Body != nil {
		r.Body.Close()
	}
	body, err := json.Marshal(map[string]string{
		"issuer":                 tenantBase + "/v2.0",
		"authorization_endpoint": tenantBase + "/oauth2/v2.0/authorize",
		"token_endpoint":         tenantBase + "/oauth2/v2.0/token",
	})
	if err != nil {
		return nil, err
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}
