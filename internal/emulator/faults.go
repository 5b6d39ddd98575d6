package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind is a failure the emulator can inject into a request, in the shape the real services
// answer it (see docs/development/service-facts.md: Retry-After on 429 and 503, the per-tenant
// concurrency text, the transient server exceptions, Exchange's cmdlet error body).
type FaultKind string

const (
	// FaultThrottled answers 429 with Retry-After; the request did not run.
	FaultThrottled FaultKind = "throttled"
	// FaultUnavailable answers 503 with Retry-After; the request did not run.
	FaultUnavailable FaultKind = "unavailable"
	// FaultBusyTenant answers Exchange's per-tenant concurrency refusal (HTTP 400 with the
	// "maximum number of concurrent requests per tenant" text and Retry-After); the cmdlet did not
	// run. Graph has no such answer and is throttled instead.
	FaultBusyTenant FaultKind = "busy-tenant"
	// FaultRefused makes the cmdlet fail with an InvalidOperation cmdlet error (HTTP 400), which
	// clients must not retry; the cmdlet did not run.
	FaultRefused FaultKind = "refused"
	// FaultServerError answers HTTP 500 before the cmdlet runs.
	FaultServerError FaultKind = "server-error"
	// FaultTransient answers HTTP 500 whose details[0].message names one of the transient server
	// exceptions the Exchange Online module retries (DCOverloadedException, ...); the cmdlet did
	// not run. Which one follows the fault seed.
	FaultTransient FaultKind = "transient"
	// FaultDropAfterCommit runs the cmdlet, then cuts the connection before the answer.
	FaultDropAfterCommit FaultKind = "drop-after-commit"
)

// faultRetryAfter is the Retry-After the emulator sends, in seconds: short, so fault runs stay fast.
const faultRetryAfter = "1"

// randomKinds are what -fail-rate picks from, per service.
var randomKinds = map[service][]FaultKind{
	serviceExchange: {FaultThrottled, FaultUnavailable, FaultBusyTenant, FaultTransient},
	serviceGraph:    {FaultThrottled, FaultUnavailable},
}

// faultInjector decides which requests fail. Random choices come from seeded sources, so a seed
// gives the same sequence of decisions: one source for failures before a request runs, another
// for drops after a write, so that the n-th write's fate does not depend on how many reads came
// before it. Forced faults are queued per cmdlet by FailCmdlet.
type faultInjector struct {
	mu       sync.Mutex
	failRng  *rand.Rand
	dropRng  *rand.Rand
	failRate float64
	dropRate float64
	forced   map[forcedKey][]FaultKind // faults for a tenant's next calls of a cmdlet
}

// forcedKey is a tenant id and a lower-case cmdlet name.
type forcedKey struct{ tenantID, cmdlet string }

func newFaultInjector(opts Options) (*faultInjector, error) {
	for name, rate := range map[string]float64{"fail rate": opts.FailRate, "drop-after-commit rate": opts.DropAfterCommitRate} {
		if rate < 0 || rate > 1 {
			return nil, fmt.Errorf("%s %v is not between 0 and 1", name, rate)
		}
	}
	seed := uint64(opts.FaultSeed)
	return &faultInjector{
		failRng:  rand.New(rand.NewPCG(seed, 1)),
		dropRng:  rand.New(rand.NewPCG(seed, 2)),
		failRate: opts.FailRate,
		dropRate: opts.DropAfterCommitRate,
		forced:   map[forcedKey][]FaultKind{},
	}, nil
}

// random draws whether this request fails before it runs, and how.
func (f *faultInjector) random(svc service) FaultKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failRate == 0 || f.failRng.Float64() >= f.failRate {
		return ""
	}
	kinds := randomKinds[svc]
	return kinds[f.failRng.IntN(len(kinds))]
}

// transient draws which transient server exception a FaultTransient names.
func (f *faultInjector) transient() *cmdletError {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := transientErrors[f.failRng.IntN(len(transientErrors))]
	return &e
}

// randomDrop draws whether a successful write loses its answer.
func (f *faultInjector) randomDrop() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dropRate > 0 && f.dropRng.Float64() < f.dropRate
}

