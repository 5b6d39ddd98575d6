package connect

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

// Connection is the way to the tenant built from the settings: one credential and the two
// service clients.
type Connection struct {
	*pamtenant.Clients // the Exchange and Graph clients, the tenant id and the organization
	Credential         azcore.TokenCredential
	SignIn             auth.Method
	Cloud              cloud.Environment
	// Secrets are the configured secret values, for tools that must keep them out of a file.
	Secrets []string
}

// Options shape a Connection.
type Options struct {
	Version string
	// TerraformVersion is the CLI's version, for the User-Agent; empty outside Terraform.
	TerraformVersion string
	// Services, when set, wraps the transport of the Graph and Exchange requests (not sign-in).
	Services func(http.RoundTripper) http.RoundTripper
	// Log receives the clients' debug lines and the token requests; nil = none.
	Log runenv.LogFunc
}

// FromEnvironment signs in exactly as the provider does with an empty provider block: from the
// ARM_* and O365PAM_* environment variables, with the same sign-in code and clients. Tools that
// run outside Terraform (the probe) use it.
func FromEnvironment(ctx context.Context, opts Options) (*Connection, error) {
	s, problems := Resolve(Inputs{}, LookupEnv)
	if len(problems) > 0 {
		var texts []string
		for _, p := range problems {
			texts = append(texts, p.Summary+": "+p.Detail)
		}
		return nil, errors.New(strings.Join(texts, "; "))
	}
	return New(ctx, s, opts)
}

// New signs in with the settings and builds the clients of the tenant they name.
func New(ctx context.Context, s Settings, opts Options) (*Connection, error) {
	f, err := NewFleet(s, opts)
	if err != nil {
		return nil, err
	}
	return f.Connect(ctx, s.Auth.TenantID, s.Organization)
}

// Fleet signs in to any number of tenants with one set of settings: a multi-tenant app consented
// in each tenant asks each tenant's own token endpoint for its tokens. The tenants share one HTTP
// client (and its connection pool), so a fleet costs connections and memory by the tenants it
// reaches, not a process each.
type Fleet struct {
	settings Settings
	opts     Options
	signIn   *http.Client // sign-in requests
	services *http.Client // Graph and Exchange requests
	secrets  []string
	// findsTenant is set when the settings name no tenant and the sign-in method finds one by
	// itself (the Azure CLI's signed-in account, a managed identity).
	findsTenant bool
}

// NewFleet checks the settings without signing in. The settings may name no tenant, when every
// Connect names its own; then they are checked as if one were named.
func NewFleet(s Settings, opts Options) (*Fleet, error) {
	// The first TLS handshake loads and parses the system's root certificates, which takes longer
	// than Terraform needs to ask for the first read; loading them now takes that off the way to
	// the first token.
	go func() { _, _ = x509.SystemCertPool() }()
	// One client and one connection pool for sign-in, Graph and Exchange. The default transport's
	// clone keeps proxy settings and the system roots (SSL_CERT_FILE included).
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("the process replaced Go's default HTTP transport with a %T; cannot build the service clients", http.DefaultTransport)
	}
	transport := base.Clone()
	// Many tenants' requests run at once; the default of 2 idle connections per host would make
	// most of them open a new connection.
	transport.MaxIdleConnsPerHost = 64
	f := &Fleet{settings: s, opts: opts, signIn: &http.Client{Transport: transport}}
	f.services = f.signIn
	if opts.Services != nil {
		f.services = &http.Client{Transport: opts.Services(transport)}
	}
	f.settings.Auth.HTTPClient = f.signIn
	// Settings that name a tenant are checked when Connect builds its credential. Without one, a
	// method that finds its tenant is ready as it is; for the others only the tenant is left to a
	// later Connect, and a syntactically valid placeholder lets the rest be checked now. Nothing
	// is sent.
	if s.Auth.TenantID == "" {
		if _, _, err := auth.NewCredential(f.settings.Auth); err == nil {
			f.findsTenant = true
		} else {
			check := f.settings.Auth
			check.TenantID = "00000000-0000-0000-0000-000000000000"
			if _, _, err := auth.NewCredential(check); err != nil {
				return nil, err
			}
		}
	}
	for _, v := range []string{s.Auth.ClientSecret, s.Auth.ClientCertificate, s.Auth.ClientCertificatePassword,
		s.Auth.OIDCToken, s.Auth.OIDCRequestToken} {
		if v != "" {
			f.secrets = append(f.secrets, v)
		}
	}
	return f, nil
}

