package emulator

import (
	"net/http"
	"sync"
)

// Stats counts requests by service and Exchange requests by cmdlet. Each HTTP request counts
// once: a Graph $batch is one Graph request, each InvokeCommand page is one Exchange request.
type Stats struct {
	TokenRequests    int
	GraphRequests    int
	ExchangeRequests int
	Cmdlets          map[string]int
	// Faults counts injected faults by FaultKind; FaultedRequests is their total.
	Faults          map[FaultKind]int
	FaultedRequests int
}

// Sub returns the counts that happened after earlier was taken.
func (s Stats) Sub(earlier Stats) Stats {
	d := Stats{
		TokenRequests:    s.TokenRequests - earlier.TokenRequests,
		GraphRequests:    s.GraphRequests - earlier.GraphRequests,
		ExchangeRequests: s.ExchangeRequests - earlier.ExchangeRequests,
		Cmdlets:          map[string]int{},
		Faults:           map[FaultKind]int{},
		FaultedRequests:  s.FaultedRequests - earlier.FaultedRequests,
	}
	for name, n := range s.Cmdlets {
		if n -= earlier.Cmdlets[name]; n != 0 {
			d.Cmdlets[name] = n
		}
	}
	for kind, n := range s.Faults {
		if n -= earlier.Faults[kind]; n != 0 {
			d.Faults[kind] = n
		}
	}
	return d
}

type service int

const (
	serviceToken service = iota
	serviceGraph
	serviceExchange
	serviceCmdlet
	serviceFault
)

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

// add counts one request for svc; for serviceCmdlet, name is the cmdlet, for serviceFault the
// FaultKind.
func (c *statsCounter) add(svc service, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch svc {
	case serviceToken:
		c.s.TokenRequests++
	case serviceGraph:
		c.s.GraphRequests++
	case serviceExchange:
		c.s.ExchangeRequests++
	case serviceCmdlet:
		if c.s.Cmdlets == nil {
			c.s.Cmdlets = map[string]int{}
		}
		c.s.Cmdlets[name]++
	case serviceFault:
		if c.s.Faults == nil {
			c.s.Faults = map[FaultKind]int{}
		}
		c.s.Faults[FaultKind(name)]++
		c.s.FaultedRequests++
	}
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.s
	out.Cmdlets = make(map[string]int, len(c.s.Cmdlets))
	for k, v := range c.s.Cmdlets {
		out.Cmdlets[k] = v
	}
	out.Faults = make(map[FaultKind]int, len(c.s.Faults))
	for k, v := range c.s.Faults {
		out.Faults[k] = v
	}
	return out
}

// count adds one request to the server's counters and to those of the tenant the request names.
func (s *Server) count(r *http.Request, svc service, name string) {
	s.stats.add(svc, name)
	if h := infoFrom(r).tenant; h != nil {
		h.stats.add(svc, name)
	}
}

func (c *statsCounter) reset() {
	c.mu.Lock()
	c.s = Stats{}
	c.mu.Unlock()
}

// Stats returns a copy of the counters of every request to the server, whichever tenant it named
// (HostedTenant.Stats has one tenant's); use Sub on two snapshots to measure a step.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats sets every counter back to zero, the tenants' too.
func (s *Server) ResetStats() {
	s.stats.reset()
	for _, h := range s.tenants {
		h.stats.reset()
	}
}
