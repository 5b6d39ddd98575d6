package exchange

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	testTenant       = "11111111-2222-3333-4444-555555555555"
	testOrganization = "contoso.onmicrosoft.com"
	testScope        = "https://outlook.office365.com/.default"
)

// testJWT builds a JWT-shaped token with the given payload claims (the client never verifies
// the signature).
func testJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(payload) + ".c2lnbmF0dXJl"
}

func appOnlyToken(t *testing.T) string {
	return testJWT(t, map[string]any{"aud": "https://outlook.office365.com", "idtyp": "app", "roles": []string{"Exchange.ManageAsApp"}})
}

func delegatedToken(t *testing.T) string {
	return testJWT(t, map[string]any{"aud": "https://outlook.office365.com", "upn": "admin@contoso.com", "scp": "Exchange.Manage"})
}

type fakeCredential struct {
	mu        sync.Mutex
	token     string
	expiresOn time.Time
	calls     int
	scopes    [][]string
	claims    []string
}

func (f *fakeCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.scopes = append(f.scopes, opts.Scopes)
	f.claims = append(f.claims, opts.Claims)
	return azcore.AccessToken{Token: f.token, ExpiresOn: f.expiresOn}, nil
}

func (f *fakeCredential) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeClock advances only when the client sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	f.now = f.now.Add(d)
	return nil
}

func (f *fakeClock) slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// seen is one request the fake service received.
type seen struct {
	Path   string
	Query  string
	Header http.Header
	Body   string
	Cmdlet string
	Params map[string]any
}

// fakeService answers with handle; it records every request first.
type fakeService struct {
	t      *testing.T
	server *httptest.Server
	mu     sync.Mutex
	seen   []seen
	handle func(w http.ResponseWriter, r *http.Request, req seen, n int)
}

func (s *fakeService) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.seen...)
}

// count is how many requests ran the cmdlet.
func (s *fakeService) count(cmdlet string) int {
	n := 0
	for _, r := range s.requests() {
		if r.Cmdlet == cmdlet {
			n++
		}
	}
	return n
}

// endpoint is where the fake service listens; the /exchange prefix shows paths are joined.
func (s *fakeService) endpoint() string { return s.server.URL + "/exchange" }

type harness struct {
	svc    *fakeService
	client *Client
	clock  *fakeClock
	cred   *fakeCredential
}

type option func(*Config)

func newHarness(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, req seen, n int), opts ...option) *harness {
	t.Helper()
	svc := &fakeService{t: t, handle: handle}
	svc.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		req := seen{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(data)}
		var env struct {
			CmdletInput struct {
				CmdletName string
				Parameters map[string]any
			}
		}
		if err := json.Unmarshal(data, &env); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		req.Cmdlet, req.Params = env.CmdletInput.CmdletName, env.CmdletInput.Parameters
		svc.mu.Lock()
		svc.seen = append(svc.seen, req)
		n := len(svc.seen)
		svc.mu.Unlock()
		svc.handle(w, r, req, n)
	}))
	t.Cleanup(svc.server.Close)

	clock := &fakeClock{now: time.Now().Truncate(time.Second)}
	cred := &fakeCredential{token: appOnlyToken(t), expiresOn: clock.now.Add(time.Hour)}
	cfg := Config{
		Endpoint:     svc.endpoint(),
		Tenant:       testTenant,
		Organization: testOrganization,
		Scope:        testScope,
		Credential:   cred,
		HTTPClient:   svc.server.Client(),
		UserAgent:    "o365pam-test/1.0",
		Clock:        clock,
	}
	for _, o := range opts {
		o(&cfg)
	}
	client, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Exact waits make backoff assertions possible; the default jitter has its own test.
	client.jitter = func(d time.Duration) time.Duration { return d }
	return &harness{svc: svc, client: client, clock: clock, cred: cred}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeValues answers a successful page.
func writeValues(w http.ResponseWriter, nextLink string, values ...map[string]any) {
	if values == nil {
		values = []map[string]any{}
	}
	body := map[string]any{"@odata.context": "https://example/adminapi/beta/$metadata#Collection", "value": values}
	if nextLink != "" {
		body["@odata.nextLink"] = nextLink
	}
	writeJSON(w, http.StatusOK, body)
}

// writeFault answers a cmdlet failure in the observed Exchange shape: 404 NotFound for a missing
// object, 400 BadRequest for anything else.
func writeFault(w http.ResponseWriter, exceptionType, text string) {
	status, code := http.StatusBadRequest, "BadRequest"
	if strings.HasSuffix(exceptionType, "NotFoundException") {
		status, code = http.StatusNotFound, "NotFound"
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code":    code,
		"message": "Error executing cmdlet",
		"details": []map[string]any{{"code": "Client", "target": "", "message": fmt.Sprintf("Ex6F9304|%s|%s", exceptionType, text)}},
		"innererror": map[string]any{"message": "Error executing cmdlet",
			"type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"},
	}})
}

const (
	notFoundException      = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	alreadyExistsException = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectAlreadyExistsException"
)

func writeNotFound(w http.ResponseWriter, identity string) {
	writeFault(w, notFoundException,
		fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on 'NAMPR01A001DC01.NAMPR01A001.prod.outlook.com'.", identity))
}

// dropConnection closes the connection without answering, as a cut network would.
func dropConnection(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}
