package graph

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

const (
	testScope     = "https://graph.microsoft.com/.default"
	testToken     = "test-access-token"
	testUserAgent = "terraform-provider-o365pam/test"
)

type staticCredential struct{}

func (staticCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) != 1 || opts.Scopes[0] != testScope {
		return azcore.AccessToken{}, fmt.Errorf("unexpected scopes %v", opts.Scopes)
	}
	return azcore.AccessToken{Token: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// seenRequest is what the fake Graph received.
type seenRequest struct {
	Path, Query, Authorization, ClientRequestID, UserAgent string
}

// fakeGraph serves Graph-shaped answers under /graph/v1.0, as a service behind a path prefix.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

// newFakeGraph starts a server; handle answers each request (the path excludes /graph/v1.0).
func newFakeGraph(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, path string)) (*fakeGraph, *Client) {
	t.Helper()
	fg := &fakeGraph{}
	fg.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fg.mu.Lock()
		fg.seen = append(fg.seen, seenRequest{
			Path: r.URL.Path, Query: r.URL.Query().Encode(), Authorization: r.Header.Get("Authorization"),
			ClientRequestID: r.Header.Get("client-request-id"), UserAgent: r.Header.Get("User-Agent"),
		})
		fg.mu.Unlock()
		path, ok := strings.CutPrefix(r.URL.Path, "/graph/v1.0")
		if !ok {
			http.NotFound(w, r)
			return
		}
		handle(w, r, path)
	}))
	t.Cleanup(fg.Close)
	client, err := New(Config{
		Endpoint: fg.URL + "/graph", Scope: testScope, Credential: staticCredential{},
		HTTPClient: fg.Client(), UserAgent: testUserAgent,
	})
	if err != nil {
		t.Fatal(err)
	}
	return fg, client
}

func (fg *fakeGraph) requests() []seenRequest {
	fg.mu.Lock()
	defer fg.mu.Unlock()
	return append([]seenRequest(nil), fg.seen...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func graphError(w http.ResponseWriter, status int, code, message, requestID string) {
	w.Header().Set("request-id", "header-"+requestID)
	writeJSON(w, status, fmt.Sprintf(`{"error":{"code":%q,"message":%q,"innerError":{"request-id":%q,"date":"2026-01-01T00:00:00","client-request-id":"ignored"}}}`,
		code, message, requestID))
}

const groupJSON = `{"@odata.type":"#microsoft.graph.group","id":"g1","displayName":"PAM approvers","description":"Approves",
"mail":"o'brien-approvers@contoso.com","mailNickname":"pam-approvers","mailEnabled":true,"securityEnabled":true,
"groupTypes":[],"proxyAddresses":["SMTP:o'brien-approvers@contoso.com","smtp:pam@contoso.onmicrosoft.com"]}`

func userJSON(id, upn string) string {
	return fmt.Sprintf(`{"@odata.type":"#microsoft.graph.user","id":%q,"userPrincipalName":%q,"mail":%q,"displayName":"User %s","proxyAddresses":["SMTP:%s"],"accountEnabled":true}`,
		id, upn, upn, id, upn)
}

func user(id, upn string) User {
	return User{ID: id, UserPrincipalName: upn, Mail: upn, DisplayName: "User " + id, ProxyAddresses: []string{"SMTP:" + upn}}
}

func TestGroupByMail(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, path string) {
		if path != "/groups" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#groups","value":[`+groupJSON+`]}`)
	})
	got, err := client.GroupByMail(context.Background(), "o'brien-approvers@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	want := &Group{
		ID: "g1", DisplayName: "PAM approvers", Description: "Approves", Mail: "o'brien-approvers@contoso.com",
		MailNickname: "pam-approvers", MailEnabled: true, SecurityEnabled: true, GroupTypes: []string{},
		ProxyAddresses: []string{"SMTP:o'brien-approvers@contoso.com", "smtp:pam@contoso.onmicrosoft.com"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("group =\n%+v\nwant\n%+v", got, want)
	}

	seen := fg.requests()
	if len(seen) != 1 {
		t.Fatalf("%d requests, want 1", len(seen))
	}
	query, _ := url.ParseQuery(seen[0].Query)
	if f := query.Get("$filter"); f != "mail eq 'o''brien-approvers@contoso.com'" {
		t.Errorf("$filter = %q, want the quote doubled", f)
	}
	if s := query.Get("$select"); s != strings.Join(groupFields, ",") {
		t.Errorf("$select = %q", s)
	}
	if seen[0].Authorization != "Bearer "+testToken {
		t.Errorf("Authorization = %q", seen[0].Authorization)
	}
	if _, err := uuid.Parse(seen[0].ClientRequestID); err != nil {
		t.Errorf("client-request-id %q is not a UUID", seen[0].ClientRequestID)
	}
	if !strings.HasPrefix(seen[0].UserAgent, testUserAgent) {
		t.Errorf("User-Agent = %q, want it to start with %q", seen[0].UserAgent, testUserAgent)
	}
}

func TestGroupByMailNotFound(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, 200, `{"value":[]}`)
	})
	_, err := client.GroupByMail(context.Background(), "absent@contoso.com")
	if !apierr.IsNotFound(err) {
		t.Fatalf("error = %v, want not found", err)
	}
	var e *apierr.Error
	errors.As(err, &e)
	if e.Service != "Microsoft Graph" || e.Operation != "GET /groups" || !strings.Contains(e.Message, "absent@contoso.com") {
		t.Errorf("error = %+v", e)
	}
	if sent := fg.requests()[0].ClientRequestID; e.ClientRequestID != sent {
		t.Errorf("ClientRequestID = %q, want the one sent, %q", e.ClientRequestID, sent)
	}
}

