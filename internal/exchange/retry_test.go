package exchange

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func seconds(s ...int) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, v := range s {
		out[i] = time.Duration(v) * time.Second
	}
	return out
}

func throttle(w http.ResponseWriter, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": "TooManyRequests", "message": "Too many requests."}})
}

func unavailable(w http.ResponseWriter, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{"code": "ServiceUnavailable", "message": "Try again later."}})
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		switch n {
		case 1:
			throttle(w, "7")
		case 2:
			unavailable(w, h.clock.Now().Add(12*time.Second).UTC().Format(http.TimeFormat))
		default:
			writeValues(w, "", map[string]any{"Name": "pam"})
		}
	})
	// A create is safe to resend after 429 and 503: the service did not run it.
	values, err := h.client.Invoke(context.Background(), "New-DistributionGroup", map[string]any{"Name": "pam"})
	if err != nil || len(values) != 1 {
		t.Fatalf("values %v, err %v", values, err)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(7, 12)) {
		t.Errorf("slept %v, want [7s 12s]", got)
	}
	if got := h.cred.callCount(); got != 1 {
		t.Errorf("asked for %d tokens, want 1 per call", got)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { unavailable(w, "") },
		func(c *Config) { c.MaxAttempts = 8 })
	_, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil)
	var e *apierr.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("err %v, want the last 503", err)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2, 4, 8, 16, 30, 30, 30)) {
		t.Errorf("slept %v", got)
	}
	if n := len(h.svc.requests()); n != 8 {
		t.Errorf("sent %d requests, want 8", n)
	}
}

func TestEqualJitterStaysInRangeAndVaries(t *testing.T) {
	for _, d := range []time.Duration{time.Second, 8 * time.Second, 30 * time.Second} {
		distinct := map[time.Duration]bool{}
		for range 200 {
			got := equalJitter(d)
			if got < d/2 || got > d {
				t.Fatalf("equalJitter(%v) = %v, outside [%v, %v]", d, got, d/2, d)
			}
			distinct[got] = true
		}
		if len(distinct) < 2 {
			t.Errorf("equalJitter(%v) never varies", d)
		}
	}
}

func TestRetryStopsBeforeTheDeadline(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { throttle(w, "") },
		func(c *Config) { c.MaxAttempts = 20 })
	deadline := h.clock.Now().Add(10 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_, err := h.client.Invoke(ctx, "Get-OrganizationConfig", nil)
	if !apierr.Is(err, apierr.KindThrottled) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the last throttle and the deadline", err)
	}
	// 2+4 = 6s; waiting 8s more would pass the deadline.
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2, 4)) {
		t.Errorf("slept %v, want [2s 4s]", got)
	}
	if h.clock.Now().After(deadline) {
		t.Errorf("clock %v passed the deadline %v", h.clock.Now(), deadline)
	}
}

func TestRetryAfterBeyondTheDeadlineIsNotAwaited(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { throttle(w, "60") })
	ctx, cancel := context.WithDeadline(context.Background(), h.clock.Now().Add(10*time.Second))
	defer cancel()
	_, err := h.client.Invoke(ctx, "Get-OrganizationConfig", nil)
	if !apierr.Is(err, apierr.KindThrottled) {
		t.Fatalf("err %v, want throttled", err)
	}
	if got := h.clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no sleep", got)
	}
	if n := len(h.svc.requests()); n != 1 {
		t.Errorf("sent %d requests, want 1", n)
	}
}

func TestThrottledAfterMaxAttempts(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { throttle(w, "1") },
		func(c *Config) { c.MaxAttempts = 3 })
	_, err := h.client.Invoke(context.Background(), "Get-DistributionGroup", nil)
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindThrottled || e.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("err %v, want throttled 429", err)
	}
	if n := len(h.svc.requests()); n != 3 {
		t.Errorf("sent %d requests, want 3", n)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(1, 1)) {
		t.Errorf("slept %v, want [1s 1s]", got)
	}
}

func TestBusyTenantIsRetriedEvenForCreates(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		if n == 1 {
			writeFault(w, "Microsoft.Exchange.Configuration.Tasks.TaskException",
				"The request was rejected: the maximum number of concurrent requests per tenant was exceeded.")
			return
		}
		writeValues(w, "", map[string]any{"Identity": "p1", "Task": `Exchange\New-MoveRequest`})
	})
	policy, err := h.client.NewApprovalPolicy(context.Background(), NewPolicy{Task: `Exchange\New-MoveRequest`, ApprovalType: ApprovalManual, ApproverGroup: "pam@contoso.com"})
	if err != nil || policy.Identity != "p1" {
		t.Fatalf("policy %+v, err %v", policy, err)
	}
	if n := h.svc.count("New-ElevatedAccessApprovalPolicy"); n != 2 {
		t.Errorf("sent %d creates, want 2", n)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2)) {
		t.Errorf("slept %v, want [2s]", got)
	}
}

