package emulator

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configure Start. The zero value serves the built-in tenant on a free loopback port.
type Options struct {
	Addr      string    // "127.0.0.1:0" picks a free port; "" means the same
	StatePath string    // persist the tenant as JSON (atomic write); "" = memory only
	Seed      *Tenant   // nil = built-in contoso tenant; ignored when StatePath exists
	CA        *CA       // nil = generate one
	CAFile    string    // where to write the CA certificate ("" = temp file owned by the server)
	Log       io.Writer // one line per request; nil = discard
	Now       func() time.Time
	// TokenLifetime is how long issued access tokens live; 0 means one hour.
	TokenLifetime time.Duration
	// ExchangePageSize is the InvokeCommand page size when the client sends no
	// "Prefer: odata.maxpagesize"; 0 means 100.
	ExchangePageSize int

	// Faults (faults.go). FailRate is the share of Graph and Exchange requests answered with
	// 429, 503 or Exchange's per-tenant concurrency refusal before they run;
	// DropAfterCommitRate is the share of successful Exchange writes whose connection is cut
	// before the answer. FaultSeed makes the random choices repeatable.
	FailRate            float64
	DropAfterCommitRate float64
	FaultSeed           int64
	// ConsistencyDelay is how long a change takes to show in Graph and Exchange reads.
	ConsistencyDelay time.Duration
	// ReplicationLag is how long a new group, policy or request stays "not found" to every
	// Exchange call that names it (writes included) and absent from listings.
	ReplicationLag time.Duration
	// ObjectIDLag is how long a new group has no ExternalDirectoryObjectId in Exchange and is
	// missing from Microsoft Graph.
	ObjectIDLag time.Duration
	// Latency is added to every answer.
	Latency time.Duration
	// ElevatedAccessControlShape is how Get-OrganizationConfig shows ElevatedAccessControl, whose
	// type is unverified: "" or "text" ("Enabled"/"Disabled"), "boolean", or "absent" (the
	// property left out). It lets tests show a client what it does not expect.
	ElevatedAccessControlShape string
	// ExtraGroups adds that many mail-enabled security groups without members to the starting
	// tenant, to measure a provider against a large tenant.
	ExtraGroups int
	// Tenants is how many tenants the server hosts: the starting tenant, then Tenants-1 generated
	// ones (fleet.go). 0 hosts the starting tenant alone and writes no fleet file; above 0, the
	// fleet file lists every hosted tenant.
	Tenants int
	// TenantsFile is where to write the fleet file ("" = temp file owned by the server).
	TenantsFile string
}

// Shapes of Options.ElevatedAccessControlShape.
const (
	ShapeText    = "text"
	ShapeBoolean = "boolean"
	ShapeAbsent  = "absent"
)

// Server is a running emulator.
type Server struct {
	opts       Options
	ca         *CA
	caFile     string
	ownsCAFile bool
	listener   net.Listener
	httpServer *http.Server
	baseURL    string
	signingKey *ecdsa.PrivateKey
	keyID      string
	stats      statsCounter // every request; each hosted tenant counts its own too
	faults     *faultInjector

	tenants       []*HostedTenant          // the starting tenant first
	byName        map[string]*HostedTenant // by lower-case tenant id and domain
	fleetApp      *App                     // the starting tenant's first app, consented in every tenant
	fleetFile     string
	ownsFleetFile bool

	closeOnce sync.Once
	closeErr  error
}