func TestGroupMembersFollowsNextLink(t *testing.T) {
	var base string
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, path string) {
		if path != "/groups/g1/members" {
			http.NotFound(w, r)
			return
		}
		switch r.URL.Query().Get("$skiptoken") {
		case "":
			writeJSON(w, 200, `{"value":[`+userJSON("u1", "alice@contoso.com")+`,`+userJSON("u2", "bob@contoso.com")+`],
				"@odata.nextLink":"`+base+`/graph/v1.0/groups/g1/members?$select=id&$skiptoken=page2"}`)
		case "page2":
			writeJSON(w, 200, `{"value":[{"@odata.type":"#microsoft.graph.group","id":"nested","mail":"team@contoso.com","proxyAddresses":["SMTP:team@contoso.com"]},`+
				userJSON("u3", "carol@contoso.com")+`,{"@odata.type":"#microsoft.graph.orgContact","id":"c1","mail":"partner@fabrikam.com","proxyAddresses":["SMTP:partner@fabrikam.com"]}]}`)
		default:
			http.NotFound(w, r)
		}
	})
	base = fg.URL
	got, err := client.GroupMembers(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	// Groups and mail contacts are members too; they have no UPN.
	want := []User{user("u1", "alice@contoso.com"), user("u2", "bob@contoso.com"),
		{ID: "nested", Mail: "team@contoso.com", ProxyAddresses: []string{"SMTP:team@contoso.com"}},
		user("u3", "carol@contoso.com"),
		{ID: "c1", Mail: "partner@fabrikam.com", ProxyAddresses: []string{"SMTP:partner@fabrikam.com"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("members =\n%+v\nwant\n%+v", got, want)
	}
	seen := fg.requests()
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	if q, _ := url.ParseQuery(seen[0].Query); q.Get("$select") != "id,userPrincipalName,mail,displayName,proxyAddresses" {
		t.Errorf("first page $select = %q", q.Get("$select"))
	}
	if seen[1].Authorization != "Bearer "+testToken {
		t.Errorf("next page Authorization = %q", seen[1].Authorization)
	}
}

func TestGroupMembersGroupNotFound(t *testing.T) {
	_, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		graphError(w, 404, "Request_ResourceNotFound", "Resource 'gone' does not exist.", "req-404")
	})
	_, err := client.GroupMembers(context.Background(), "gone")
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindNotFound {
		t.Fatalf("error = %v, want not found", err)
	}
	if e.Operation != "GET /groups/gone/members" || e.StatusCode != http.StatusNotFound || e.Code != "Request_ResourceNotFound" ||
		e.Message != "Resource 'gone' does not exist." || e.RequestID != "req-404" {
		t.Errorf("error = %+v", e)
	}
}

