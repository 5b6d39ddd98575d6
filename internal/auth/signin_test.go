package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Azure DevOps answers a POST for the named service connection, as Azure Pipelines documents it.
func TestOIDCAzureDevOpsTokenRequest(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case r.Method != http.MethodPost:
			http.Error(w, "method "+r.Method, http.StatusMethodNotAllowed)
		case r.Header.Get("Authorization") != "Bearer system-access-token":
			http.Error(w, "bad authorization", http.StatusUnauthorized)
		case q.Get("api-version") != "7.1" || q.Get("serviceConnectionId") != "connection-1" || q.Get("jobId") != "j":
			http.Error(w, "bad query "+r.URL.RawQuery, http.StatusBadRequest)
		case r.Header.Get("X-TFS-FedAuthRedirect") != "Suppress":
			http.Redirect(w, r, "/signin", http.StatusFound)
		default:
			_ = json.NewEncoder(w).Encode(map[string]string{"oidcToken": "ado-id-token"})
		}
	}))
	defer srv.Close()

	assertion, err := assertionSource(Settings{OIDCRequestURL: srv.URL + "/oidctoken?jobId=j", OIDCRequestToken: "system-access-token",
		ADOServiceConnectionID: "connection-1", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := assertion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != "ado-id-token" {
		t.Errorf("assertion = %q, want ado-id-token", got)
	}
}

// msi_endpoint takes the managed identity token request, query and headers unchanged.
func TestManagedIdentityCustomEndpoint(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/msi/token" || r.Header.Get("Metadata") != "true" ||
			r.URL.Query().Get("resource") != "https://graph.microsoft.com" || r.URL.Query().Get("client_id") != testClient {
			http.Error(w, "unexpected request "+r.URL.String(), http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{
			"access_token": "msi-token", "expires_in": "3600", "expires_on": "4102444800",
			"resource": "https://graph.microsoft.com", "token_type": "Bearer",
		})
	}))
	defer srv.Close()

	cred, method, err := NewCredential(Settings{UseMSI: true, ClientID: testClient, MSIEndpoint: srv.URL + "/msi/token"})
	if err != nil || method != MethodMSI {
		t.Fatalf("NewCredential: %v, %s", err, method)
	}
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	if tok.Token != "msi-token" || calls.Load() != 1 {
		t.Errorf("token %q after %d calls to the endpoint", tok.Token, calls.Load())
	}
}

// A refused sign-in is asked for once however many resources need a token at the same time, for
// whichever token; every caller gets the full story, and exactly one may report it in full.
func TestRefusedSignInIsReportedOnce(t *testing.T) {
	var tokenRequests atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		tokenRequests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": "invalid_client",
			"error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": []int{7000215}})
	}))
	defer srv.Close()
	cred, _, err := NewCredential(Settings{TenantID: testTenant, ClientID: testClient, ClientSecret: testSecret,
		AuthorityHost: srv.URL + "/", CustomAuthority: true, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}

	const callers = 6
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://outlook.office365.com/.default"}})
		}()
	}
	wg.Wait()

	// A wrong secret is refused for the other service's token too: it is asked for once more, and
	// reported in full by nobody, as the first refusal already was.
	_, graphErr := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	errs = append(errs[:callers:callers], graphErr)

	firstReports := 0
	for _, err := range errs {
		var signIn *SignInError
		if !errors.As(err, &signIn) {
			t.Fatalf("error %v is %T, want *SignInError", err, err)
		}
		var authErr *azidentity.AuthenticationFailedError
		if !errors.As(err, &authErr) {
			t.Errorf("error %v does not keep the identity platform's error", err)
		}
		if strings.Contains(err.Error(), testSecret) || strings.Contains(signIn.Hint, testSecret) {
			t.Errorf("error %q shows the secret", err)
		}
		for _, want := range []string{"client secret from client_secret (ARM_CLIENT_SECRET)", testClient, testTenant,
			"/.default from " + srv.URL + "/" + testTenant, "AADSTS7000215"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		for _, want := range []string{"Sign-in was refused", "secrets expire", "Only the first configured method"} {
			if !strings.Contains(signIn.Hint, want) {
				t.Errorf("hint %q does not say %q", signIn.Hint, want)
			}
		}
		if signIn.FirstReport() {
			firstReports++
		}
	}
	if firstReports != 1 {
		t.Errorf("%d of %d callers may report the refusal in full, want 1", firstReports, len(errs))
	}
	if n := tokenRequests.Load(); n != 2 {
		t.Errorf("the token endpoint was asked %d times, want once per token", n)
	}
}

