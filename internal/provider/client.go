package provider

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// tenantClient is what the provider hands to every resource and data source: the two service
// clients, signed in, plus the tenant facts they need. Resources never see tokens.
type tenantClient struct {
	exchange      *exchange.Client
	graph         *graph.Client
	tenantID      string
	organization  string
	reads         *runReads
	plannedGroups groupBook  // approver groups planned in this run, for the safety checks
	policies      policyBook // approval policies planned (and removed) in this run
}

func newTenantClient(ctx context.Context, s settings, version string) (*tenantClient, error) {
	// The first TLS handshake loads and parses the system's root certificates, which takes longer
	// than Terraform needs to ask for the first read; loading them now takes that off the way to
	// the first token.
	go func() { _, _ = x509.SystemCertPool() }()
	// One client and one connection pool for sign-in, Graph and Exchange. The default transport's
	// clone keeps proxy settings and the system roots (SSL_CERT_FILE included).
	httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	s.auth.HTTPClient = httpClient
	credential, _, err := auth.NewCredential(s.auth)
	if err != nil {
		return nil, err
	}
	userAgent := "terraform-provider-o365pam/" + version

	graphClient, err := graph.New(graph.Config{
		Endpoint:   s.cloud.GraphEndpoint,
		Scope:      s.cloud.GraphScope,
		Credential: credential,
		HTTPClient: httpClient,
		UserAgent:  userAgent,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the Microsoft Graph client: %w", err)
	}

	tenantID, organization := s.auth.TenantID, s.organization
	if tenantID == "" || organization == "" {
		lookupCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		org, err := graphClient.Organization(lookupCtx)
		if err != nil {
			return nil, fmt.Errorf("reading the tenant's organization from Microsoft Graph to learn its "+
				"initial domain (set organization or %s to skip this): %w", envOrganization, err)
		}
		if tenantID == "" {
			tenantID = org.ID
		}
		if organization == "" {
			organization = org.InitialDomain
		}
	}

	exchangeClient, err := exchange.New(exchange.Config{
		Endpoint:     s.cloud.ExchangeEndpoint,
		Tenant:       tenantID,
		Organization: organization,
		Scope:        s.cloud.ExchangeScope,
		Credential:   credential,
		HTTPClient:   httpClient,
		UserAgent:    userAgent,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the Exchange Online client: %w", err)
	}
	return &tenantClient{
		exchange: exchangeClient, graph: graphClient, tenantID: tenantID, organization: organization,
		reads:         newRunReads(exchangeClient, graphClient),
		plannedGroups: groupBook{groups: map[string]plannedGroup{}},
		policies:      newPolicyBook(),
	}, nil
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
