package exchange

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

type logLine struct {
	message string
	fields  map[string]any
}

// Every HTTP request is one line with its status and the service's request id, and every wait
// before a retry one line with the wait; no line carries the token or a parameter value other
// than the target's Identity.
func TestEveryRequestAndWaitIsLogged(t *testing.T) {
	var mu sync.Mutex
	var lines []logLine
	record := func(_ context.Context, message string, fields map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, logLine{message, fields})
	}
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		w.Header().Set("request-id", fmt.Sprintf("req-%d", n))
		if n == 1 {
			throttle(w, "7")
			return
		}
		writeValues(w, "", map[string]any{"Name": "pam"})
	}, func(c *Config) { c.Log = record })
	if _, err := h.client.Invoke(context.Background(), "Get-DistributionGroup",
		map[string]any{"Identity": "pam-approvers@contoso.com", "ManagedBy": []string{"secret-owner@contoso.com"}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s status=%v request_id=%v wait_ms=%v attempt=%v", l.message, l.fields["status"], l.fields["request_id"], l.fields["wait_ms"], l.fields["attempt"]))
		text := fmt.Sprint(l.fields)
		if strings.Contains(text, h.cred.token) || strings.Contains(text, "secret-owner") {
			t.Errorf("a log line holds the token or a parameter value: %v", l.fields)
		}
		if l.fields["service"] != serviceName || l.fields["cmdlet"] != "Get-DistributionGroup" || l.fields["identity"] != "pam-approvers@contoso.com" {
			t.Errorf("line %q lacks the service, cmdlet or identity: %v", l.message, l.fields)
		}
	}
	want := []string{
		"Exchange Online call status=429 request_id=req-1 wait_ms=<nil> attempt=1",
		"Exchange Online retry status=<nil> request_id=<nil> wait_ms=7000 attempt=1",
		"Exchange Online call status=200 request_id=req-2 wait_ms=<nil> attempt=2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
