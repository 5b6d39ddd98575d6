package exchange

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func groupObject(name, address string) map[string]any {
	return map[string]any{
		"Identity": name, "Name": name, "Name@odata.type": "#String", "DisplayName": "PAM approvers",
		"Alias": "pam", "PrimarySmtpAddress": address, "Guid": "9e6c1a3e-0000-4000-8000-000000000001",
		"ExternalDirectoryObjectId": "2d0c0f6e-0000-4000-8000-000000000002",
		"EmailAddresses":            []string{"SMTP:" + address, "smtp:pam@contoso.onmicrosoft.com"},
		"RecipientTypeDetails":      "MailUniversalSecurityGroup", "GroupType": "Universal, SecurityEnabled",
		"ManagedBy": []string{"owner-guid"}, "Description": []string{"approves PAM requests"},
		"MemberDepartRestriction": "Closed", "MemberJoinRestriction": "Closed",
		"WhenChangedUTC": "2030-01-02T03:04:05Z",
	}
}

// groupStore is a fake tenant's groups for the create-recovery tests.
type groupStore struct {
	mu     sync.Mutex
	groups map[string]map[string]any // by lower-case address
}

func (s *groupStore) put(name, address string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups == nil {
		s.groups = map[string]map[string]any{}
	}
	s.groups[strings.ToLower(address)] = groupObject(name, address)
}

func (s *groupStore) get(address string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[strings.ToLower(address)]
	return g, ok
}

func (s *groupStore) answerGet(w http.ResponseWriter, req seen) {
	identity, _ := req.Params["Identity"].(string)
	if g, ok := s.get(identity); ok {
		writeValues(w, "", g)
		return
	}
	writeNotFound(w, identity)
}

