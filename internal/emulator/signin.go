package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// OpenID scopes MSAL adds to every token request (client credentials too); the service
// ignores them next to the resource scope.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

func (s *Server) signinRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/discovery/instance", s.serveInstanceDiscovery)
	mux.HandleFunc("GET /common/UserRealm/{user}", s.serveUserRealm)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.serveOpenIDConfiguration)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.serveKeys)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken)
	return mux
}

// tenantForSignin resolves the {tenant} path segment, a tenant id or domain, to the tenant id,
// or "" when unknown. "common" and "organizations" are accepted for discovery only.
func (s *Server) tenantForSignin(segment string) string {
	if h := s.hosted(segment); h != nil {
		return h.id
	}
	return ""
}

func (s *Server) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	segment := r.PathValue("tenant")
	tid := s.tenantForSignin(segment)
	if tid == "" && segment != "common" && segment != "organizations" {
		s.writeAADError(w, r, http.StatusBadRequest, "invalid_tenant", 90002, unknownTenantText(segment))
		return
	}
	if tid == "" {
		tid = segment
	}
	base := s.baseURL + "/" + tid
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid", "preferred_username", "ver"},
		"request_uri_parameter_supported":       false,
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

// serveInstanceDiscovery answers MSAL's authority validation with the emulator as the only
// alias, so a client that did not disable instance discovery still works.
func (s *Server) serveInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	tenant := "common"
	if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); first != "" {
			tenant = first
		}
	}
	host := strings.TrimPrefix(s.baseURL, "https://")
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.baseURL + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}

// serveUserRealm tells MSAL's password grant that the tenant's users are managed (not federated).
func (s *Server) serveUserRealm(w http.ResponseWriter, r *http.Request) {
	_, domain, _ := strings.Cut(r.PathValue("user"), "@")
	h := s.hosted(domain)
	known := h != nil && !strings.EqualFold(h.id, domain)
	accountType := "Unknown"
	if known {
		accountType = "Managed"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ver":                 "1.0",
		"account_type":        accountType,
		"domain_name":         domain,
		"cloud_instance_name": "microsoftonline.com",
		"cloud_audience_urn":  "urn:federation:MicrosoftOnline",
	})
}

func (s *Server) serveKeys(w http.ResponseWriter, _ *http.Request) {
	// An uncompressed P-256 point: 0x04, then X and Y at 32 bytes each, as the JWK wants them.
	point, err := s.signingKey.PublicKey.Bytes()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	enc := base64.RawURLEncoding
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "EC", "use": "sig", "crv": "P-256", "alg": "ES256", "kid": s.keyID,
		"x": enc.EncodeToString(point[1:33]),
		"y": enc.EncodeToString(point[33:65]),
	}}})
}

// aadError is a refusal from the token endpoint in the Entra ID shape.
type aadError struct {
	status int
	code   string
	aadsts int
	text   string
}

func (e *aadError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.aadsts, e.text) }

