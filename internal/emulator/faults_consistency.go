package emulator

import "time"

// replica models eventual consistency: writes change the tenant at once, but Graph and Exchange
// reads see the tenant as it was Options.ConsistencyDelay ago, so a new or changed object shows
// up (and a removed one disappears) only after the delay. Writes still check their rules
// against the current tenant, as the service's own store would.
type replica struct {
	delay    time.Duration
	versions []tenantVersion // oldest first; versions[0] is the newest one already visible
}

// tenantVersion is the tenant as a write left it.
type tenantVersion struct {
	at     time.Time
	tenant *Tenant
}

func newReplica(delay time.Duration, initial *Tenant) *replica {
	r := &replica{delay: delay}
	if delay > 0 {
		r.versions = []tenantVersion{{tenant: cloneTenant(initial)}}
	}
	return r
}

// recordLocked keeps a copy of the tenant after a write; the caller holds the server's lock.
func (r *replica) recordLocked(now time.Time, t *Tenant) {
	if r.delay > 0 {
		r.versions = append(r.versions, tenantVersion{at: now, tenant: cloneTenant(t)})
	}
}

// viewLocked returns what reads see at now: the live tenant when there is no delay, else the
// newest copy at least delay old. Older copies are dropped. The caller holds the server's lock.
func (r *replica) viewLocked(now time.Time, live *Tenant) *Tenant {
	if r.delay <= 0 {
		return live
	}
	cutoff := now.Add(-r.delay)
	visible := 0
	for i, v := range r.versions {
		if v.at.After(cutoff) {
			break
		}
		visible = i
	}
	r.versions = r.versions[visible:]
	return r.versions[0].tenant
}

// readableTenantLocked is the tenant as reads see it now; the caller holds s.mu.
func (s *Server) readableTenantLocked() *Tenant {
	return s.replica.viewLocked(s.opts.Now().UTC(), s.tenant)
}