// TestNextLinkToAnotherHostGetsNoToken checks that the token goes only to the endpoint's host.
func TestNextLinkToAnotherHostGetsNoToken(t *testing.T) {
	var foreign string
	fg, _ := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		if r.URL.Query().Get("$skiptoken") == "" {
			writeJSON(w, 200, `{"value":[],"@odata.nextLink":"`+foreign+`/graph/v1.0/groups/g1/members?$skiptoken=2"}`)
			return
		}
		writeJSON(w, 200, `{"value":[]}`)
	})
	// The same server under another name; the test client skips the name check for it.
	foreign = strings.Replace(fg.URL, "127.0.0.1", "localhost", 1)
	client, err := New(Config{
		Endpoint: fg.URL + "/graph", Scope: testScope, Credential: staticCredential{},
		HTTPClient: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GroupMembers(context.Background(), "g1"); err != nil {
		t.Fatal(err)
	}
	seen := fg.requests()
	if len(seen) != 2 {
		t.Fatalf("%d requests, want 2", len(seen))
	}
	if seen[0].Authorization == "" {
		t.Error("the endpoint's host got no token")
	}
	if seen[1].Authorization != "" {
		t.Errorf("another host got Authorization %q", seen[1].Authorization)
	}
}

func TestUser(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, path string) {
		if path != "/users/alice@contoso.com" {
			graphError(w, 404, "Request_ResourceNotFound", "Resource does not exist.", "req-u")
			return
		}
		writeJSON(w, 200, userJSON("u1", "alice@contoso.com"))
	})
	got, err := client.User(context.Background(), "alice@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	if want := user("u1", "alice@contoso.com"); !reflect.DeepEqual(*got, want) {
		t.Errorf("user = %+v, want %+v", *got, want)
	}
	if q, _ := url.ParseQuery(fg.requests()[0].Query); q.Get("$select") != strings.Join(userFields, ",") {
		t.Errorf("$select = %q", q.Get("$select"))
	}

	_, err = client.User(context.Background(), "nobody@contoso.com")
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindNotFound {
		t.Fatalf("error = %v, want not found", err)
	}
	seen := fg.requests()
	if e.RequestID != "req-u" || e.ClientRequestID != seen[len(seen)-1].ClientRequestID || e.ClientRequestID == "" {
		t.Errorf("error ids: request %q, client request %q (sent %q)", e.RequestID, e.ClientRequestID, seen[len(seen)-1].ClientRequestID)
	}
	for _, want := range []string{"Microsoft Graph", "GET /users/nobody@contoso.com", "Resource does not exist.", "HTTP 404", "req-u", e.ClientRequestID} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not mention %q", err, want)
		}
	}
}

func TestUserByMail(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		if r.URL.Query().Get("$filter") == "mail eq 'bob@contoso.com'" {
			writeJSON(w, 200, `{"value":[`+userJSON("u2", "bob@contoso.com")+`]}`)
			return
		}
		writeJSON(w, 200, `{"value":[]}`)
	})
	got, err := client.UserByMail(context.Background(), "bob@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	if want := user("u2", "bob@contoso.com"); !reflect.DeepEqual(*got, want) {
		t.Errorf("user = %+v, want %+v", *got, want)
	}
	if path := fg.requests()[0].Path; path != "/graph/v1.0/users" {
		t.Errorf("path = %q", path)
	}
	if _, err := client.UserByMail(context.Background(), "nobody@contoso.com"); !apierr.IsNotFound(err) {
		t.Errorf("error = %v, want not found", err)
	}
}

