package emulator

import "sync"

// Stats counts requests by service and Exchange requests by cmdlet. Each HTTP request counts
// once: a Graph $batch is one Graph request, each InvokeCommand page is one Exchange request.
type Stats struct {
	TokenRequests    int
	GraphRequests    int
	ExchangeRequests int
	Cmdlets          map[string]int
}

// Sub returns the counts that happened after earlier was taken.
func (s Stats) Sub(earlier Stats) Stats {
	d := Stats{
		TokenRequests:    s.TokenRequests - earlier.TokenRequests,
		GraphRequests:    s.GraphRequests - earlier.GraphRequests,
		ExchangeRequests: s.ExchangeRequests - earlier.ExchangeRequests,
		Cmdlets:          map[string]int{},
	}
	for name, n := range s.Cmdlets {
		if n -= earlier.Cmdlets[name]; n != 0 {
			d.Cmdlets[name] = n
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
)

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

// add counts one request for svc; for serviceCmdlet, name is the cmdlet.
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
	return out
}

// Stats returns a copy of the counters; use Sub on two snapshots to measure a step.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats sets every counter back to zero.
func (s *Server) ResetStats() {
	s.stats.mu.Lock()
	s.stats.s = Stats{}
	s.stats.mu.Unlock()
}
