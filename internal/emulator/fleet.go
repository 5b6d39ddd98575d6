package emulator

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// HostedTenant is one tenant of a Server: the starting tenant (built-in, seed or state file)
// first, then the generated ones that Options.Tenants asks for. Its methods are the out-of-band
// hooks tests use to address one tenant; the Server's own methods of the same names address the
// starting tenant.
type HostedTenant struct {
	srv    *Server
	index  int    // 0 for the starting tenant
	id     string // tenant GUID
	domain string // initial domain
	stats  statsCounter

	mu      sync.Mutex // guards tenant and replica (and, for the starting tenant, the state file)
	tenant  *Tenant    // nil until first use for a generated tenant
	replica *replica
}

// FleetEntry is one tenant in the fleet file (O365PAM_EMULATOR_TENANTS).
type FleetEntry struct {
	TenantID     string `json:"tenant_id"`
	Organization string `json:"organization"`
}

// fleetDomain is generated tenant i's initial domain; onmicrosoft.com names are letters and
// digits only.
func fleetDomain(i int) string { return fmt.Sprintf("fleet%04d.onmicrosoft.com", i) }

// fleetGUID derives a GUID for generated tenant i from a name, so that the same tenant count
// always gives the same ids.
func fleetGUID(i int, name string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "o365pam-emulator fleet tenant %d %s", i, name))
	var id uuid.UUID
	copy(id[:], sum[:16])
	id[6] = id[6]&0x0f | 0x40 // version 4 and the RFC 4122 variant, as Entra's ids have
	id[8] = id[8]&0x3f | 0x80
	return id.String()
}

// generatedTenant builds tenant i of a fleet: the built-in tenant's users, licences and apps
// under its own ids and domain. app, when set, is the starting tenant's first app, consented in
// every tenant as a multi-tenant app is: the same client id and secret, its own service
// principal object id.
func generatedTenant(i int, app *App) *Tenant {
	t := BuiltinTenant()
	domain := fleetDomain(i)
	t.TenantID = fleetGUID(i, "tenant")
	t.OrgGUID = fleetGUID(i, "organization")
	t.DisplayName = fmt.Sprintf("Fleet %04d", i)
	t.Domains = []Domain{{Name: domain, IsDefault: true, IsInitial: true}}
	if app != nil {
		t.Apps[0] = cloneApp(app)
	}
	for _, a := range t.Apps {
		a.ObjectID = fleetGUID(i, "app "+a.ClientID)
	}
	for _, u := range t.Users {
		u.ID = fleetGUID(i, "user "+u.ID)
		u.ExchangeGUID = fleetGUID(i, "mailbox "+u.ExchangeGUID)
		u.UserPrincipalName = u.Alias + "@" + domain
		u.ProxyAddresses = []string{"SMTP:" + u.UserPrincipalName}
	}
	return t
}

func cloneApp(a *App) *App {
	c := *a
	c.GraphRoles, c.ExchangeRoles, c.EntraRoles = slices.Clone(a.GraphRoles), slices.Clone(a.ExchangeRoles), slices.Clone(a.EntraRoles)
	return &c
}

// hostTenants lists the starting tenant and the generated ones, and indexes them by id and
// domain. Generated tenants are built on first use, so a large fleet starts at once.
func (s *Server) hostTenants(first *Tenant) error {
	n := max(s.opts.Tenants, 1)
	s.tenants = make([]*HostedTenant, 0, n)
	s.byName = make(map[string]*HostedTenant, 2*n+len(first.Domains))
	add := func(h *HostedTenant, names ...string) error {
		for _, name := range names {
			key := strings.ToLower(name)
			if other := s.byName[key]; other != nil && other != h {
				return fmt.Errorf("tenant %d and tenant %d both answer to %q", other.index, h.index, name)
			}
			s.byName[key] = h
		}
		s.tenants = append(s.tenants, h)
		return nil
	}
	start := &HostedTenant{srv: s, id: first.TenantID, domain: first.InitialDomain(), tenant: first,
		replica: newReplica(s.opts.ConsistencyDelay, first)}
	names := []string{first.TenantID}
	for _, d := range first.Domains {
		names = append(names, d.Name)
	}
	if err := add(start, names...); err != nil {
		return err
	}
	if len(first.Apps) > 0 {
		// A copy: the starting tenant's own app is its state, and may change.
		s.fleetApp = cloneApp(first.Apps[0])
	}
	for i := 1; i < n; i++ {
		h := &HostedTenant{srv: s, index: i, id: fleetGUID(i, "tenant"), domain: fleetDomain(i)}
		if err := add(h, h.id, h.domain); err != nil {
			return err
		}
	}
	return nil
}