func TestBusyTenantGivesThrottledWhenRetriesRunOut(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		writeFault(w, "Microsoft.Exchange.Configuration.Tasks.TaskException",
			"Maximum number of concurrent requests per tenant reached.")
	}, func(c *Config) { c.MaxAttempts = 2 })
	_, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil)
	if !apierr.Is(err, apierr.KindThrottled) {
		t.Fatalf("err %v, want throttled", err)
	}
	if n := len(h.svc.requests()); n != 2 {
		t.Errorf("sent %d requests, want 2", n)
	}
}

func TestClientRequestIDStableAcrossRetriesAndInError(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, n int) {
		switch {
		case req.Cmdlet == "Get-DistributionGroup" && n <= 2:
			unavailable(w, "1")
		case req.Cmdlet == "Get-DistributionGroup":
			writeNotFound(w, "pam")
		default:
			writeValues(w, "")
		}
	})
	_, err := h.client.GetDistributionGroup(context.Background(), "pam")
	var e *apierr.Error
	if !errors.As(err, &e) || e.Kind != apierr.KindNotFound {
		t.Fatalf("err %v, want not found", err)
	}
	reqs := h.svc.requests()
	if len(reqs) != 3 {
		t.Fatalf("sent %d requests, want 3", len(reqs))
	}
	id := reqs[0].Header.Get("client-request-id")
	for i, r := range reqs {
		if got := r.Header.Get("client-request-id"); got != id {
			t.Errorf("attempt %d sent client-request-id %q, want %q", i+1, got, id)
		}
	}
	if e.ClientRequestID != id || !strings.Contains(err.Error(), id) {
		t.Errorf("error %q does not carry client request id %q", err, id)
	}
	if _, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil); err != nil {
		t.Fatal(err)
	}
	if next := h.svc.requests()[3].Header.Get("client-request-id"); next == id {
		t.Errorf("a new call reused client-request-id %q", id)
	}
}

func TestAmbiguousStatusRetriedOnlyForIdempotentCmdlets(t *testing.T) {
	// Every first try of a cmdlet times out at the gateway; later tries succeed.
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, _ *http.Request, req seen, _ int) {
		if h.svc.count(req.Cmdlet) == 1 {
			writeJSON(w, http.StatusGatewayTimeout, map[string]any{"error": map[string]any{"code": "GatewayTimeout", "message": "timed out"}})
			return
		}
		writeValues(w, "")
	})
	_, err := h.client.Invoke(context.Background(), "Set-DistributionGroup", map[string]any{"Identity": "pam"})
	if err != nil {
		t.Fatalf("idempotent Set after 504: %v", err)
	}
	_, err = h.client.Invoke(context.Background(), "New-ElevatedAccessRequest", map[string]any{"Task": "t"})
	if !IsAmbiguous(err) {
		t.Fatalf("err %v, want ambiguous", err)
	}
	var e *apierr.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("err %v does not wrap the 504", err)
	}
	if n := h.svc.count("New-ElevatedAccessRequest"); n != 1 {
		t.Errorf("sent %d New-ElevatedAccessRequest, want 1", n)
	}
	if n := h.svc.count("Set-DistributionGroup"); n != 2 {
		t.Errorf("sent %d Set-DistributionGroup, want 2", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := map[string]struct {
		d  time.Duration
		ok bool
	}{
		"":                              {0, false},
		"5":                             {5 * time.Second, true},
		"1.5":                           {1500 * time.Millisecond, true},
		"0.25":                          {250 * time.Millisecond, true},
		"1e9":                           {retryAfterCap, true},
		"-3":                            {0, true},
		"Wed, 02 Jan 2030 03:04:35 GMT": {30 * time.Second, true},
		"Wed, 02 Jan 2030 03:00:00 GMT": {0, true},
		"soon":                          {0, false},
	}
	for in, want := range cases {
		d, ok := parseRetryAfter(in, now)
		if d != want.d || ok != want.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", in, d, ok, want.d, want.ok)
		}
	}
}

func TestRefusedConnectionIsSafeToRetryForCreates(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { writeValues(w, "") },
		func(c *Config) { c.MaxAttempts = 2 })
	h.svc.server.Close() // nothing listens any more: the request never leaves
	_, err := h.client.Invoke(context.Background(), "New-DistributionGroup", map[string]any{"Name": "pam"})
	if err == nil || IsAmbiguous(err) {
		t.Fatalf("err %v, want a plain connection failure", err)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2)) {
		t.Errorf("slept %v, want one retry after 2s", got)
	}
}

