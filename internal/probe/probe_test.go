package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

var sharedCA *emulator.CA

// TestMain trusts one emulator CA for the whole process: Go reads SSL_CERT_FILE only once.
func TestMain(m *testing.M) {
	ca, err := emulator.NewCA()
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "probe-test-")
	if err != nil {
		panic(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := ca.WriteFile(caFile); err != nil {
		panic(err)
	}
	sharedCA = ca
	_ = os.Setenv("SSL_CERT_FILE", caFile)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startTenant starts an emulator and points the provider's environment variables at it.
func startTenant(t *testing.T, shape string) (*emulator.Server, *lockedBuffer) {
	t.Helper()
	requests := &lockedBuffer{}
	srv, err := emulator.Start(emulator.Options{CA: sharedCA, Log: requests, ElevatedAccessControlShape: shape})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	for _, e := range srv.Exports() {
		if e.Name != "SSL_CERT_FILE" {
			t.Setenv(e.Name, e.Value)
		}
	}
	t.Setenv("ARM_USE_CLI", "false")
	return srv, requests
}

// seed gives the tenant an approver group, privileged access, a policy and a request, through the
// provider's own client, so that every question has an answer to compare.
func seed(t *testing.T, srv *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	conn, err := connect.FromEnvironment(ctx, connect.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	domain := srv.Organization()
	group, err := conn.Exchange.NewSecurityGroup(ctx, exchange.NewGroup{Name: "PAM Approvers",
		PrimarySmtpAddress: "pam-approvers@" + domain, Members: []string{"adele.vance@" + domain}})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Exchange.EnablePrivilegedAccess(ctx, group.PrimarySmtpAddress, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exchange.NewApprovalPolicy(ctx, exchange.NewPolicy{Task: `Exchange\New-MoveRequest`,
		ApprovalType: exchange.ApprovalManual, ApproverGroup: group.PrimarySmtpAddress}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exchange.NewAccessRequest(ctx, `Exchange\New-MoveRequest`, "probe test", 2); err != nil {
		t.Fatal(err)
	}
}

type result struct {
	code   int
	stdout string
	report report
	raw    string
	sent   string // the emulator's request log during the probe
}

func runProbe(t *testing.T, requests *lockedBuffer) result {
	t.Helper()
	return runWith(t, requests, "")
}

// runWith runs the probe with extra arguments, typing stdin at any question.
func runWith(t *testing.T, requests *lockedBuffer, stdin string, extra ...string) result {
	t.Helper()
	out := filepath.Join(t.TempDir(), "probe-report.json")
	before := len(requests.String())
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), "test", append([]string{"-out", out}, extra...), strings.NewReader(stdin), &stdout, &stderr)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report (exit %d): %v\n%s%s", code, err, stdout.String(), stderr.String())
	}
	r := result{code: code, stdout: stdout.String(), raw: string(raw), sent: requests.String()[before:]}
	if err := json.Unmarshal(raw, &r.report); err != nil {
		t.Fatalf("the report is not JSON: %v", err)
	}
	t.Logf("probe output (exit %d):\n%s", code, r.stdout)
	return r
}

func verdicts(r result) map[string]string {
	out := map[string]string{}
	for _, a := range r.report.Answers {
		out[a.ID] = a.Verdict
	}
	return out
}

// emulatorLine is one line of the emulator's request log: method, path, cmdlet, status.
var emulatorLine = regexp.MustCompile(`^(\S+) (\S+) (\S+) \d+ `)

// assertReadOnly fails unless every request the emulator saw during the probe was a sign-in, a
// Graph GET or an Exchange Get-* cmdlet.
func assertReadOnly(t *testing.T, sent string) {
	t.Helper()
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(sent), "\n") {
		m := emulatorLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		method, path, cmdlet := m[1], m[2], m[3]
		switch {
		case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		case strings.HasPrefix(path, "/graph/") && method == "GET":
			n++
		case strings.HasPrefix(path, "/exchange/") && strings.HasPrefix(cmdlet, "Get-"):
			n++
		default:
			t.Errorf("the probe sent a request that may change the tenant: %s", line)
		}
	}
	if n < 5 {
		t.Errorf("the emulator saw only %d service requests from the probe:\n%s", n, sent)
	}
}

func TestProbeOnTheEmulatorMatchesAndChangesNothing(t *testing.T) {
	srv, requests := startTenant(t, "")
	seed(t, srv)
	before := srv.Snapshot()
	r := runProbe(t, requests)

	want := map[string]string{"organization-config": verdictMatches, "approval-policies": verdictMatches,
		"access-requests": verdictMatches, "access-authorizations": verdictUnanswered, "not-found": verdictMatches,
		"token-roles": verdictMatches, "role-assignments": verdictMatches, "licences": verdictMatches}
	if got := verdicts(r); len(got) != len(want) || r.code != exitMatches {
		t.Fatalf("exit %d, verdicts %v; want exit 0 and %v", r.code, got, want)
	} else {
		for id, v := range want {
			if got[id] != v {
				t.Errorf("%s: %s, want %s", id, got[id], v)
			}
		}
	}
	assertReadOnly(t, r.sent)
	after, _ := json.Marshal(srv.Snapshot())
	if was, _ := json.Marshal(before); !bytes.Equal(was, after) {
		t.Error("the tenant changed during the probe")
	}

	// The raw answers are in the report, redacted.
	for _, a := range r.report.Answers {
		if a.ID != "token-roles" && len(a.Raw) == 0 {
			t.Errorf("%s: no raw answer in the report", a.ID)
		}
	}
	for what, secret := range map[string]string{"client secret": srv.ClientSecret(), "a group address": "pam-approvers@",
		"a user address": "adele.vance@"} {
		if strings.Contains(r.raw, secret) || strings.Contains(r.stdout, secret) {
			t.Errorf("the report or the output holds %s", what)
		}
	}
	if jwtPattern.MatchString(r.raw) || strings.Contains(strings.ToLower(r.raw), "bearer ") {
		t.Error("the report holds a token")
	}
	if !strings.Contains(r.raw, "@"+srv.Organization()) {
		t.Error("redacted addresses should keep their domain")
	}
}

// An emulator that leaves ElevatedAccessControl out of Get-OrganizationConfig, a shape the client
// does not expect (it would read privileged access as off), makes the probe say "differs".
func TestProbeReportsAShapeTheClientDoesNotExpect(t *testing.T) {
	_, requests := startTenant(t, emulator.ShapeAbsent)
	r := runProbe(t, requests)
	if r.code != exitDiffers || verdicts(r)["organization-config"] != verdictDiffers ||
		!strings.Contains(r.stdout, "differs: no ElevatedAccessControl property") {
		t.Fatalf("exit %d, verdicts %v; want organization-config to differ", r.code, verdicts(r))
	}
	// With no policy or request in the tenant those questions stay open, and say so.
	if v := verdicts(r)["approval-policies"]; v != verdictUnanswered {
		t.Errorf("approval-policies: %s, want %s", v, verdictUnanswered)
	}
	assertReadOnly(t, r.sent)
}

// A boolean ElevatedAccessControl is one of the shapes the client reads; the probe records which.
func TestProbeSettlesTheTypeOfElevatedAccessControl(t *testing.T) {
	_, requests := startTenant(t, emulator.ShapeBoolean)
	r := runProbe(t, requests)
	if verdicts(r)["organization-config"] != verdictMatches || !strings.Contains(r.stdout, "ElevatedAccessControl is boolean false") {
		t.Fatalf("verdicts %v; want organization-config to match as a boolean", verdicts(r))
	}
}

// The transport refuses anything but reads, whatever a client asks for.
func TestRecorderRefusesWrites(t *testing.T) {
	for _, tc := range []struct {
		rec exchangeAnswer
		ok  bool
	}{
		{exchangeAnswer{Method: "GET", Path: "/v1.0/subscribedSkus"}, true},
		{exchangeAnswer{Method: "POST", Path: "/adminapi/beta/t/InvokeCommand", Cmdlet: "Get-OrganizationConfig"}, true},
		{exchangeAnswer{Method: "POST", Path: "/adminapi/beta/t/InvokeCommand", Cmdlet: "Remove-DistributionGroup"}, false},
		{exchangeAnswer{Method: "POST", Path: "/v1.0/groups"}, false},
		{exchangeAnswer{Method: "PATCH", Path: "/v1.0/groups/x"}, false},
	} {
		if err := readOnly(tc.rec); (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want allowed=%t", tc.rec, err, tc.ok)
		}
	}
}

// Annotation keys keep their type information; directory paths and names lose the person.
func TestRedactorKeepsAnnotationsAndHidesPeople(t *testing.T) {
	r := newRedactor(nil)
	in := `{"Guid@odata.type": "#Guid", "ManagedBy@odata.type": "#Collection(String)", "@odata.context": "x",` +
		` "RevokedBy": "NAMPR00A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/Adele Vance",` +
		` "DisplayName": "Adele Vance", "displayName": "", "RequestorUPN": "adele@contoso.onmicrosoft.com"}`
	out := r.text(in)
	for _, kept := range []string{`"Guid@odata.type"`, `"ManagedBy@odata.type"`, `"@odata.context"`,
		"Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/", `"displayName": ""`, "@contoso.onmicrosoft.com"} {
		if !strings.Contains(out, kept) {
			t.Errorf("redacted %s lost %s", out, kept)
		}
	}
	if strings.Contains(out, "Adele") || strings.Contains(out, "adele@") {
		t.Errorf("redacted %s still names the person", out)
	}
}

// runTestTenant runs the probe in test-tenant mode, typing answer at the confirmation.
func runTestTenant(t *testing.T, requests *lockedBuffer, typed string, extra ...string) result {
	t.Helper()
	return runWith(t, requests, typed+"\n", append([]string{"-test-tenant"}, extra...)...)
}

// listing is what the tenant holds, read through the provider's client as a user would check.
func listing(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	conn, err := connect.FromEnvironment(ctx, connect.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	groups, err := conn.Exchange.Invoke(ctx, "Get-DistributionGroup", map[string]any{"ResultSize": "Unlimited"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		lines = append(lines, "group  "+string(g["PrimarySmtpAddress"]))
	}
	policies, err := conn.Exchange.ApprovalPolicies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		lines = append(lines, "policy "+p.Identity+" "+p.Task+" "+p.ApproverGroup)
	}
	return strings.Join(lines, "\n")
}

// The test-tenant mode answers the write questions on objects it names itself, records every raw
// answer, and leaves the tenant as it found it.
func TestProbeTestTenantModeRemovesWhatItMade(t *testing.T) {
	srv, requests := startTenant(t, "")
	seed(t, srv)
	before, _ := json.Marshal(srv.Snapshot())
	t.Logf("listing before:\n%s", listing(t))
	r := runTestTenant(t, requests, srv.Organization(), "-default-approver-group", "pam-approvers@"+srv.Organization())
	t.Logf("listing after:\n%s", listing(t))
	want := map[string]string{"write-preconditions": verdictMatches, "write-group": verdictMatches,
		"write-duplicate-group": verdictMatches, "write-policy": verdictMatches, "write-duplicate-policy": verdictMatches,
		"write-enable-again": verdictMatches, "write-cleanup": verdictMatches}
	got := verdicts(r)
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: %s, want %s", id, got[id], v)
		}
	}
	if after, _ := json.Marshal(srv.Snapshot()); !bytes.Equal(before, after) {
		t.Errorf("the tenant differs after the run:\nbefore %s\nafter  %s", before, after)
	}
	for _, a := range r.report.Answers {
		if strings.HasPrefix(a.ID, "write-") && a.ID != "write-enable-again" && len(a.Raw) == 0 {
			t.Errorf("%s: no raw answer recorded", a.ID)
		}
	}
	if !strings.Contains(r.sent, "Remove-DistributionGroup") || !strings.Contains(r.sent, "Remove-ElevatedAccessApprovalPolicy") {
		t.Errorf("the run removed nothing:\n%s", r.sent)
	}
}