func TestNewSecurityGroupRequestAndResult(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "", groupObject("pam-approvers", "pam-approvers@contoso.com"))
	})
	g, err := h.client.NewSecurityGroup(context.Background(), NewGroup{
		Name: "pam-approvers", DisplayName: "PAM approvers", Alias: "pam", PrimarySmtpAddress: "pam-approvers@contoso.com",
		Description: "approves PAM requests", Members: []string{"a@contoso.com", "b@contoso.com"}, ManagedBy: []string{"owner@contoso.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"CmdletInput":{"CmdletName":"New-DistributionGroup","Parameters":{"Alias":"pam","Description":"approves PAM requests","DisplayName":"PAM approvers",` +
		`"ManagedBy":["owner@contoso.com"],"MemberDepartRestriction":"Closed","Members":["a@contoso.com","b@contoso.com"],` +
		`"Name":"pam-approvers","PrimarySmtpAddress":"pam-approvers@contoso.com","Type":"Security"}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
	wantGroup := DistributionGroup{
		Identity: "pam-approvers", GUID: "9e6c1a3e-0000-4000-8000-000000000001",
		ExternalDirectoryObjectID: "2d0c0f6e-0000-4000-8000-000000000002", Name: "pam-approvers",
		DisplayName: "PAM approvers", Alias: "pam", PrimarySmtpAddress: "pam-approvers@contoso.com",
		EmailAddresses:       []string{"SMTP:pam-approvers@contoso.com", "smtp:pam@contoso.onmicrosoft.com"},
		RecipientTypeDetails: "MailUniversalSecurityGroup", GroupType: "Universal, SecurityEnabled",
		ManagedBy: []string{"owner-guid"}, Description: "approves PAM requests",
		MemberDepartRestriction: "Closed", MemberJoinRestriction: "Closed",
		WhenChangedUTC: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	if !reflect.DeepEqual(*g, wantGroup) {
		t.Errorf("group\n%+v\nwant\n%+v", *g, wantGroup)
	}
	if !g.IsSecurityGroup() {
		t.Error("IsSecurityGroup is false for a MailUniversalSecurityGroup")
	}
}

func TestNewSecurityGroupReadsFirstAfterDroppedConnection(t *testing.T) {
	store := &groupStore{}
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			// The service commits, then the connection is cut before the answer.
			store.put(req.Params["Name"].(string), req.Params["PrimarySmtpAddress"].(string))
			dropConnection(t, w)
		case "Get-DistributionGroup":
			store.answerGet(w, req)
		}
	})
	g, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam-approvers@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "pam-approvers" || g.PrimarySmtpAddress != "pam-approvers@contoso.com" {
		t.Errorf("group %+v", g)
	}
	if n := h.svc.count("New-DistributionGroup"); n != 1 {
		t.Errorf("sent New-DistributionGroup %d times, want exactly 1", n)
	}
	if n := h.svc.count("Get-DistributionGroup"); n != 1 {
		t.Errorf("sent Get-DistributionGroup %d times, want 1", n)
	}
	if got := h.svc.requests()[1].Params["Identity"]; got != "pam-approvers@contoso.com" {
		t.Errorf("looked up %v, want the address", got)
	}
}

func TestNewSecurityGroupResendsWhenTheReadFindsNothing(t *testing.T) {
	store := &groupStore{}
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			if h.svc.count("New-DistributionGroup") == 1 {
				dropConnection(t, w) // lost before the service ran it
				return
			}
			store.put(req.Params["Name"].(string), req.Params["PrimarySmtpAddress"].(string))
			g, _ := store.get(req.Params["PrimarySmtpAddress"].(string))
			writeValues(w, "", g)
		case "Get-DistributionGroup":
			store.answerGet(w, req)
		}
	})
	g, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam-approvers@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "pam-approvers" {
		t.Errorf("group %+v", g)
	}
	var cmdlets []string
	for _, r := range h.svc.requests() {
		cmdlets = append(cmdlets, r.Cmdlet)
	}
	if want := []string{"New-DistributionGroup", "Get-DistributionGroup", "New-DistributionGroup"}; !reflect.DeepEqual(cmdlets, want) {
		t.Errorf("requests %v, want %v", cmdlets, want)
	}
}

func TestNewSecurityGroupDoesNotAdoptAnotherGroup(t *testing.T) {
	store := &groupStore{}
	store.put("someone-else", "pam-approvers@contoso.com")
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			dropConnection(t, w)
		case "Get-DistributionGroup":
			store.answerGet(w, req)
		}
	})
	_, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam-approvers", PrimarySmtpAddress: "pam-approvers@contoso.com"})
	if !IsAmbiguous(err) || !strings.Contains(err.Error(), "someone-else") {
		t.Fatalf("err %v, want the ambiguous create and the conflicting group", err)
	}
	if n := h.svc.count("New-DistributionGroup"); n != 1 {
		t.Errorf("sent New-DistributionGroup %d times, want 1", n)
	}
}

func TestRemoveAfterAmbiguousFailureThenNotFoundIsSuccess(t *testing.T) {
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		if h.svc.count(req.Cmdlet) == 1 {
			dropConnection(t, w) // removed, answer lost
			return
		}
		writeNotFound(w, req.Params["Identity"].(string))
	})
	if err := h.client.RemoveDistributionGroup(context.Background(), "pam"); err != nil {
		t.Fatalf("remove after a lost answer: %v", err)
	}
	if err := h.client.RemoveApprovalPolicy(context.Background(), "p1"); err != nil {
		t.Fatalf("remove policy after a lost answer: %v", err)
	}
	if n := len(h.svc.requests()); n != 4 {
		t.Errorf("sent %d requests, want 4", n)
	}
}

func TestRemoveOfMissingObjectIsNotFound(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeNotFound(w, "pam") })
	if err := h.client.RemoveDistributionGroup(context.Background(), "pam"); !apierr.IsNotFound(err) {
		t.Fatalf("err %v, want not found", err)
	}
}

func TestSetDistributionGroupSendsOnlySetFields(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	display := "New name"
	if err := h.client.SetDistributionGroup(context.Background(), SetGroup{Identity: "pam", DisplayName: &display, ManagedBy: &[]string{"o@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	want := `{"CmdletInput":{"CmdletName":"Set-DistributionGroup","Parameters":{"BypassSecurityGroupManagerCheck":true,"DisplayName":"New name","Identity":"pam","ManagedBy":["o@contoso.com"]}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

// A group must have at least one owner (documented), so an empty owner list is never sent.
func TestSetDistributionGroupNeverSendsNoOwners(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	err := h.client.SetDistributionGroup(context.Background(), SetGroup{Identity: "pam", ManagedBy: &[]string{}})
	if !apierr.Is(err, apierr.KindInvalidInput) || !strings.Contains(err.Error(), "at least one owner") {
		t.Fatalf("err %v", err)
	}
	if n := len(h.svc.requests()); n != 0 {
		t.Errorf("sent %d requests, want none", n)
	}
}

func TestReplaceGroupMembersSendsWholeList(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	ctx := context.Background()
	if err := h.client.ReplaceGroupMembers(ctx, "pam", []string{"a@contoso.com"}); err != nil {
		t.Fatal(err)
	}
	if err := h.client.ReplaceGroupMembers(ctx, "pam", nil); err != nil {
		t.Fatal(err)
	}
	reqs := h.svc.requests()
	for i, want := range []string{
		`{"CmdletInput":{"CmdletName":"Update-DistributionGroupMember","Parameters":{"BypassSecurityGroupManagerCheck":true,"Identity":"pam","Members":["a@contoso.com"]}}}`,
		`{"CmdletInput":{"CmdletName":"Update-DistributionGroupMember","Parameters":{"BypassSecurityGroupManagerCheck":true,"Identity":"pam","Members":[]}}}`,
	} {
		if reqs[i].Body != want {
			t.Errorf("body %s, want %s", reqs[i].Body, want)
		}
	}
}

func TestPrivilegedAccessParsesEveryShape(t *testing.T) {
	cases := map[string]struct {
		value   any // nil = property absent
		enabled bool
	}{
		"bool true": {true, true}, "bool false": {false, false},
		"Enabled": {"Enabled", true}, "Disabled": {"Disabled", false},
		"True": {"True", true}, "false": {"false", false}, "ENABLED": {"ENABLED", true},
		"absent": {nil, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
				org := map[string]any{"Identity": "contoso.onmicrosoft.com", "ElevatedAccessControl@odata.type": "#String"}
				if tc.value != nil {
					org["ElevatedAccessControl"] = tc.value
				}
				writeValues(w, "", org)
			})
			status, err := h.client.PrivilegedAccess(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if status.Enabled != tc.enabled || status.AdminGroup != "" || status.SystemAccounts != nil {
				t.Errorf("status %+v, want enabled %v and nothing else", status, tc.enabled)
			}
		})
	}
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "", map[string]any{"ElevatedAccessControl": "Sometimes"})
	})
	if _, err := h.client.PrivilegedAccess(context.Background()); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("err %v, want an unrecognised value", err)
	}
}

