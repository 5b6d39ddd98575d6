package emulator

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// requestInfo travels in the request context so handlers can name the cmdlet for the log line
// and count the request for its tenant.
type requestInfo struct {
	cmdlet string
	fault  FaultKind     // an injected fault, if any
	tenant *HostedTenant // the tenant the request names, for its stats; nil if none
}

type requestInfoKey struct{}

func infoFrom(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (to cut it for a fault).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests writes one line per request: method, path, cmdlet, status, duration. Query
// strings and bodies are left out because they may carry secrets.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		cmdlet := info.cmdlet
		if cmdlet == "" {
			cmdlet = "-"
		}
		fault := ""
		if info.fault != "" {
			fault = " fault=" + string(info.fault)
		}
		fmt.Fprintf(s.opts.Log, "%s %s %s %d %s%s\n", r.Method, r.URL.Path, cmdlet, rec.status, time.Since(start).Round(time.Microsecond), fault)
	})
}

func newGUID() string { return uuid.NewString() }

// requestIDs sets the correlation headers both APIs answer with and returns the request id.
func requestIDs(w http.ResponseWriter, r *http.Request, exchange bool) (requestID, clientRequestID string) {
	requestID = newGUID()
	h := w.Header()
	h.Set("request-id", requestID)
	if exchange {
		h.Set("x-ms-request-id", requestID)
	}
	clientRequestID = r.Header.Get("client-request-id")
	if clientRequestID != "" {
		h.Set("client-request-id", clientRequestID)
	}
	return requestID, clientRequestID
}
