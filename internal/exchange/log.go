package exchange

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

func (c *Client) log(ctx context.Context, message string, fields map[string]any) {
	if c.logf != nil {
		fields["service"] = serviceName
		c.logf(ctx, message, fields)
	}
}

// callFields are the fields every line about a call carries. Parameter values are left out (they
// may hold personal addresses or free text), except the Identity the cmdlet targets.
func (cl *call) fields() map[string]any {
	names := make([]string, 0, len(cl.params))
	for name := range cl.params {
		names = append(names, name)
	}
	sort.Strings(names)
	f := map[string]any{"cmdlet": cl.cmdlet, "client_request_id": cl.clientRequestID}
	if len(names) > 0 {
		f["parameters"] = strings.Join(names, ",")
	}
	if id, ok := cl.params[paramIdentity].(string); ok && id != "" {
		f["identity"] = id
	}
	return f
}

// logAttempt writes the line of one HTTP request: its status, duration and request ids.
func (c *Client) logAttempt(ctx context.Context, cl *call, attempt, pageNumber int, took time.Duration, status int, requestID string, f *failure) {
	fields := cl.fields()
	fields["attempt"] = attempt
	fields["page"] = pageNumber
	fields["duration_ms"] = took.Milliseconds()
	fields["status"] = status
	fields["request_id"] = requestID
	if f != nil {
		fields["error_kind"] = f.err.Kind.String()
		if f.err.Code != "" {
			fields["error_code"] = f.err.Code
		}
		if f.err.StatusCode == 0 && f.err.Err != nil {
			fields["transport_error"] = f.err.Err.Error()
		}
		if f.hasAfter {
			fields["retry_after_ms"] = f.retryAfter.Milliseconds()
		}
	}
	c.log(ctx, "Exchange Online call", fields)
}

// logWait writes why and how long the client waits before sending a request again.
func (c *Client) logWait(ctx context.Context, cl *call, attempt int, f *failure, wait time.Duration) {
	fields := cl.fields()
	fields["attempt"] = attempt
	fields["wait_ms"] = wait.Milliseconds()
	fields["reason"] = retryReason(f)
	c.log(ctx, "Exchange Online retry", fields)
}

func retryReason(f *failure) string {
	switch {
	case f.retry == retryAmbiguous:
		return "ambiguous: no clear answer, and the cmdlet is safe to send again"
	case f.err.StatusCode == http.StatusUnauthorized:
		return "unauthorized: sending again once with a new token"
	case f.err.Kind == apierr.KindThrottled || f.err.StatusCode == http.StatusTooManyRequests:
		return "throttled"
	case f.err.StatusCode == 0:
		return "could not connect"
	default:
		return "service unavailable or busy"
	}
}
