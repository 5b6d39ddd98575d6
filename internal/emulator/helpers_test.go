package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	sharedCAOnce sync.Once
	sharedCA     *CA
)

func testCA(t *testing.T) *CA {
	t.Helper()
	sharedCAOnce.Do(func() {
		ca, err := NewCA()
		if err != nil {
			panic(err)
		}
		sharedCA = ca
	})
	return sharedCA
}

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t      *testing.T
	srv    *Server
	client *http.Client
	clock  *fakeClock
}

func start(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	opts.CA = testCA(t)
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	srv, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := opts.CA.HTTPClient()
	// Compression off: tests see the bytes as sent, such as the bare 403's NULs declared gzip.
	client.Transport.(*http.Transport).DisableCompression = true
	return &harness{t: t, srv: srv, client: client, clock: clock}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (h *harness) tokenRequest(form url.Values) response {
	h.t.Helper()
	return h.tokenRequestTo(BuiltinTenantID, form)
}

// tokenRequestTo asks the token endpoint of the tenant that segment (an id or a domain) names.
func (h *harness) tokenRequestTo(segment string, form url.Values) response {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.t.Context(), http.MethodPost, h.srv.BaseURL()+"/"+segment+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

func (h *harness) appToken(clientID, secret, resource string) string {
	h.t.Helper()
	r := h.tokenRequest(url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID},
		"client_secret": {secret}, "scope": {resource + "/.default"}})
	if r.status != http.StatusOK {
		h.t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r.body["access_token"].(string)
}

func (h *harness) userToken(alias, resource string) string {
	h.t.Helper()
	r := h.tokenRequest(url.Values{"grant_type": {"password"}, "client_id": {BuiltinClientID},
		"username": {alias + "@" + BuiltinDomain}, "password": {BuiltinPassword},
		"scope": {resource + "/.default openid profile offline_access"}})
	if r.status != http.StatusOK {
		h.t.Fatalf("password token: %d %s", r.status, r.raw)
	}
	return r.body["access_token"].(string)
}

// caller is who runs a cmdlet: an app (anchor APP:...) or a user (anchor UPN:...).
type caller struct {
	token, anchor string
}

func (h *harness) app() caller {
	return caller{h.appToken(BuiltinClientID, BuiltinClientSecret, exchangeAudience), "APP:" + appAnchorMailbox + "@" + BuiltinDomain}
}

func (h *harness) user(alias string) caller {
	return caller{h.userToken(alias, exchangeAudience), "UPN:" + alias + "@" + BuiltinDomain}
}

func (h *harness) invokeURL(rawURL string, c caller, cmdlet string, params map[string]any, header map[string]string) response {
	h.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequestWithContext(h.t.Context(), http.MethodPost, rawURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.anchor != "" {
		req.Header.Set("X-AnchorMailbox", c.anchor)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return h.do(req)
}

func (h *harness) invokeEndpoint() string {
	return h.srv.BaseURL() + "/exchange/adminapi/beta/" + BuiltinTenantID + "/InvokeCommand"
}

func (h *harness) invoke(c caller, cmdlet string, params map[string]any) response {
	h.t.Helper()
	return h.invokeURL(h.invokeEndpoint(), c, cmdlet, params, nil)
}

// mustInvoke runs a cmdlet that must succeed and returns its values (all pages).
func (h *harness) mustInvoke(c caller, cmdlet string, params map[string]any) []map[string]any {
	h.t.Helper()
	var values []map[string]any
	next := h.invokeEndpoint()
	for next != "" {
		r := h.invokeURL(next, c, cmdlet, params, nil)
		if r.status != http.StatusOK {
			h.t.Fatalf("%s: %d %s", cmdlet, r.status, r.raw)
		}
		for _, v := range r.body["value"].([]any) {
			values = append(values, v.(map[string]any))
		}
		next, _ = r.body["@odata.nextLink"].(string)
	}
	return values
}

// cmdletFailure asserts a cmdlet error in the observed envelope (400, 404 or 500 with the matching
// code) and returns its detail "ErrorId|ExceptionType|text".
func (h *harness) cmdletFailure(c caller, cmdlet string, params map[string]any) string {
	h.t.Helper()
	r := h.invoke(c, cmdlet, params)
	codes := map[int]string{http.StatusBadRequest: "BadRequest", http.StatusNotFound: "NotFound", http.StatusInternalServerError: "InternalServerError"}
	errObj, _ := r.body["error"].(map[string]any)
	if codes[r.status] == "" || errObj["code"] != codes[r.status] || errObj["message"] != "Error executing cmdlet" {
		h.t.Fatalf("%s: want a cmdlet error envelope, got %d %s", cmdlet, r.status, r.raw)
	}
	return errObj["details"].([]any)[0].(map[string]any)["message"].(string)
}

func (h *harness) graph(method, path, token string, body any) response {
	h.t.Helper()
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	target := path
	if !strings.HasPrefix(path, "https://") {
		target = h.srv.BaseURL() + "/graph/v1.0" + path
	}
	req, _ := http.NewRequestWithContext(h.t.Context(), method, target, reader)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.do(req)
}

func (h *harness) graphToken() string {
	return h.appToken(BuiltinClientID, BuiltinClientSecret, graphAudience)
}

// newSecurityGroup creates a mail-enabled security group as the app and returns its address.
func (h *harness) newSecurityGroup(name string, members ...string) string {
	h.t.Helper()
	params := map[string]any{"Name": name, "Type": "Security"}
	if len(members) > 0 {
		params["Members"] = members
	}
	out := h.mustInvoke(h.app(), "New-DistributionGroup", params)
	return out[0]["PrimarySmtpAddress"].(string)
}

func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func upn(alias string) string { return alias + "@" + BuiltinDomain }

func assertContains(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Fatalf("%q does not contain %q", got, want)
	}
}