// A failure worth retrying is not remembered, and each caller reports its own.
func TestUnansweredSignInIsReportedEachTime(t *testing.T) {
	err := &SignInError{Cause: errors.New("dial tcp: connection refused")}
	if first, second := err.FirstReport(), err.FirstReport(); !first || !second {
		t.Error("a failure that was not a refusal is reported in full only once")
	}
}

// Only a refusal is remembered: a sign-in that failed on the way (no answer, a 5xx) is tried again.
func TestLastingSignInFailures(t *testing.T) {
	answered := func(status int) error {
		return &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: status}}
	}
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"refused":          {answered(http.StatusUnauthorized), true},
		"bad request":      {answered(http.StatusBadRequest), true},
		"service busy":     {answered(http.StatusServiceUnavailable), false},
		"no answer":        {&azidentity.AuthenticationFailedError{}, false},
		"plain error":      {errors.New("dial tcp: connection refused"), false},
		"context canceled": {context.Canceled, false},
	} {
		if got := lasting(tc.err); got != tc.want {
			t.Errorf("%s: lasting = %v, want %v", name, got, tc.want)
		}
	}
}

// A run's first Exchange and Graph tokens are asked for at the same time: waiting for the first
// token of one scope must not hold up the other's, which would add a round trip to every plan.
func TestFirstTokensOfTwoScopesAreRequestedTogether(t *testing.T) {
	var inFlight, most atomic.Int32
	bothArrived := make(chan struct{})
	var arrived sync.Once
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for seen := most.Load(); now > seen; seen = most.Load() {
			if most.CompareAndSwap(seen, now) {
				break
			}
		}
		if now == 2 {
			arrived.Do(func() { close(bothArrived) })
		}
		select { // hold the answer until the other request arrives, or give up
		case <-bothArrived:
		case <-time.After(2 * time.Second):
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": "t"})
	}))
	defer srv.Close()
	cred, _, err := NewCredential(Settings{TenantID: testTenant, ClientID: testClient, ClientSecret: testSecret,
		AuthorityHost: srv.URL + "/", CustomAuthority: true, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, scope := range []string{"https://outlook.office365.com/.default", "https://graph.microsoft.com/.default"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
				t.Errorf("token for %s: %v", scope, err)
			}
		}()
	}
	wg.Wait()
	if got := most.Load(); got != 2 {
		t.Errorf("at most %d token request(s) were in flight at once, want the two scopes' requests together", got)
	}
}

func TestUnreachable(t *testing.T) {
	for text, want := range map[string]string{
		`ClientSecretCredential: server response error: Post "https://127.0.0.1:36189/t/oauth2/v2.0/token": dial tcp 127.0.0.1:36189: connect: connection refused. To troubleshoot`: "127.0.0.1:36189 (connection refused)",
		`Post "https://login.example/t": dial tcp: lookup login.example on 10.0.0.2:53: no such host`:                                                                               "login.example (no such host)",
		`AADSTS7000215: Invalid client secret provided.`: "",
	} {
		got, ok := Unreachable(errors.New(text))
		if got != want || ok != (want != "") {
			t.Errorf("Unreachable(%q) = %q, %v; want %q", text, got, ok, want)
		}
	}
}
