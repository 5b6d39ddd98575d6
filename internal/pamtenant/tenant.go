// Package pamtenant is the one way the provider's resources reach the tenant: typed reads that
// share what this run has read, and writes that bring those shared reads up to date before they
// return. It holds the Exchange and Microsoft Graph clients and does not hand them out to
// resources, so a write cannot forget its bookkeeping: there is no other way to write.
//
// It knows nothing of Terraform. The provider builds one Tenant per run (Terraform starts the
// provider for each plan or apply), so nothing read here outlives one run.
package pamtenant

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"

	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
	"github.com/zerostanding/terraform-provider-o365pam/internal/runenv"
)

// Config says which tenant to reach and how.
type Config struct {
	Cloud      cloud.Environment // service hosts and token scopes; the endpoints may be overridden
	Credential azcore.TokenCredential
	HTTPClient *http.Client // carries the Graph and Exchange requests
	UserAgent  string
	// TenantID and Organization (the initial domain) are read from Microsoft Graph when empty. A
	// TenantID given as a domain is resolved to the tenant's GUID the same way.
	TenantID     string
	Organization string
	Log          runenv.LogFunc // nil = none; the clients' requests and the reads answered without a call
	// Clock is the time every wait uses, the Exchange client's retries included; nil = real time.
	Clock runenv.Clock
}

// Clients are the two service clients signed in with one credential. Tools that ask the services
// questions of their own (the probe) use them directly; the provider hands them to New.
type Clients struct {
	Exchange *exchange.Client
	Graph    *graph.Client
	// TenantID is the tenant's GUID, whichever way the configuration named the tenant: state
	// records it to tell the tenant its objects belong to.
	TenantID     string
	Organization string

	clock runenv.Clock
	log   runenv.LogFunc
}

// Connect builds the clients. When the configuration leaves the tenant id or the organization
// out, or names the tenant by a domain, it asks Microsoft Graph for them (one read serves both).
func Connect(ctx context.Context, cfg Config) (*Clients, error) {
	clock := cfg.Clock
	if clock == nil {
		clock = runenv.RealClock{}
	}
	graphClient, err := graph.New(graph.Config{
		Endpoint:   cfg.Cloud.GraphEndpoint,
		Scope:      cfg.Cloud.GraphScope,
		Credential: cfg.Credential,
		HTTPClient: cfg.HTTPClient,
		UserAgent:  cfg.UserAgent,
		Log:        cfg.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the Microsoft Graph client: %w", err)
	}

	tenantID, organization := cfg.TenantID, cfg.Organization
	if !isGUID(tenantID) || organization == "" {
		lookupCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		// The Exchange token does not depend on what the look-up finds: asking for it alongside the
		// Graph token saves a round trip per tenant. Connect waits for it, so that the first cmdlet
		// finds it in the credential's cache instead of asking a second time.
		exchangeToken := make(chan struct{})
		go func() {
			defer close(exchangeToken)
			_, _ = cfg.Credential.GetToken(lookupCtx, policy.TokenRequestOptions{Scopes: []string{cfg.Cloud.ExchangeScope}})
		}()
		defer func() { <-exchangeToken }()
		org, err := graphClient.Organization(lookupCtx)
		if err != nil {
			return nil, &OrganizationError{Err: err}
		}
		if !isGUID(tenantID) {
			tenantID = org.ID
		}
		if organization == "" {
			organization = org.InitialDomain
		}
	}

	if isGUID(tenantID) {
		// Entra's ids are case-insensitive and written in lower case; one spelling keeps state and
		// configurations that name the tenant from differing by case alone.
		tenantID = strings.ToLower(tenantID)
	}
	exchangeClient, err := exchange.New(exchange.Config{
		Endpoint:     cfg.Cloud.ExchangeEndpoint,
		Tenant:       tenantID,
		Organization: organization,
		Scope:        cfg.Cloud.ExchangeScope,
		Credential:   cfg.Credential,
		HTTPClient:   cfg.HTTPClient,
		UserAgent:    cfg.UserAgent,
		Clock:        clock,
		Log:          cfg.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the Exchange Online client: %w", err)
	}
	return &Clients{Exchange: exchangeClient, Graph: graphClient, TenantID: tenantID, Organization: organization,
		clock: clock, log: cfg.Log}, nil
}

// isGUID reports whether s is a GUID, the only spelling of a tenant that no other tenant can have.
func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// OrganizationError is a failed look-up of the tenant's organization, which Connect needs when the
// configuration does not name the tenant id and the initial domain.
type OrganizationError struct{ Err error }

func (e *OrganizationError) Error() string {
	return "reading the tenant's organization from Microsoft Graph to learn its initial domain: " + e.Err.Error()
}

func (e *OrganizationError) Unwrap() error { return e.Err }

// Tenant is one run's way to the tenant. It is safe for concurrent use.
type Tenant struct {
	exchange *exchange.Client
	graph    *graph.Client
	clock    runenv.Clock
	log      runenv.LogFunc
	reads    *runReads
}

// New starts a run on the clients (as Connect built them), with nothing read yet.
func New(c *Clients) *Tenant {
	t := &Tenant{exchange: c.Exchange, graph: c.Graph, clock: c.clock, log: c.log}
	t.reads = newRunReads(t)
	return t
}

// Clock is the time this run waits by.
func (t *Tenant) Clock() runenv.Clock { return t.clock }