// A step that fails leaves nothing behind either.
func TestProbeTestTenantModeCleansUpAfterAFailedStep(t *testing.T) {
	srv, requests := startTenant(t, "")
	seed(t, srv)
	before, _ := json.Marshal(srv.Snapshot())
	srv.FailCmdlet("New-ElevatedAccessApprovalPolicy", 1, emulator.FaultServerError)
	r := runTestTenant(t, requests, srv.Organization())
	if got := verdicts(r); got["write-policy"] != verdictDiffers || got["write-cleanup"] != verdictMatches || r.code != exitDiffers {
		t.Fatalf("exit %d, verdicts %v; want the policy step to differ and the cleanup to match", r.code, got)
	}
	if after, _ := json.Marshal(srv.Snapshot()); !bytes.Equal(before, after) {
		t.Errorf("the failed run left objects behind:\nbefore %s\nafter  %s", before, after)
	}
}

// The mode refuses without the typed domain, and refuses a tenant where it would share a task with
// a policy it did not make; either way nothing is written.
func TestProbeTestTenantModeRefuses(t *testing.T) {
	srv, requests := startTenant(t, "")
	seed(t, srv)
	before, _ := json.Marshal(srv.Snapshot())
	if r := runTestTenant(t, requests, "fabrikam.onmicrosoft.com"); r.code != exitFailed || !strings.Contains(r.stdout, "nothing was changed") {
		t.Errorf("wrong domain: exit %d", r.code)
	}
	if after, _ := json.Marshal(srv.Snapshot()); !bytes.Equal(before, after) {
		t.Error("a run without the typed domain changed the tenant")
	}
	ctx := context.Background()
	conn, err := connect.FromEnvironment(ctx, connect.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exchange.NewApprovalPolicy(ctx, exchange.NewPolicy{Task: probeTask, ApprovalType: exchange.ApprovalManual,
		ApproverGroup: "pam-approvers@" + srv.Organization()}); err != nil {
		t.Fatal(err)
	}
	before, _ = json.Marshal(srv.Snapshot())
	r := runTestTenant(t, requests, srv.Organization())
	if v := verdicts(r); v["write-preconditions"] != verdictDiffers || v["write-group"] != verdictUnanswered {
		t.Errorf("verdicts %v; want the tenant refused", v)
	}
	assertReadOnly(t, r.sent)
	if after, _ := json.Marshal(srv.Snapshot()); !bytes.Equal(before, after) {
		t.Error("a refused tenant was changed")
	}
}
