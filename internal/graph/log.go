package graph

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	khttp "github.com/microsoft/kiota-http-go"

	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

// requestLog is the innermost middleware: it sees every HTTP request kiota sends, retries and
// redirects included, and writes one line for each with its status, duration and request ids.
// kiota's retry handler waits between attempts; the line of a retry says how long it waited.
type requestLog struct{ logf runenv.LogFunc }

func (l requestLog) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := pipeline.Next(req, index)
	end := time.Now()
	fields := map[string]any{
		"service":           service,
		"method":            req.Method,
		"path":              readablePath(req.URL),
		"client_request_id": req.Header.Get("client-request-id"),
		"duration_ms":       end.Sub(start).Milliseconds(),
		"attempt":           1,
	}
	if n, convErr := strconv.Atoi(req.Header.Get("Retry-Attempt")); convErr == nil {
		fields["attempt"] = n + 1
	}
	if sent, ok := req.Context().Value(sentIDKey{}).(*sentID); ok {
		if !sent.lastEnd.IsZero() && fields["attempt"] != 1 {
			fields["waited_ms"] = start.Sub(sent.lastEnd).Milliseconds()
		}
		sent.lastEnd = end
	}
	if err != nil {
		fields["transport_error"] = err.Error()
	} else {
		fields["status"] = resp.StatusCode
		fields["request_id"] = resp.Header.Get("request-id")
		if after := resp.Header.Get("Retry-After"); after != "" {
			fields["retry_after"] = after
		}
	}
	l.logf(req.Context(), "Microsoft Graph call", fields)
	return resp, err
}

// readablePath is the path and query without percent-encoding, as a person would type it.
func readablePath(u *url.URL) string {
	p := u.Path
	if u.RawQuery != "" {
		q, err := url.QueryUnescape(u.RawQuery)
		if err != nil {
			q = u.RawQuery
		}
		p += "?" + q
	}
	return p
}