func TestOrganization(t *testing.T) {
	_, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, 200, `{"value":[{"id":"tenant-1","displayName":"Contoso","verifiedDomains":[
			{"name":"contoso.com","isDefault":true,"isInitial":false,"type":"Managed"},
			{"name":"contoso.onmicrosoft.com","isDefault":false,"isInitial":true,"type":"Managed"}]}]}`)
	})
	got, err := client.Organization(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := &Organization{ID: "tenant-1", DisplayName: "Contoso", InitialDomain: "contoso.onmicrosoft.com",
		VerifiedDomains: []string{"contoso.com", "contoso.onmicrosoft.com"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("organization = %+v, want %+v", got, want)
	}
}

const servicePlansJSON = `[{"servicePlanId":"efb87545-963c-4e0d-99df-69c6916d9eb0","servicePlanName":"EXCHANGE_S_ENTERPRISE","provisioningStatus":"Success","appliesTo":"User"},
	{"servicePlanId":"c1ec4a95-1f05-45b3-a911-aa3fa01094f5","servicePlanName":"INTUNE_A","provisioningStatus":"Disabled","appliesTo":"User"}]`

func TestSubscribedSkus(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		writeJSON(w, 200, `{"value":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","skuPartNumber":"SPE_E5","capabilityStatus":"Enabled",
			"consumedUnits":3,"prepaidUnits":{"enabled":25,"suspended":0,"warning":0},"servicePlans":`+servicePlansJSON+`}]}`)
	})
	got, err := client.SubscribedSkus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Sku{{SkuID: "06ebc4ee-1bb5-47dd-8120-11324bc54e06", SkuPartNumber: "SPE_E5", ServicePlans: []string{"EXCHANGE_S_ENTERPRISE", "INTUNE_A"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("skus = %+v, want %+v", got, want)
	}
	if path := fg.requests()[0].Path; path != "/graph/v1.0/subscribedSkus" {
		t.Errorf("path = %q", path)
	}
}

// UsersByName reads UPNs 15 to a request, object ids by id, and by mail only the names no UPN
// matched, selecting only what the checks need.
func TestUsersByName(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request, _ string) {
		filter := r.URL.Query().Get("$filter")
		var users []string
		for _, v := range regexp.MustCompile(`'([^']*)'`).FindAllStringSubmatch(filter, -1) {
			switch {
			case strings.HasPrefix(filter, "userPrincipalName") && strings.HasPrefix(v[1], "user"):
				users = append(users, fmt.Sprintf(`{"id":"id-%s","userPrincipalName":%q,"assignedLicenses":[{"skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df"}]}`, v[1], v[1]))
			case strings.HasPrefix(filter, "mail") && v[1] == "Alias@contoso.com":
				users = append(users, `{"id":"id-alias","userPrincipalName":"real@contoso.com","mail":"alias@contoso.com"}`)
			case strings.HasPrefix(filter, "id"):
				users = append(users, fmt.Sprintf(`{"id":%q,"userPrincipalName":"byid@contoso.com"}`, v[1]))
			}
		}
		writeJSON(w, 200, `{"value":[`+strings.Join(users, ",")+`]}`)
	})
	names := []string{"Alias@contoso.com", "nobody@contoso.com", "5c1a0e62-3f4b-4d8e-9a27-6b0c1d2e3f40"}
	for i := range 20 {
		names = append(names, fmt.Sprintf("user%02d@contoso.com", i))
	}
	got, err := client.UsersByName(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 22 || got["alias@contoso.com"].ID != "id-alias" || got["5c1a0e62-3f4b-4d8e-9a27-6b0c1d2e3f40"].UserPrincipalName != "byid@contoso.com" {
		t.Fatalf("users %+v", got)
	}
	if lic := got["user07@contoso.com"].SkuIDs; len(lic) != 1 || lic[0] != "c7df2760-2c81-4ef7-b578-5b5392b571df" {
		t.Errorf("licences %v", lic)
	}
	reqs := fg.requests()
	if len(reqs) != 4 { // 22 names by UPN: 2; one id: 1; the two names no UPN matched, by mail: 1
		t.Fatalf("made %d requests, want 4", len(reqs))
	}
	for _, r := range reqs {
		if !strings.Contains(r.Query, "%24select=id%2CuserPrincipalName%2Cmail%2CassignedLicenses") {
			t.Errorf("query %s does not select only what the checks need", r.Query)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   apierr.Kind
	}{
		{400, "Request_BadRequest", apierr.KindInvalidInput},
		{401, "InvalidAuthenticationToken", apierr.KindUnauthorized},
		{403, "Authorization_RequestDenied", apierr.KindForbidden},
		{404, "ResourceNotFound", apierr.KindNotFound},
		{400, "Request_ResourceNotFound", apierr.KindNotFound},
		{500, "UnknownError", apierr.KindOther},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.code), func(t *testing.T) {
			_, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
				graphError(w, tt.status, tt.code, "the message", "req-1")
			})
			_, err := client.Organization(context.Background())
			var e *apierr.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, want *apierr.Error", err, err)
			}
			if e.Kind != tt.want || e.StatusCode != tt.status || e.Code != tt.code || e.Message != "the message" || e.RequestID != "req-1" {
				t.Errorf("error = %+v, want kind %v", e, tt.want)
			}
		})
	}
}

