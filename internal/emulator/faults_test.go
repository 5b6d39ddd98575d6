package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFailCmdletForcesEachKindOnceInTheServicesShape(t *testing.T) {
	h := start(t, Options{})
	app := h.app()
	cases := []struct {
		kind       FaultKind
		status     int
		retryAfter bool
		detail     string // "ErrorId|Type|" prefix of details[0].message, or the error code
	}{
		{FaultThrottled, http.StatusTooManyRequests, true, "TooManyRequests"},
		{FaultUnavailable, http.StatusServiceUnavailable, true, "ServiceUnavailable"},
		{FaultBusyTenant, http.StatusBadRequest, true, "|" + excTask + "|"},
		{FaultRefused, http.StatusBadRequest, false, "|" + excInvalidOp + "|"},
		{FaultServerError, http.StatusInternalServerError, false, "|" + excTask + "|"},
		{FaultTransient, http.StatusInternalServerError, false, "|Microsoft.Exchange.Data."},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			h.srv.FailCmdlet("get-organizationconfig", 1, tc.kind)
			r := h.invoke(app, "Get-OrganizationConfig", nil)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.raw)
			}
			if got := r.header.Get("Retry-After"); (got != "") != tc.retryAfter {
				t.Fatalf("Retry-After %q, want present=%v", got, tc.retryAfter)
			}
			if r.header.Get("request-id") == "" {
				t.Fatal("a fault answer must carry a request-id like any other")
			}
			errObj := r.body["error"].(map[string]any)
			got := errObj["code"].(string)
			if details, ok := errObj["details"].([]any); ok {
				got = details[0].(map[string]any)["message"].(string)
			}
			if !strings.HasPrefix(got, tc.detail) {
				t.Fatalf("error %q, want it to start with %q", got, tc.detail)
			}
			if tc.kind == FaultBusyTenant {
				assertContains(t, got, "maximum number of concurrent requests per tenant")
			}
			if again := h.invoke(app, "Get-OrganizationConfig", nil); again.status != http.StatusOK {
				t.Fatalf("only one call should fail, the next answered %d %s", again.status, again.raw)
			}
		})
	}
	if got := h.srv.Stats().FaultedRequests; got != len(cases) {
		t.Fatalf("Stats counted %d faults, want %d", got, len(cases))
	}
}

func TestFailCmdletRefusedDoesNotRunTheCmdlet(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers", upn("adele.vance"))
	h.srv.FailCmdlet("New-ElevatedAccessApprovalPolicy", 1, FaultRefused)
	h.cmdletFailure(h.app(), "New-ElevatedAccessApprovalPolicy", map[string]any{
		"Task": `Exchange\New-MoveRequest`, "ApprovalType": "Manual", "ApproverGroup": group,
	})
	if n := len(h.srv.Snapshot().Policies); n != 0 {
		t.Fatalf("a refused create left %d policies", n)
	}
}

func TestDropAfterCommitRunsTheCmdletThenCutsTheConnection(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers", upn("adele.vance"))
	h.srv.FailCmdlet("New-ElevatedAccessApprovalPolicy", 1, FaultDropAfterCommit)
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{
		"CmdletName": "New-ElevatedAccessApprovalPolicy",
		"Parameters": map[string]any{"Task": `Exchange\New-MoveRequest`, "ApprovalType": "Manual", "ApproverGroup": group},
	}})
	app := h.app()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.invokeEndpoint(), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+app.token)
	req.Header.Set("X-AnchorMailbox", app.anchor)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("want the connection cut, got HTTP %d", resp.StatusCode)
	}
	if n := len(h.srv.Snapshot().Policies); n != 1 {
		t.Fatalf("the change must be made before the cut: %d policies", n)
	}
	if got := h.srv.Stats().Faults[FaultDropAfterCommit]; got != 1 {
		t.Fatalf("drop faults counted %d, want 1", got)
	}
}

