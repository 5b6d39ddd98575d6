package probe

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// exchangeAnswer is one HTTP request the probe sent to a service and its raw answer.
type exchangeAnswer struct {
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Cmdlet    string            `json:"cmdlet,omitempty"`
	Params    json.RawMessage   `json:"parameters,omitempty"`
	Status    int               `json:"status,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	BodyHex   string            `json:"body_hex,omitempty"` // an answer that is not JSON, as its first bytes
	BodyBytes int               `json:"body_bytes"`
	Error     string            `json:"error,omitempty"`
}

// keptHeaders are the answer headers worth a bug report; none carries a secret.
var keptHeaders = []string{"request-id", "x-ms-request-id", "client-request-id", "Content-Type", "Content-Encoding", "Retry-After"}

// recorder is the transport of the probe's service calls: it refuses anything that could change
// the tenant, but what the test-tenant mode's guard allows, and keeps every raw answer.
type recorder struct {
	next http.RoundTripper
	// allowWrite, set by the test-tenant mode, lets through the writes on the objects it made.
	allowWrite func(exchangeAnswer) error
	mu         sync.Mutex
	got        []exchangeAnswer
	sent       []string // every request, "GET /path" or "InvokeCommand Get-X", for the read-only check
}

// take returns the answers recorded since the last take.
func (r *recorder) take() []exchangeAnswer {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := exchangeAnswer{Method: req.Method, Path: req.URL.RequestURI()}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var invoke struct {
			CmdletInput struct {
				CmdletName string          `json:"CmdletName"`
				Parameters json.RawMessage `json:"Parameters"`
			} `json:"CmdletInput"`
		}
		_ = json.Unmarshal(body, &invoke)
		rec.Cmdlet, rec.Params = invoke.CmdletInput.CmdletName, invoke.CmdletInput.Parameters
	}
	if err := readOnly(rec); err != nil {
		if r.allowWrite == nil {
			return nil, err
		}
		if err := r.allowWrite(rec); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.sent = append(r.sent, strings.TrimSpace(rec.Method+" "+rec.Path+" "+rec.Cmdlet))
	r.mu.Unlock()

	resp, err := r.next.RoundTrip(req)
	if err != nil {
		rec.Error = err.Error()
		r.keep(rec)
		return nil, err
	}
	data, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	rec.Status, rec.BodyBytes = resp.StatusCode, len(data)
	rec.Headers = map[string]string{}
	for _, name := range keptHeaders {
		if v := resp.Header.Get(name); v != "" {
			rec.Headers[name] = v
		}
	}
	switch {
	case readErr != nil:
		rec.Error = readErr.Error()
	case json.Valid(data) && !strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip"):
		rec.Body = data
	case len(data) > 0:
		rec.BodyHex = hex.EncodeToString(data[:min(len(data), 64)])
	}
	r.keep(rec)
	return resp, readErr
}

func (r *recorder) keep(rec exchangeAnswer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rec)
}

// readOnly refuses every request but a Graph GET and an Exchange Get-* cmdlet, so the probe cannot
// change the tenant whatever a client does.
func readOnly(rec exchangeAnswer) error {
	switch {
	case rec.Method == http.MethodGet:
		return nil
	case rec.Method == http.MethodPost && strings.HasSuffix(strings.SplitN(rec.Path, "?", 2)[0], "/InvokeCommand") &&
		strings.HasPrefix(rec.Cmdlet, "Get-"):
		return nil
	default:
		return fmt.Errorf("the probe only reads: it refused to send %s %s %s", rec.Method, rec.Path, rec.Cmdlet)
	}
}