// hosted finds the tenant a URL segment names: its GUID or one of its domains; nil if none.
func (s *Server) hosted(name string) *HostedTenant {
	return s.byName[strings.ToLower(name)]
}

// liveLocked is the tenant's current state, built on first use; the caller holds h.mu.
func (h *HostedTenant) liveLocked() *Tenant {
	if h.tenant == nil {
		h.tenant = generatedTenant(h.index, h.srv.fleetApp)
		h.replica = newReplica(h.srv.opts.ConsistencyDelay, h.tenant)
	}
	return h.tenant
}

// readableLocked is the tenant as reads see it now; the caller holds h.mu.
func (h *HostedTenant) readableLocked() *Tenant {
	live := h.liveLocked()
	return h.replica.viewLocked(h.srv.opts.Now().UTC(), live)
}

// persistLocked saves the starting tenant after a change (generated tenants live in memory
// only); the caller holds h.mu.
func (h *HostedTenant) persistLocked() error {
	if h.index != 0 || h.srv.opts.StatePath == "" {
		return nil
	}
	if err := saveTenant(h.srv.opts.StatePath, h.tenant); err != nil {
		return fmt.Errorf("save state %s: %w", filepath.Base(h.srv.opts.StatePath), err)
	}
	return nil
}

// TenantID is the tenant's GUID.
func (h *HostedTenant) TenantID() string { return h.id }

// Organization is the tenant's initial domain.
func (h *HostedTenant) Organization() string { return h.domain }

// ClientID is the tenant's first app registration's client id.
func (h *HostedTenant) ClientID() string { return h.firstApp().ClientID }

// ClientSecret is the tenant's first app registration's secret.
func (h *HostedTenant) ClientSecret() string { return h.firstApp().Secret }

// firstApp is a copy of the tenant's first app registration; empty when it has none.
func (h *HostedTenant) firstApp() App {
	h.mu.Lock()
	defer h.mu.Unlock()
	if apps := h.liveLocked().Apps; len(apps) > 0 {
		return *apps[0]
	}
	return App{}
}

// Snapshot returns a deep copy of the tenant's state.
func (h *HostedTenant) Snapshot() *Tenant {
	h.mu.Lock()
	defer h.mu.Unlock()
	return cloneTenant(h.liveLocked())
}

// Stats counts the requests that named this tenant: token requests by their URL, Exchange
// requests by their URL, Graph requests by their token's tenant.
func (h *HostedTenant) Stats() Stats { return h.stats.snapshot() }

// FailCmdlet makes the tenant's next n calls of the Exchange cmdlet fail with kind.
func (h *HostedTenant) FailCmdlet(cmdlet string, n int, kind FaultKind) {
	h.srv.faults.force(h.id, cmdlet, n, kind)
}

// Tenants lists the hosted tenants, the starting tenant first.
func (s *Server) Tenants() []*HostedTenant { return slices.Clone(s.tenants) }

// Tenant finds a hosted tenant by GUID or domain; nil when the server hosts none of that name.
func (s *Server) Tenant(name string) *HostedTenant { return s.hosted(name) }

// Fleet lists every hosted tenant's id and initial domain, the starting tenant first.
func (s *Server) Fleet() []FleetEntry {
	out := make([]FleetEntry, len(s.tenants))
	for i, h := range s.tenants {
		out[i] = FleetEntry{TenantID: h.id, Organization: h.domain}
	}
	return out
}

// FleetFile is the path of the fleet file, or "" when Options.Tenants is zero.
func (s *Server) FleetFile() string { return s.fleetFile }

// writeFleetFile writes the fleet as JSON to Options.TenantsFile, or to a temporary file the
// server removes on Close.
func (s *Server) writeFleetFile() error {
	if s.opts.Tenants <= 0 {
		return nil
	}
	data, err := json.MarshalIndent(s.Fleet(), "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if s.opts.TenantsFile != "" {
		s.fleetFile = s.opts.TenantsFile
		return os.WriteFile(s.fleetFile, data, 0o600)
	}
	s.fleetFile, err = writeTempFile("o365pam-emulator-tenants-*.json", data)
	s.ownsFleetFile = err == nil
	return err
}