func TestRequestIDFromHeaderWithoutInnerError(t *testing.T) {
	_, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		w.Header().Set("request-id", "from-header")
		writeJSON(w, 403, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}`)
	})
	_, err := client.GroupByMail(context.Background(), "x@contoso.com")
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindForbidden || e.RequestID != "from-header" {
		t.Errorf("error = %+v, want forbidden with the header's request id", err)
	}
}

func TestThrottledThenSuccess(t *testing.T) {
	var calls int
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "Too many requests.", "req-429")
			return
		}
		writeJSON(w, 200, `{"value":[`+groupJSON+`]}`)
	})
	got, err := client.GroupByMail(context.Background(), "o'brien-approvers@contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "g1" {
		t.Errorf("group id = %q", got.ID)
	}
	if seen := fg.requests(); len(seen) != 2 || seen[0].ClientRequestID != seen[1].ClientRequestID {
		t.Errorf("requests = %+v, want two with the same client-request-id", seen)
	}
}

func TestThrottledUntilRetriesRunOut(t *testing.T) {
	fg, client := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		w.Header().Set("Retry-After", "0")
		graphError(w, 429, "TooManyRequests", "Too many requests.", "req-429")
	})
	_, err := client.SubscribedSkus(context.Background())
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindThrottled || e.StatusCode != http.StatusTooManyRequests || e.RequestID != "req-429" {
		t.Fatalf("error = %v, want throttled", err)
	}
	if n := len(fg.requests()); n != 1+graphMaxRetries {
		t.Errorf("%d requests, want 1 and %d retries", n, graphMaxRetries)
	}
}

func TestTransportError(t *testing.T) {
	fg, client := newFakeGraph(t, func(http.ResponseWriter, *http.Request, string) {})
	fg.Close()
	_, err := client.User(context.Background(), "alice@contoso.com")
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindOther || e.StatusCode != 0 || e.Err == nil || e.ClientRequestID == "" {
		t.Errorf("error = %+v, want an unanswered request with its cause and client request id", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	good := Config{Endpoint: "https://graph.microsoft.com", Scope: testScope, Credential: staticCredential{}}
	if _, err := New(good); err != nil {
		t.Fatalf("New(good): %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"relative endpoint": func(c *Config) { c.Endpoint = "graph.microsoft.com" },
		"no scope":          func(c *Config) { c.Scope = "" },
		"no credential":     func(c *Config) { c.Credential = nil },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
