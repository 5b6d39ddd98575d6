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
	"path/filepath"
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
	// Latency is added to every answer.
	Latency time.Duration
	// ExtraGroups adds that many mail-enabled security groups without members to the starting
	// tenant, to measure a provider against a large tenant.
	ExtraGroups int
}

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
	stats      statsCounter
	faults     *faultInjector

	mu      sync.Mutex // guards tenant, replica and the state file
	tenant  *Tenant
	replica *replica

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
	s.tenant = tenant
	s.replica = newReplica(opts.ConsistencyDelay, tenant)
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
	leaf, err := s.ca.leafCertificate()
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", opts.Addr)
	if err != nil {
		s.removeCAFile()
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
	f, err := os.CreateTemp("", "o365pam-emulator-ca-*.pem")
	if err != nil {
		return err
	}
	_, werr := f.Write(s.ca.certPEM)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(f.Name())
		return werr
	}
	s.caFile, s.ownsCAFile = f.Name(), true
	return nil
}

func (s *Server) removeCAFile() {
	if s.ownsCAFile {
		_ = os.Remove(s.caFile)
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
			s.stats.add(serviceGraph, "")
			if !s.injectRandomFault(w, r, serviceGraph) {
				s.serveGraph(w, r)
			}
		case strings.HasPrefix(r.URL.Path, exchangePrefix+"/"):
			s.stats.add(serviceExchange, "")
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

// TenantID is the emulated tenant's GUID.
func (s *Server) TenantID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenant.TenantID
}

// Organization is the tenant's initial domain.
func (s *Server) Organization() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenant.InitialDomain()
}

// ClientID is the first app registration's client id (the one with every permission in the
// built-in tenant).
func (s *Server) ClientID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tenant.Apps) == 0 {
		return ""
	}
	return s.tenant.Apps[0].ClientID
}

// ClientSecret is the first app registration's secret.
func (s *Server) ClientSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tenant.Apps) == 0 {
		return ""
	}
	return s.tenant.Apps[0].Secret
}

// Snapshot returns a deep copy of the tenant, for tests and tools.
func (s *Server) Snapshot() *Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneTenant(s.tenant)
}

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
		s.mu.Lock()
		if s.opts.StatePath != "" {
			if serr := saveTenant(s.opts.StatePath, s.tenant); serr != nil && err == nil {
				err = serr
			}
		}
		s.mu.Unlock()
		s.removeCAFile()
		s.closeErr = err
	})
	return s.closeErr
}

// persistLocked saves the tenant after a change; the caller holds s.mu.
func (s *Server) persistLocked() error {
	if s.opts.StatePath == "" {
		return nil
	}
	if err := saveTenant(s.opts.StatePath, s.tenant); err != nil {
		return fmt.Errorf("save state %s: %w", filepath.Base(s.opts.StatePath), err)
	}
	return nil
}