// transientFault answers HTTP 500 naming a transient server exception in details[0].message, in
// the observed envelope.
func transientFault(w http.ResponseWriter, exception string) {
	writeJSON(w, http.StatusInternalServerError, map[string]any{"error": map[string]any{
		"code": "InternalServerError", "message": "Error executing cmdlet",
		"details": []map[string]any{{"code": "Client", "target": "",
			"message": "|Microsoft.Exchange.Data.Directory." + exception + "|Active Directory server is overloaded."}},
	}})
}

// The five server exceptions the Exchange Online module retries are retried with the module's
// backoff: 5 tries, 2 s doubled.
func TestTransientServerExceptionsAreRetried(t *testing.T) {
	for _, exception := range []string{"DCOverloadedException", "SuitabilityDirectoryException", "ServerInMMException",
		"ADServerSettingsChangedException", "StorageTransientException"} {
		t.Run(exception, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
				if n <= 2 {
					transientFault(w, exception)
					return
				}
				writeValues(w, "", map[string]any{"Identity": "p1"})
			})
			values, err := h.client.Invoke(context.Background(), "Get-ElevatedAccessApprovalPolicy", nil)
			if err != nil || len(values) != 1 {
				t.Fatalf("values %v, err %v", values, err)
			}
			if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2, 4)) {
				t.Errorf("slept %v, want [2s 4s]", got)
			}
		})
	}
	// Any other 500 is final.
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { transientFault(w, "TaskException") })
	if _, err := h.client.Invoke(context.Background(), "Get-ElevatedAccessApprovalPolicy", nil); err == nil || len(h.svc.requests()) != 1 {
		t.Errorf("err %v after %d requests, want one failed request", err, len(h.svc.requests()))
	}
}

// The default is the module's five tries.
func TestFiveTriesByDefault(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		transientFault(w, "DCOverloadedException")
	})
	if _, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil); err == nil {
		t.Fatal("want the last 500")
	}
	if n := len(h.svc.requests()); n != 5 {
		t.Errorf("sent %d requests, want 5", n)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, seconds(2, 4, 8, 16)) {
		t.Errorf("slept %v", got)
	}
}

// A transient exception may strike after a create took effect: the create is not sent again, and
// the caller learns the outcome is unknown (the typed methods then look before sending again).
func TestTransientServerExceptionDoesNotResendACreate(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) {
		transientFault(w, "StorageTransientException")
	})
	_, err := h.client.Invoke(context.Background(), "New-ElevatedAccessRequest", map[string]any{"Task": `Exchange\New-MoveRequest`})
	if !IsAmbiguous(err) {
		t.Fatalf("err %v, want an unknown outcome", err)
	}
	if n := h.svc.count("New-ElevatedAccessRequest"); n != 1 {
		t.Errorf("sent %d creates, want 1", n)
	}
}

// Retry-After is read as a decimal number of seconds, as the module reads it.
func TestFractionalRetryAfterIsHonoured(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		if n == 1 {
			throttle(w, "1.5")
			return
		}
		writeValues(w, "")
	})
	if _, err := h.client.Invoke(context.Background(), "Get-OrganizationConfig", nil); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.slept(); !reflect.DeepEqual(got, []time.Duration{1500 * time.Millisecond}) {
		t.Errorf("slept %v, want [1.5s]", got)
	}
}

// A 401 is sent again once, without waiting, with a new token that answers the claims challenge;
// a second 401 is final. The service ran nothing, so this holds for creates too.
func TestUnauthorizedIsRetriedOnceWithANewToken(t *testing.T) {
	challenge := `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`
	unauthorized := func(w http.ResponseWriter) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", error="insufficient_claims", claims="`+
			base64.StdEncoding.EncodeToString([]byte(challenge))+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "InvalidAuthenticationToken", "message": "token revoked"}})
	}
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, n int) {
		if n == 1 {
			unauthorized(w)
			return
		}
		writeValues(w, "", map[string]any{"Identity": "r1", "RequestStatus": "Pending"})
	})
	if _, err := h.client.NewAccessRequest(context.Background(), `Exchange\New-MoveRequest`, "r", 1); err != nil {
		t.Fatal(err)
	}
	if n := h.svc.count("New-ElevatedAccessRequest"); n != 2 {
		t.Errorf("sent %d creates, want 2", n)
	}
	if got := h.cred.claims; !reflect.DeepEqual(got, []string{"", challenge}) {
		t.Errorf("asked for tokens with claims %q, want a plain one, then one with the challenge", got)
	}
	if got := h.clock.slept(); len(got) != 0 {
		t.Errorf("slept %v before the new token, want no wait", got)
	}

	always := newHarness(t, func(w http.ResponseWriter, _ *http.Request, _ seen, _ int) { unauthorized(w) })
	_, err := always.client.Invoke(context.Background(), "Get-OrganizationConfig", nil)
	if !apierr.Is(err, apierr.KindUnauthorized) || len(always.svc.requests()) != 2 {
		t.Errorf("err %v after %d requests, want unauthorized after 2", err, len(always.svc.requests()))
	}
}