func TestEnablePrivilegedAccessParameters(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	ctx := context.Background()
	if err := h.client.EnablePrivilegedAccess(ctx, "pam@contoso.com", nil, false); err != nil {
		t.Fatal(err)
	}
	if err := h.client.EnablePrivilegedAccess(ctx, "pam@contoso.com", []string{"svc@contoso.com"}, false); err != nil {
		t.Fatal(err)
	}
	if err := h.client.DisablePrivilegedAccess(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := h.svc.requests()
	for i, want := range []string{
		`{"CmdletInput":{"CmdletName":"Enable-ElevatedAccessControl","Parameters":{"AdminGroup":"pam@contoso.com"}}}`,
		`{"CmdletInput":{"CmdletName":"Enable-ElevatedAccessControl","Parameters":{"AdminGroup":"pam@contoso.com","SystemAccounts":["svc@contoso.com"]}}}`,
		`{"CmdletInput":{"CmdletName":"Disable-ElevatedAccessControl","Parameters":{}}}`,
	} {
		if reqs[i].Body != want {
			t.Errorf("body %s, want %s", reqs[i].Body, want)
		}
	}
}

func TestEnablePrivilegedAccessReadsFirstAfterGatewayTimeout(t *testing.T) {
	enabled := false
	var mu sync.Mutex
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		mu.Lock()
		defer mu.Unlock()
		switch req.Cmdlet {
		case "Enable-ElevatedAccessControl":
			enabled = true
			writeJSON(w, http.StatusGatewayTimeout, map[string]any{"error": map[string]any{"code": "GatewayTimeout", "message": "timed out"}})
		case "Get-OrganizationConfig":
			state := "Disabled"
			if enabled {
				state = "Enabled"
			}
			writeValues(w, "", map[string]any{"ElevatedAccessControl": state})
		}
	})
	if err := h.client.EnablePrivilegedAccess(context.Background(), "pam@contoso.com", nil, false); err != nil {
		t.Fatal(err)
	}
	if n := h.svc.count("Enable-ElevatedAccessControl"); n != 1 {
		t.Errorf("sent Enable %d times, want 1", n)
	}
	if n := h.svc.count("Get-OrganizationConfig"); n != 1 {
		t.Errorf("read the organization %d times, want 1", n)
	}
}

