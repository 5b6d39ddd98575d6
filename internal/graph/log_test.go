package graph

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Every HTTP request kiota sends, the retry of a throttled one included, is one line with its
// status, request id and attempt; the retry says how long it waited; no line holds the token.
func TestEveryRequestIsLoggedWithItsRequestID(t *testing.T) {
	var mu sync.Mutex
	var lines []map[string]any
	calls := 0
	fg, _ := newFakeGraph(t, func(w http.ResponseWriter, _ *http.Request, _ string) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			graphError(w, 429, "TooManyRequests", "Too many requests.", "req-429")
			return
		}
		w.Header().Set("request-id", "req-ok")
		writeJSON(w, 200, `{"value":[]}`)
	})
	client, err := New(Config{Endpoint: fg.URL + "/graph", Scope: testScope, Credential: staticCredential{},
		HTTPClient: fg.Client(), Log: func(_ context.Context, message string, fields map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			if message == "Microsoft Graph call" {
				lines = append(lines, fields)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SubscribedSkus(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range lines {
		if strings.Contains(fmt.Sprint(f), testToken) {
			t.Errorf("a line holds the token: %v", f)
		}
		_, waited := f["waited_ms"]
		got = append(got, fmt.Sprintf("%v %v status=%v request_id=%v attempt=%v retry_after=%v waited=%t",
			f["method"], f["path"], f["status"], f["request_id"], f["attempt"], f["retry_after"], waited))
	}
	want := []string{
		"GET /graph/v1.0/subscribedSkus status=429 request_id=header-req-429 attempt=1 retry_after=0 waited=false",
		"GET /graph/v1.0/subscribedSkus status=200 request_id=req-ok attempt=2 retry_after=<nil> waited=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
