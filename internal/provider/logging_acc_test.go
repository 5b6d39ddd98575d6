package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// serviceCallLine matches the provider's line for one HTTP request to a service, as the CLI
// writes it to its log, and captures the service and the request id.
var serviceCallLine = regexp.MustCompile(`\[DEBUG\] provider\.terraform-provider-o365pam[^:]*: (Exchange Online|Microsoft Graph) call: .*\brequest_id=(\S*)`)

// callerOutsideLogHelpers matches a line whose @caller is a Go file of the project other than a
// logging helper's (exchange/log.go is the Graph interceptor's file too, so it may stay).
var callerOutsideLogHelpers = regexp.MustCompile(`@caller=\S*/internal/(exchange/(retry|client|once|replication)|graph/log|pamtenant/connect/connect)\.go:\d+`)

// With only TF_LOG_PROVIDER=DEBUG, as a user debugging a live run would set it, a plan logs one
// line per service request with the service's request id, a line per token request and the read
// cache's hits, and no secret or token.
func TestAccLogging_planLogsEveryServiceCall(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenantWith(t, emulator.Options{})
	ws := newCLIWorkspace(t, quickstartWithProvider(t, tn.ProviderConfig()), "SSL_CERT_FILE="+tn.Server.CAFile())
	ws.mustRun("apply", "-auto-approve", "-input=false")

	logPath := filepath.Join(ws.dir, "debug.log")
	ws.env = append(ws.env, "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+logPath)
	before := tn.Server.Stats()
	ws.mustRun("plan", "-input=false")
	used := tn.Server.Stats().Sub(before)

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, line := range strings.Split(string(raw), "\n") {
		m := serviceCallLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[2] == "" {
			t.Errorf("a service call line has no request id: %s", line)
		}
		if !strings.Contains(line, "tenant="+tn.TenantID()) {
			t.Errorf("a service call line does not name its tenant (tenant=%s): %s", tn.TenantID(), line)
		}
		lines[m[1]]++
	}
	if used.ExchangeRequests == 0 || used.GraphRequests == 0 {
		t.Fatalf("the plan made %d Exchange and %d Graph requests; the test needs both", used.ExchangeRequests, used.GraphRequests)
	}
	if lines["Exchange Online"] != used.ExchangeRequests || lines["Microsoft Graph"] != used.GraphRequests {
		t.Errorf("logged %d Exchange and %d Graph calls; the emulator answered %d and %d",
			lines["Exchange Online"], lines["Microsoft Graph"], used.ExchangeRequests, used.GraphRequests)
	}
	for _, want := range []string{": token request: ", ": read cache hit: "} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the log has no %q line", strings.Trim(want, ": "))
		}
	}
	// The provider's lines come from its tflog subsystem and name the code that logged them.
	for _, line := range strings.Split(string(raw), "\n") {
		if !serviceCallLine.MatchString(line) && !strings.Contains(line, ": token request: ") {
			continue
		}
		if !regexp.MustCompile(`@module=\S*\.o365pam `).MatchString(line) || strings.Contains(line, "provider/logging.go") ||
			!callerOutsideLogHelpers.MatchString(line) {
			t.Errorf("want @module of the o365pam subsystem and @caller at the code that logged, got: %s", line)
			break
		}
	}
	if !regexp.MustCompile(`: token request: .*cache_hit=(true|false)`).MatchString(string(raw)) {
		t.Error("token request lines do not say whether the token came from the cache (cache_hit)")
	}
	assertNoSecrets(t, logPath, map[string]string{"client secret": tn.Server.ClientSecret()})
	t.Logf("plan logged %d Exchange and %d Graph calls with request ids, as many as the emulator answered",
		lines["Exchange Online"], lines["Microsoft Graph"])
}