// Start loads the tenant, listens and serves in the background until Close.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.ExchangePageSize <= 0 {
		opts.ExchangePageSize = 100
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	switch opts.ElevatedAccessControlShape {
	case "", ShapeText, ShapeBoolean, ShapeAbsent:
	default:
		return nil, fmt.Errorf("ElevatedAccessControl shape %q is not %s, %s or %s", opts.ElevatedAccessControlShape, ShapeText, ShapeBoolean, ShapeAbsent)
	}
	s := &Server{opts: opts, ca: opts.CA}
	var err error
	if s.faults, err = newFaultInjector(opts); err != nil {
		return nil, err
	}
	tenant, err := loadTenant(opts.StatePath, opts.Seed)
	if err != nil {
		return nil, err
	}
	tenant.normalize(opts.Now().UTC())
	tenant.addSyntheticGroups(opts.ExtraGroups, opts.Now().UTC())
	if opts.Tenants < 0 {
		return nil, fmt.Errorf("tenant count %d is negative", opts.Tenants)
	}
	if err := s.hostTenants(tenant); err != nil {
		return nil, err
	}
	if opts.StatePath != "" {
		if err := saveTenant(opts.StatePath, tenant); err != nil {
			return nil, err
		}
	}
	if s.ca == nil {
		if s.ca, err = NewCA(); err != nil {
			return nil, err
		}
	}
	if s.signingKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	s.keyID = newGUID()
	if err := s.writeCAFile(); err != nil {
		return nil, err
	}
	if err := s.writeFleetFile(); err != nil {
		s.removeTempFiles()
		return nil, err
	}
	leaf, err := s.ca.leafCertificate()
	if err != nil {
		s.removeTempFiles()
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", opts.Addr)
	if err != nil {
		s.removeTempFiles()
		return nil, err
	}
	s.listener = ln
	s.baseURL = "https://" + ln.Addr().String()
	s.httpServer = &http.Server{
		Handler:           s.logRequests(s.routes()),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(opts.Log, "o365pam-emulator: ", 0),
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS12})
	go func() { _ = s.httpServer.Serve(tlsLn) }()
	return s, nil
}

func (s *Server) writeCAFile() error {
	if s.opts.CAFile != "" {
		s.caFile = s.opts.CAFile
		return s.ca.WriteFile(s.caFile)
	}
	var err error
	s.caFile, err = writeTempFile("o365pam-emulator-ca-*.pem", s.ca.certPEM)
	s.ownsCAFile = err == nil
	return err
}

// writeTempFile writes data to a new temporary file named after pattern and returns its path.
func writeTempFile(pattern string, data []byte) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return "", werr
	}
	return f.Name(), nil
}

// removeTempFiles removes the CA and fleet files the server made for itself.
func (s *Server) removeTempFiles() {
	if s.ownsCAFile {
		_ = os.Remove(s.caFile)
	}
	if s.ownsFleetFile {
		_ = os.Remove(s.fleetFile)
	}
}

// routes sends each URL prefix to its service; the sign-in paths start with a tenant segment,
// so they are matched last.
func (s *Server) routes() http.Handler {
	signin := s.signinRoutes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.addLatency(r)
		switch {
		case strings.HasPrefix(r.URL.Path, graphPrefix+"/"):
			infoFrom(r).tenant = s.graphTenantHint(r)
			s.count(r, serviceGraph, "")
			if !s.injectRandomFault(w, r, serviceGraph) {
				s.serveGraph(w, r)
			}
		case strings.HasPrefix(r.URL.Path, exchangePrefix+"/"):
			if m := invokePath.FindStringSubmatch(r.URL.Path); m != nil {
				infoFrom(r).tenant = s.hosted(m[2])
			}
			s.count(r, serviceExchange, "")
			if !s.injectRandomFault(w, r, serviceExchange) {
				s.serveExchange(w, r)
			}
		default:
			signin.ServeHTTP(w, r)
		}
	})
}

// BaseURL is the listener's https URL without a trailing slash.
func (s *Server) BaseURL() string { return s.baseURL }

// CAFile is the path of the CA certificate PEM.
func (s *Server) CAFile() string { return s.caFile }

// CA is the authority that signed the listener's certificate.
func (s *Server) CA() *CA { return s.ca }

// TenantID is the starting tenant's GUID.
func (s *Server) TenantID() string { return s.tenants[0].TenantID() }

// Organization is the starting tenant's initial domain.
func (s *Server) Organization() string { return s.tenants[0].Organization() }

// ClientID is the starting tenant's first app registration's client id (the one with every
// permission in the built-in tenant).
func (s *Server) ClientID() string { return s.tenants[0].ClientID() }

// ClientSecret is the starting tenant's first app registration's secret.
func (s *Server) ClientSecret() string { return s.tenants[0].ClientSecret() }

// Snapshot returns a deep copy of the starting tenant, for tests and tools.
func (s *Server) Snapshot() *Tenant { return s.tenants[0].Snapshot() }

// Close stops accepting requests, waits up to five seconds for running ones, saves the state
// and removes a temporary CA file.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := s.httpServer.Shutdown(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			err = s.httpServer.Close()
		}
		start := s.tenants[0]
		start.mu.Lock()
		if serr := start.persistLocked(); serr != nil && err == nil {
			err = serr
		}
		start.mu.Unlock()
		s.removeTempFiles()
		s.closeErr = err
	})
	return s.closeErr
}
