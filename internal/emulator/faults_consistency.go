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

// recordLocked keeps a copy of the tenant after a write; the caller holds the tenant's lock.
func (r *replica) recordLocked(now time.Time, t *Tenant) {
	if r.delay > 0 {
		r.versions = append(r.versions, tenantVersion{at: now, tenant: cloneTenant(t)})
	}
}

// viewLocked returns what reads see at now: the live tenant when there is no delay, else the
// newest copy at least delay old. Older copies are dropped. The caller holds the tenant's lock.
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

// replicated hides from one Exchange call the objects created less than Options.ReplicationLag
// ago, as a domain controller that has not received them yet would: lookups answer "not found"
// and listings leave them out, for writes as for reads. merge puts the hidden objects back after
// the call and keeps what the call changed; the caller holds the tenant's lock.
func (s *Server) replicated(t *Tenant, now time.Time) (view *Tenant, merge func()) {
	lag := s.opts.ReplicationLag
	if lag <= 0 {
		return t, func() {}
	}
	fresh := func(created time.Time) bool { return now.Before(created.Add(lag)) }
	v := *t
	var groups []*Group
	var policies []*Policy
	var requests []*Request
	v.Groups, groups = split(t.Groups, func(g *Group) bool { return fresh(g.WhenCreated) })
	v.Policies, policies = split(t.Policies, func(p *Policy) bool { return fresh(p.WhenCreated) })
	v.Requests, requests = split(t.Requests, func(r *Request) bool { return fresh(r.Created) })
	return &v, func() {
		*t = v
		t.Groups = append(t.Groups, groups...)
		t.Policies = append(t.Policies, policies...)
		t.Requests = append(t.Requests, requests...)
	}
}

// withoutNewGroups is t without the groups created less than Options.ObjectIDLag ago, as
// Microsoft Graph shows it before the directory has them; the caller holds the tenant's lock.
func (s *Server) withoutNewGroups(t *Tenant) *Tenant {
	lag := s.opts.ObjectIDLag
	if lag <= 0 {
		return t
	}
	now := s.opts.Now().UTC()
	v := *t
	v.Groups, _ = split(t.Groups, func(g *Group) bool { return now.Before(g.WhenCreated.Add(lag)) })
	return &v
}

// split returns the items without those hidden, and the hidden ones, in new slices.
func split[T any](items []T, hidden func(T) bool) (shown, held []T) {
	shown = make([]T, 0, len(items))
	for _, item := range items {
		if hidden(item) {
			held = append(held, item)
		} else {
			shown = append(shown, item)
		}
	}
	return shown, held
}