func TestNewApprovalPolicyFindsByTaskAfterAmbiguousFailure(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-ElevatedAccessApprovalPolicy":
			dropConnection(t, w)
		case "Get-ElevatedAccessApprovalPolicy":
			writeValues(w, "",
				map[string]any{"Identity": "p0", "Task": `Exchange\Set-Mailbox`, "ApprovalType": "Auto"},
				map[string]any{"Identity": "p1", "Task": `exchange\new-moverequest`, "ApprovalType": "manual", "ApproverGroup": "pam@contoso.com"})
		}
	})
	p, err := h.client.NewApprovalPolicy(context.Background(), NewPolicy{Task: `Exchange\New-MoveRequest`, ApprovalType: ApprovalManual, ApproverGroup: "pam@contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Identity != "p1" || p.ApprovalType != ApprovalManual {
		t.Errorf("policy %+v, want p1 with Manual", p)
	}
	if n := h.svc.count("New-ElevatedAccessApprovalPolicy"); n != 1 {
		t.Errorf("sent New %d times, want 1", n)
	}
}

func TestApprovalPolicyDecoding(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "", map[string]any{"identity": "p1", "Task": `Exchange\New-MoveRequest`, "ApprovalType": "AUTO",
			"ApproverGroup": "pam@contoso.com", "Type": "Task", "Scope": "Exchange", "WhenCreatedUTC": "2030-01-02T03:04:05.1234567Z"})
	})
	list, err := h.client.ApprovalPolicies(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("policies %+v, err %v", list, err)
	}
	p := &list[0]
	want := ApprovalPolicy{Identity: "p1", Task: `Exchange\New-MoveRequest`, ApprovalType: ApprovalAuto, ApproverGroup: "pam@contoso.com",
		Type: "Task", Scope: "Exchange", WhenCreatedUTC: time.Date(2030, 1, 2, 3, 4, 5, 123456700, time.UTC)}
	if *p != want {
		t.Errorf("policy %+v, want %+v", *p, want)
	}
}

func TestEmptyAnswerToALookupIsNotFound(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") })
	if _, err := h.client.GetDistributionGroup(context.Background(), "nobody@contoso.com"); !apierr.IsNotFound(err) {
		t.Errorf("err %v, want not found", err)
	}
}

func TestAccessRequests(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-ElevatedAccessRequest":
			writeValues(w, "", map[string]any{"Identity": "r1", "RequestStatus": "pending", "DurationHours": 4, "Task": req.Params["Task"]})
		case "Get-ElevatedAccessRequest":
			writeValues(w, "", map[string]any{"Identity": "r1", "RequestStatus": "Approved", "DurationHours": "4",
				"CreationTimeUtc": "2030-01-02T03:04:05Z", "ExpirationTimeUtc": "2030-01-03T03:04:05Z", "ApprovedBy": "boss@contoso.com"})
		default:
			writeValues(w, "")
		}
	})
	ctx := context.Background()
	r, err := h.client.NewAccessRequest(ctx, `Exchange\New-MoveRequest`, "migration", 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity != "r1" || r.RequestStatus != RequestPending || r.DurationHours != 4 {
		t.Errorf("request %+v", r)
	}
	want := `{"CmdletInput":{"CmdletName":"New-ElevatedAccessRequest","Parameters":{"DurationHours":4,"Reason":"migration","Task":"Exchange\\New-MoveRequest"}}}`
	if got := h.svc.requests()[0].Body; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	list, err := h.client.AccessRequests(ctx)
	if err != nil || len(list) != 1 || list[0].DurationHours != 4 || list[0].ApprovedBy != "boss@contoso.com" ||
		!list[0].ExpirationTimeUTC.Equal(time.Date(2030, 1, 3, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("list %+v, err %v", list, err)
	}
}

func TestAmbiguousCreateReportsFailedCheck(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		switch req.Cmdlet {
		case "New-DistributionGroup":
			dropConnection(t, w)
		default:
			writeJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": "Forbidden", "message": "no"}})
		}
	})
	_, err := h.client.NewSecurityGroup(context.Background(), NewGroup{Name: "pam", PrimarySmtpAddress: "pam@contoso.com"})
	if !IsAmbiguous(err) || !apierr.Is(err, apierr.KindOther) {
		t.Fatalf("err %v, want the ambiguous create", err)
	}
	var e *apierr.Error
	if !errors.As(err, &e) || e.Operation != "New-DistributionGroup" || !strings.Contains(err.Error(), "checking whether it took effect failed") {
		t.Errorf("err %v", err)
	}
	if n := h.svc.count("New-DistributionGroup"); n != 1 {
		t.Errorf("sent New %d times, want 1", n)
	}
}

