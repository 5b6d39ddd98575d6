package provider

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// tenantClient is what the provider hands to every resource and data source: the tenant layer,
// which alone reads and writes, plus what plans of this run have seen. Resources never see tokens
// or the service clients.
type tenantClient struct {
	tenant *pamtenant.Tenant
	// tenantID is the tenant's GUID; configuredTenant is the tenant as the configuration named it
	// (a GUID or a domain, or empty), which older states may hold.
	tenantID         string
	configuredTenant string
	organization     string
	plannedGroups    groupBook  // approver groups planned in this run, for the safety checks
	policies         policyBook // approval policies planned (and removed) in this run
}

func newTenantClient(ctx context.Context, s settings, version string) (*tenantClient, error) {
	conn, err := connect(ctx, s, ConnectOptions{Version: version, Log: debugLog})
	if err != nil {
		return nil, err
	}
	return &tenantClient{
		tenant: pamtenant.New(conn.Clients), tenantID: conn.TenantID, configuredTenant: s.auth.TenantID,
		organization:  conn.Organization,
		plannedGroups: groupBook{groups: map[string]plannedGroup{}},
		policies:      newPolicyBook(),
	}, nil
}

// Connection is the way to the tenant that the provider builds from its settings: one
// credential and the two service clients.
type Connection struct {
	*pamtenant.Clients // the Exchange and Graph clients, the tenant id and the organization
	Credential         azcore.TokenCredential
	SignIn             auth.Method
	Cloud              cloud.Environment
	// Secrets are the configured secret values, for tools that must keep them out of a file.
	Secrets []string
}

// ConnectOptions shape a Connection.
type ConnectOptions struct {
	Version string
	// Services, when set, wraps the transport of the Graph and Exchange requests (not sign-in).
	Services func(http.RoundTripper) http.RoundTripper
	// Log receives the clients' debug lines and the token requests; nil = none.
	Log func(ctx context.Context, message string, fields map[string]any)
}

// ConnectFromEnvironment signs in exactly as the provider does with an empty provider block: from
// the ARM_* and O365PAM_* environment variables, with the same sign-in code and clients. Tools
// that run outside Terraform (the probe) use it.
func ConnectFromEnvironment(ctx context.Context, opts ConnectOptions) (*Connection, error) {
	s, diags := resolveSettings(providerModel{}, lookupEnv)
	if diags.HasError() {
		var problems []string
		for _, d := range diags.Errors() {
			problems = append(problems, d.Summary()+": "+d.Detail())
		}
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return connect(ctx, s, opts)
}

func connect(ctx context.Context, s settings, opts ConnectOptions) (*Connection, error) {
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
	httpClient := &http.Client{Transport: base.Clone()}
	s.auth.HTTPClient = httpClient
	serviceClient := httpClient
	if opts.Services != nil {
		serviceClient = &http.Client{Transport: opts.Services(httpClient.Transport)}
	}
	credential, method, err := auth.NewCredential(s.auth)
	if err != nil {
		return nil, err
	}
	if opts.Log != nil {
		credential = loggedCredential{TokenCredential: credential, method: string(method), logf: opts.Log}
	}
	userAgent := "terraform-provider-o365pam/" + opts.Version

	clients, err := pamtenant.Connect(ctx, pamtenant.Config{
		Cloud:        s.cloud,
		Credential:   credential,
		HTTPClient:   serviceClient,
		UserAgent:    userAgent,
		TenantID:     s.auth.TenantID,
		Organization: s.organization,
		Log:          opts.Log,
	})
	var orgErr *pamtenant.OrganizationError
	if errors.As(err, &orgErr) {
		return nil, fmt.Errorf("reading the tenant's organization from Microsoft Graph to learn its GUID and "+
			"initial domain (set tenant_id to the tenant's GUID and organization or %s to skip this): %w", envOrganization, orgErr.Err)
	}
	if err != nil {
		return nil, err
	}
	var secrets []string
	for _, v := range []string{s.auth.ClientSecret, s.auth.ClientCertificate, s.auth.ClientCertificatePassword,
		s.auth.OIDCToken, s.auth.OIDCRequestToken} {
		if v != "" {
			secrets = append(secrets, v)
		}
	}
	return &Connection{Clients: clients, Credential: credential, SignIn: method, Cloud: s.cloud, Secrets: secrets}, nil
}

// clientFrom recovers the tenantClient that Configure stored, or reports a provider bug. A nil
// ProviderData is normal early in the plan, before the provider is configured.
func clientFrom(data any, diags *diag.Diagnostics) *tenantClient {
	if data == nil {
		return nil
	}
	c, ok := data.(*tenantClient)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *tenantClient, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return c
}