// faultSequence sends n Graph reads one after another and records which were faulted.
func faultSequence(t *testing.T, seed int64, n int) string {
	h := start(t, Options{FailRate: 0.5, FaultSeed: seed})
	token := h.graphToken()
	var b strings.Builder
	for range n {
		r := h.graph(http.MethodGet, "/organization", token, nil)
		switch r.status {
		case http.StatusOK:
			b.WriteByte('.')
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if r.header.Get("Retry-After") == "" {
				t.Fatalf("%d without Retry-After", r.status)
			}
			b.WriteByte('F')
		default:
			t.Fatalf("unexpected answer %d %s", r.status, r.raw)
		}
	}
	if got, want := h.srv.Stats().FaultedRequests, strings.Count(b.String(), "F"); got != want {
		t.Fatalf("Stats counted %d faults, the client saw %d", got, want)
	}
	return b.String()
}

func TestFailRateIsRepeatableForASeed(t *testing.T) {
	first, second := faultSequence(t, 42, 40), faultSequence(t, 42, 40)
	if first != second {
		t.Fatalf("same seed, different faults:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "F") || !strings.Contains(first, ".") {
		t.Fatalf("a rate of 0.5 should fault some requests and not others: %s", first)
	}
	if other := faultSequence(t, 7, 40); other == first {
		t.Fatalf("another seed gave the same faults: %s", other)
	}
}

func TestStartRefusesRatesOutsideZeroToOne(t *testing.T) {
	for _, opts := range []Options{{FailRate: 1.5}, {DropAfterCommitRate: -0.1}} {
		if srv, err := Start(opts); err == nil {
			_ = srv.Close()
			t.Fatalf("Start(%+v) accepted a rate outside 0..1", opts)
		}
	}
}

func TestConsistencyDelayHidesNewAndChangedObjectsFromReads(t *testing.T) {
	h := start(t, Options{ConsistencyDelay: 10 * time.Second})
	app := h.app()
	group := h.newSecurityGroup("approvers", upn("adele.vance"))

	// Exchange: the group exists for writes at once, but reads do not show it yet.
	h.cmdletFailure(app, "Get-DistributionGroup", map[string]any{"Identity": group})
	h.mustInvoke(app, "Update-DistributionGroupMember", map[string]any{
		"Identity": group, "Members": []string{upn("alex.wilber")}, "BypassSecurityGroupManagerCheck": true,
	})
	token := h.graphToken()
	filter := "/groups?$filter=mail%20eq%20'" + group + "'"
	if got := h.graph(http.MethodGet, filter, token, nil).body["value"].([]any); len(got) != 0 {
		t.Fatalf("Graph shows the group before the delay: %v", got)
	}

	h.clock.Advance(10 * time.Second)
	members := h.mustInvoke(app, "Get-DistributionGroupMember", map[string]any{"Identity": group})
	if len(members) != 1 || members[0]["WindowsLiveID"] != upn("alex.wilber") {
		t.Fatalf("after the delay want the changed members, got %v", members)
	}
	if got := h.graph(http.MethodGet, filter, token, nil).body["value"].([]any); len(got) != 1 {
		t.Fatalf("Graph does not show the group after the delay: %v", got)
	}

	// A change shows the old version until the delay has passed.
	h.mustInvoke(app, "Set-DistributionGroup", map[string]any{"Identity": group, "DisplayName": "Renamed", "BypassSecurityGroupManagerCheck": true})
	if got := h.mustInvoke(app, "Get-DistributionGroup", map[string]any{"Identity": group})[0]["DisplayName"]; got == "Renamed" {
		t.Fatal("a change showed before the delay")
	}
	h.clock.Advance(10 * time.Second)
	if got := h.mustInvoke(app, "Get-DistributionGroup", map[string]any{"Identity": group})[0]["DisplayName"]; got != "Renamed" {
		t.Fatalf("after the delay DisplayName is %v", got)
	}
}

func TestReplicationLagHidesNewObjectsFromEveryCall(t *testing.T) {
	h := start(t, Options{ReplicationLag: 3 * time.Second, ObjectIDLag: 5 * time.Second})
	app := h.app()
	created := h.mustInvoke(app, "New-DistributionGroup", map[string]any{"Name": "approvers", "Type": "Security"})[0]
	group := created["PrimarySmtpAddress"].(string)
	if id := created["ExternalDirectoryObjectId"]; id != "" {
		t.Fatalf("a new group's object id arrived at once: %v", id)
	}

	// Reads and writes naming it are "not found" in the service's 404 envelope; listings leave it out.
	for _, call := range []struct {
		cmdlet string
		params map[string]any
	}{
		{"Get-DistributionGroup", map[string]any{"Identity": group}},
		{"Set-DistributionGroup", map[string]any{"Identity": group, "DisplayName": "x", "BypassSecurityGroupManagerCheck": true}},
		{"Remove-DistributionGroup", map[string]any{"Identity": created["Guid"], "BypassSecurityGroupManagerCheck": true}},
	} {
		assertContains(t, h.cmdletFailure(app, call.cmdlet, call.params), "Ex6F9304|"+excNotFound+"|")
	}
	assertContains(t, h.cmdletFailure(app, "New-ElevatedAccessApprovalPolicy", map[string]any{
		"Task": `Exchange\New-MoveRequest`, "ApprovalType": "Manual", "ApproverGroup": group}), `Couldn't find object "`+group+`"`)
	if got := h.mustInvoke(app, "Get-DistributionGroup", nil); len(got) != 0 {
		t.Fatalf("a listing shows the group before it replicated: %v", got)
	}
	// The name is taken all the same: uniqueness is checked against the store.
	assertContains(t, h.cmdletFailure(app, "New-DistributionGroup", map[string]any{"Name": "approvers"}), excADExists)

	h.clock.Advance(3 * time.Second)
	got := h.mustInvoke(app, "Get-DistributionGroup", map[string]any{"Identity": group})[0]
	if got["ExternalDirectoryObjectId"] != "" {
		t.Fatalf("the object id arrived before its lag: %v", got["ExternalDirectoryObjectId"])
	}
	token := h.graphToken()
	filter := "/groups?$filter=mail%20eq%20'" + group + "'"
	if got := h.graph(http.MethodGet, filter, token, nil).body["value"].([]any); len(got) != 0 {
		t.Fatalf("Graph shows the group before its object id arrived: %v", got)
	}
	h.clock.Advance(2 * time.Second)
	if got := h.mustInvoke(app, "Get-DistributionGroup", map[string]any{"Identity": group})[0]; got["ExternalDirectoryObjectId"] == "" {
		t.Fatal("the object id did not arrive after its lag")
	}
	if got := h.graph(http.MethodGet, filter, token, nil).body["value"].([]any); len(got) != 1 {
		t.Fatalf("Graph does not show the group after the lag: %v", got)
	}
}

func TestSetWithoutChangeWarns(t *testing.T) {
	h := start(t, Options{})
	group := h.newSecurityGroup("approvers")
	params := map[string]any{"Identity": group, "DisplayName": "approvers", "BypassSecurityGroupManagerCheck": true}
	r := h.invoke(h.app(), "Set-DistributionGroup", params)
	warnings, _ := r.body["@adminapi.warnings"].([]any)
	if r.status != http.StatusOK || len(warnings) != 1 ||
		warnings[0] != "The command completed successfully but no settings of 'approvers' have been modified." {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
	params["DisplayName"] = "Approvers of requests"
	if r := h.invoke(h.app(), "Set-DistributionGroup", params); r.body["@adminapi.warnings"] != nil {
		t.Fatalf("a change warned: %s", r.raw)
	}
}

// ClearFaults drops the queued faults no call took, so the next call runs.
func TestClearFaultsDropsQueuedFaults(t *testing.T) {
	h := start(t, Options{})
	h.srv.FailCmdlet("Get-OrganizationConfig", 2, FaultServerError)
	if r := h.invoke(h.app(), "Get-OrganizationConfig", nil); r.status != http.StatusInternalServerError {
		t.Fatalf("the queued fault did not fire: %d %s", r.status, r.raw)
	}
	h.srv.ClearFaults()
	if r := h.invoke(h.app(), "Get-OrganizationConfig", nil); r.status != http.StatusOK {
		t.Fatalf("after ClearFaults the call still failed: %d %s", r.status, r.raw)
	}
}