// Tenant is the tenant the settings name (a GUID or a domain), empty when they name none.
func (f *Fleet) Tenant() string { return f.settings.Auth.TenantID }

// SignInWithoutTenant reports whether settings that name no tenant still have one: the sign-in
// method finds it by itself.
func (f *Fleet) SignInWithoutTenant() bool { return f.findsTenant }

// Connect signs in to one tenant, named by its GUID or a domain (empty: the tenant the credential
// finds by itself), and builds its clients. organization, when empty, is read from Graph.
func (f *Fleet) Connect(ctx context.Context, tenant, organization string) (*Connection, error) {
	s := f.settings
	s.Auth.TenantID = tenant
	credential, method, err := auth.NewCredential(s.Auth)
	if err != nil {
		return nil, err
	}
	logf := f.opts.Log
	if logf != nil && tenant != "" {
		logf = tenantLog{tenant: tenant, next: logf}.logWithTenant
	}
	if logf != nil {
		credential = newLoggedCredential(credential, string(method), logf)
	}
	clients, err := pamtenant.Connect(ctx, pamtenant.Config{
		Cloud:        s.Cloud,
		Credential:   credential,
		HTTPClient:   f.services,
		UserAgent:    UserAgent(f.opts.Version, f.opts.TerraformVersion),
		TenantID:     tenant,
		Organization: organization,
		Log:          logf,
	})
	var orgErr *pamtenant.OrganizationError
	if errors.As(err, &orgErr) && tenant != f.settings.Auth.TenantID {
		// A tenant an object names: its GUID is known, and its domain is always read.
		return nil, orgErr.Err
	}
	if errors.As(err, &orgErr) {
		return nil, fmt.Errorf("reading the tenant's organization from Microsoft Graph to learn its GUID and "+
			"initial domain (set tenant_id to the tenant's GUID and organization or %s to skip this): %w", EnvOrganization, orgErr.Err)
	}
	if err != nil {
		return nil, err
	}
	return &Connection{Clients: clients, Credential: credential, SignIn: method, Cloud: s.Cloud, Secrets: f.secrets}, nil
}

// tenantLog names the tenant on every line its clients and credential log, so that the log of a
// run that reaches many tenants tells their calls apart.
type tenantLog struct {
	tenant string
	next   runenv.LogFunc
}

// logWithTenant's name starts with "log" so that the provider's logger skips it when it names the
// code that logged.
func (l tenantLog) logWithTenant(ctx context.Context, message string, fields map[string]any) {
	fields["tenant"] = l.tenant
	l.next(ctx, message, fields)
}

// UserAgent names the provider's version and, as azuread does, the Terraform version that runs it,
// so that a service's support can tell which releases sent a request.
func UserAgent(version, terraformVersion string) string {
	ua := "terraform-provider-o365pam/" + version
	if terraformVersion != "" {
		ua = "HashiCorp Terraform/" + terraformVersion + " (+https://www.terraform.io) " + ua
	}
	return ua
}

// loggedCredential logs every token request with its scope, duration and expiry; never the token.
// A token the credential answered from its cache (the expiry of the last one for the scope) is
// marked cache_hit, so that real sign-ins can be counted.
type loggedCredential struct {
	azcore.TokenCredential
	method string
	logf   runenv.LogFunc

	mu       *sync.Mutex
	expiries map[string]time.Time // by scope, the expiry of the last token handed out
}

func newLoggedCredential(inner azcore.TokenCredential, method string, logf runenv.LogFunc) loggedCredential {
	return loggedCredential{TokenCredential: inner, method: method, logf: logf, mu: &sync.Mutex{}, expiries: map[string]time.Time{}}
}

func (c loggedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	start := time.Now()
	tok, err := c.TokenCredential.GetToken(ctx, opts)
	scope := strings.Join(opts.Scopes, " ")
	fields := map[string]any{
		"scope":         scope,
		"sign_in":       c.method,
		"duration_ms":   time.Since(start).Milliseconds(),
		"token_omitted": true,
	}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["expires_on"] = tok.ExpiresOn.UTC().Format(time.RFC3339)
		c.mu.Lock()
		fields["cache_hit"] = c.expiries[scope].Equal(tok.ExpiresOn)
		c.expiries[scope] = tok.ExpiresOn
		c.mu.Unlock()
	}
	c.logf(ctx, "token request", fields)
	return tok, err
}