func TestAccessAuthorizationDecoding(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeValues(w, "",
			map[string]any{"Identity": "a1", "AuthorizedBy": "boss@contoso.com", "Type": "Task", "AuthorizedAccess": `Exchange\New-MoveRequest`,
				"StartTimeUtc": "2030-01-02T03:04:05Z", "EndTimeUtc": "2030-01-02T07:04:05Z", "Revoked": false, "RevocationDateTimeUtc": nil},
			map[string]any{"identity": "a2", "authorizedby": "Auto Approval", "Revoked": "True", "RevocationDateTimeUtc": "2030-01-02T04:00:00Z",
				"RevokedBy": "admin@contoso.com", "RevocationComment": "done"})
	})
	list, err := h.client.AccessAuthorizations(context.Background())
	if err != nil || len(list) != 2 {
		t.Fatalf("authorizations %+v, err %v", list, err)
	}
	want := AccessAuthorization{Identity: "a1", AuthorizedBy: "boss@contoso.com", Type: "Task", AuthorizedAccess: `Exchange\New-MoveRequest`,
		StartTimeUTC: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), EndTimeUTC: time.Date(2030, 1, 2, 7, 4, 5, 0, time.UTC)}
	if list[0] != want {
		t.Errorf("first %+v, want %+v", list[0], want)
	}
	revoked := AccessAuthorization{Identity: "a2", AuthorizedBy: "Auto Approval", Revoked: true,
		RevocationTimeUTC: time.Date(2030, 1, 2, 4, 0, 0, 0, time.UTC), RevokedBy: "admin@contoso.com", RevocationComment: "done"}
	if list[1] != revoked {
		t.Errorf("second %+v, want %+v", list[1], revoked)
	}
	if got := h.svc.requests()[0].Body; got != `{"CmdletInput":{"CmdletName":"Get-ElevatedAccessAuthorization","Parameters":{}}}` {
		t.Errorf("body %s", got)
	}
}

// The caller as its token tells: a user by UPN, an app by its id, and its Entra roles from wids,
// where a claim left out (roles unknown) differs from an empty one.
func TestCaller(t *testing.T) {
	const exchangeAdmin, directoryReaders = "29232CDF-9323-42FD-ADE2-1D097AF3E4DE", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
	cases := []struct {
		name  string
		token map[string]any
		want  Caller
		admin string
	}{
		{"user", map[string]any{"upn": "admin@contoso.com", "appid": "app-1", "wids": []string{directoryReaders}},
			Caller{Name: "admin@contoso.com", EntraRoles: []string{directoryReaders}}, ""},
		{"app with Exchange Administrator", map[string]any{"appid": "app-1", "wids": []string{directoryReaders, exchangeAdmin}},
			Caller{Name: "app-1", App: true, EntraRoles: []string{directoryReaders, exchangeAdmin}}, "Exchange Administrator"},
		{"v2 app token without wids", map[string]any{"azp": "app-2"}, Caller{Name: "app-2", App: true}, ""},
		{"empty wids", map[string]any{"appid": "app-1", "wids": []string{}}, Caller{Name: "app-1", App: true, EntraRoles: []string{}}, ""},
	}
	for _, tc := range cases {
		h := newHarness(t, func(http.ResponseWriter, *http.Request, seen, int) { t.Error("Caller must not call Exchange") })
		h.cred.token = testJWT(t, tc.token)
		got, err := h.client.Caller(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) || (got.EntraRoles == nil) != (tc.want.EntraRoles == nil) {
			t.Errorf("%s: got %#v, want %#v", tc.name, got, tc.want)
		}
		if role := got.ExchangeAdminRole(); role != tc.admin {
			t.Errorf("%s: ExchangeAdminRole = %q, want %q", tc.name, role, tc.admin)
		}
	}
}

// An assignee Exchange does not know (an app without an Exchange service principal) is not found;
// a missing role named in Role is not.
func TestRoleAssignmentsOfUnknownAssignee(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		writeNotFound(w, req.Params["RoleAssignee"].(string))
	})
	_, err := h.client.RoleAssignments(context.Background(), "app-1", RoleManagement)
	if !apierr.IsNotFound(err) {
		t.Errorf("got %v, want not found", err)
	}
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeNotFound(w, RoleManagement) })
	if _, err := h.client.RoleAssignments(context.Background(), "app-1", RoleManagement); err == nil || apierr.IsNotFound(err) {
		t.Errorf("a missing role: got %v, want an error other than not found", err)
	}
}