// next takes the fault queued for the tenant's next call of the cmdlet, if any.
func (f *faultInjector) next(tenantID, cmdlet string) FaultKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := forcedKey{strings.ToLower(tenantID), strings.ToLower(cmdlet)}
	queue := f.forced[key]
	if len(queue) == 0 {
		return ""
	}
	f.forced[key] = queue[1:]
	return queue[0]
}

// FailCmdlet makes the starting tenant's next n calls of the Exchange cmdlet fail with kind,
// whatever the random rates say. Tests use it to force one failure point of a multi-step change;
// HostedTenant.FailCmdlet does the same in another tenant.
func (s *Server) FailCmdlet(cmdlet string, n int, kind FaultKind) {
	s.tenants[0].FailCmdlet(cmdlet, n, kind)
}

func (f *faultInjector) force(tenantID, cmdlet string, n int, kind FaultKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := forcedKey{strings.ToLower(tenantID), strings.ToLower(cmdlet)}
	for range n {
		f.forced[key] = append(f.forced[key], kind)
	}
}

// ClearFaults drops the faults FailCmdlet queued that no call has taken yet, so that a fault meant
// for one run does not hit a later one.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	clear(s.faults.forced)
}

// injectRandomFault answers a Graph or Exchange request with a random fault before it runs;
// false means the request goes ahead.
func (s *Server) injectRandomFault(w http.ResponseWriter, r *http.Request, svc service) bool {
	kind := s.faults.random(svc)
	if kind == "" {
		return false
	}
	s.writeFault(w, r, svc, kind)
	return true
}

// writeFault answers a fault that happens before the request runs.
func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, svc service, kind FaultKind) {
	s.count(r, serviceFault, string(kind))
	infoFrom(r).fault = kind
	if svc == serviceGraph {
		requestID, clientRequestID := requestIDs(w, r, false)
		status, code, msg := http.StatusTooManyRequests, "TooManyRequests", "Too many requests are being made. Please retry after some time."
		if kind == FaultUnavailable {
			status, code, msg = http.StatusServiceUnavailable, "serviceNotAvailable", "Service is temporarily unavailable. Please retry after some time."
		}
		w.Header().Set("Retry-After", faultRetryAfter)
		s.writeGraphResult(w, fail(&graphError{status, code, msg}), requestID, clientRequestID)
		return
	}
	requestIDs(w, r, true)
	switch kind {
	case FaultThrottled:
		w.Header().Set("Retry-After", faultRetryAfter)
		writeExchangeHTTPError(w, http.StatusTooManyRequests, "TooManyRequests", "The request was throttled because the tenant sent too many requests. Retry after the time in the Retry-After header.")
	case FaultUnavailable:
		w.Header().Set("Retry-After", faultRetryAfter)
		writeExchangeHTTPError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Try again later.")
	case FaultBusyTenant:
		w.Header().Set("Retry-After", faultRetryAfter)
		(&cmdletError{http.StatusBadRequest, "", excTask,
			"The request was rejected because the tenant has reached the maximum number of concurrent requests per tenant. Retry the request later."}).write(w)
	case FaultRefused:
		errInvalidOperation("The operation couldn't be performed: the emulator was asked to refuse it (fault injection).").write(w)
	case FaultTransient:
		s.faults.transient().write(w)
	default:
		errInternal("An internal server error occurred. The operation failed.").write(w)
	}
}

// dropConnection cuts the connection without an answer, as a network fault after the service
// committed the change would.
func (s *Server) dropConnection(w http.ResponseWriter, r *http.Request) {
	s.count(r, serviceFault, string(FaultDropAfterCommit))
	infoFrom(r).fault = FaultDropAfterCommit
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot cut (HTTP/2): answer as a gateway that lost the backend would.
		writeExchangeHTTPError(w, http.StatusGatewayTimeout, "GatewayTimeout", "The gateway timed out waiting for the service.")
		return
	}
	_ = conn.Close()
}

// addLatency holds every answer back by Options.Latency, or until the client gives up.
func (s *Server) addLatency(r *http.Request) {
	if s.opts.Latency <= 0 {
		return
	}
	t := time.NewTimer(s.opts.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}