func unknownTenantText(segment string) string {
	return fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", segment)
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	infoFrom(r).tenant = s.hosted(r.PathValue("tenant"))
	s.count(r, serviceToken, "")
	resp, aerr := s.grantToken(r)
	if aerr != nil {
		s.writeAADError(w, r, aerr.status, aerr.code, aerr.aadsts, aerr.text)
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// grantToken validates a token request and returns the response body.
func (s *Server) grantToken(r *http.Request) (map[string]any, *aadError) {
	if err := r.ParseForm(); err != nil {
		return nil, &aadError{http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."}
	}
	form := r.PostForm
	segment := r.PathValue("tenant")
	h := s.hosted(segment)
	if h == nil {
		return nil, &aadError{http.StatusBadRequest, "invalid_request", 90002, unknownTenantText(segment)}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.liveLocked()
	grant := form.Get("grant_type")
	if grant == "" {
		return nil, missingParameter("grant_type")
	}
	if grant != "client_credentials" && grant != "password" {
		return nil, &aadError{http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant)}
	}
	clientID := form.Get("client_id")
	if clientID == "" {
		return nil, missingParameter("client_id")
	}
	app := t.app(clientID)
	if app == nil {
		return nil, &aadError{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, t.DisplayName)}
	}
	if aerr := checkClientSecret(app, form, grant == "client_credentials"); aerr != nil {
		return nil, aerr
	}
	audience, aerr := resourceFromScope(form.Get("scope"), t.DisplayName)
	if aerr != nil {
		return nil, aerr
	}
	var user *User
	if grant == "password" {
		if user, aerr = checkPassword(t, form.Get("username"), form.Get("password")); aerr != nil {
			return nil, aerr
		}
	}
	access, err := s.issueAccessToken(t, audience, app, user)
	if err != nil {
		return nil, &aadError{http.StatusInternalServerError, "temporarily_unavailable", 50000, "There was an error issuing a token."}
	}
	lifetime := int(s.opts.TokenLifetime.Seconds())
	resp := map[string]any{"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access}
	if user != nil {
		idToken, err := s.signIDToken(t, app, user)
		if err != nil {
			return nil, &aadError{http.StatusInternalServerError, "temporarily_unavailable", 50000, "There was an error issuing a token."}
		}
		info, _ := json.Marshal(map[string]string{"uid": user.ID, "utid": t.TenantID})
		resp["scope"] = form.Get("scope")
		resp["id_token"] = idToken
		resp["client_info"] = base64.RawURLEncoding.EncodeToString(info)
	}
	return resp, nil
}

func missingParameter(name string) *aadError {
	return &aadError{http.StatusBadRequest, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", name)}
}

// checkClientSecret requires the secret for a confidential grant; a public-client password
// grant may omit it, but a wrong one is always refused.
func checkClientSecret(app *App, form url.Values, required bool) *aadError {
	if form.Get("client_assertion") != "" {
		return &aadError{http.StatusUnauthorized, "invalid_client", 700027, fmt.Sprintf("The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", app.ClientID)}
	}
	secret, given := form["client_secret"]
	switch {
	case !given && required:
		return &aadError{http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	case given && (app.Secret == "" || secret[0] != app.Secret):
		return &aadError{http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)}
	}
	return nil
}

// resourceFromScope accepts exactly one "<resource>/.default" scope naming the public-cloud
// Graph or Exchange resource, next to any OpenID scopes.
func resourceFromScope(scope, tenantName string) (string, *aadError) {
	if strings.TrimSpace(scope) == "" {
		return "", missingParameter("scope")
	}
	var resources []string
	for _, sc := range strings.Fields(scope) {
		if oidcScopes[strings.ToLower(sc)] {
			continue
		}
		resources = append(resources, sc)
	}
	if len(resources) != 1 || !strings.HasSuffix(strings.ToLower(resources[0]), "/.default") {
		return "", &aadError{http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}
	}
	resource := strings.TrimSuffix(resources[0][:len(resources[0])-len("/.default")], "/")
	for _, aud := range []string{graphAudience, exchangeAudience} {
		if strings.EqualFold(resource, aud) {
			return aud, nil
		}
	}
	return "", &aadError{http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenantName)}
}

func checkPassword(t *Tenant, username, password string) (*User, *aadError) {
	if username == "" {
		return nil, missingParameter("username")
	}
	user := t.userByUPN(username)
	if user == nil {
		return nil, &aadError{http.StatusBadRequest, "invalid_grant", 50034, fmt.Sprintf("The user account {EUII Hidden} does not exist in the %s directory. To sign into this application, the account must be added to the directory.", t.InitialDomain())}
	}
	if user.Password == "" || password != user.Password {
		return nil, &aadError{http.StatusBadRequest, "invalid_grant", 50126, "Error validating credentials due to invalid username or password."}
	}
	if !user.AccountEnabled {
		return nil, &aadError{http.StatusBadRequest, "invalid_grant", 50057, "The user account is disabled."}
	}
	return user, nil
}

// writeAADError answers in the Entra ID error shape, including the trace lines the real
// service appends to error_description.
func (s *Server) writeAADError(w http.ResponseWriter, r *http.Request, status int, code string, aadsts int, text string) {
	traceID := newGUID()
	correlationID := r.Header.Get("client-request-id")
	if correlationID == "" {
		correlationID = newGUID()
	}
	stamp := s.opts.Now().UTC().Format("2006-01-02 15:04:05Z")
	desc := fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", aadsts, text, traceID, correlationID, stamp)
	writeJSON(w, status, map[string]any{
		"error":             code,
		"error_description": desc,
		"error_codes":       []int{aadsts},
		"timestamp":         stamp,
		"trace_id":          traceID,
		"correlation_id":    correlationID,
		"error_uri":         fmt.Sprintf("%s/error?code=%d", s.baseURL, aadsts),
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
