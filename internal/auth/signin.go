package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// SignInError is a failed sign-in: what was configured, what was tried and what to set. A refusal
// is asked of the identity platform once per run: the credential remembers it and hands the same
// error to every later caller, and FirstReport lets exactly one of them tell it in full.
type SignInError struct {
	Configured string // the sign-in method and where its settings came from
	Tried      string // the request that failed
	Cause      error  // the identity platform's or the credential's own error
	Hint       string // what to check or set

	// told is shared by every refusal of one credential; nil for a failure worth retrying.
	told *atomic.Bool
}

func (e *SignInError) Error() string {
	return fmt.Sprintf("signing in with %s failed (%s): %v", e.Configured, e.Tried, e.Cause)
}

func (e *SignInError) Unwrap() error { return e.Cause }

// FirstReport claims the full report of this failure: it is true for the first caller in the run
// to report a refusal of this credential (whichever token it was for: a wrong secret is refused
// for Graph and Exchange alike), and for every failure that is not a refusal. Later callers
// should only point at the first report. Many readers share one error (the run's read cache), so
// the claim is made where an error becomes a diagnostic, not where it is returned.
func (e *SignInError) FirstReport() bool {
	return e.told == nil || e.told.CompareAndSwap(false, true)
}

// reportingCredential wraps the chosen credential. Until a scope's first token arrives, requests
// for it wait their turn, so that a refusal is asked for once and then remembered. Each scope has
// its own turn and its own credential of the chosen method (azidentity lets one credential ask for
// one token at a time), so a run's first Exchange and Graph tokens are asked for together.
type reportingCredential struct {
	another   func() (azcore.TokenCredential, error) // a new credential of the chosen method
	report    signInReport
	authority string      // the sign-in host, for a failure to reach it
	told      atomic.Bool // a refusal of this credential was reported in full

	mu        sync.Mutex
	spare     azcore.TokenCredential // built when the settings were checked; serves the first scope
	inners    map[string]azcore.TokenCredential
	turns     map[string]chan struct{}
	succeeded map[string]bool
	failed    map[string]*SignInError
}

// signInReport is what a SignInError says about the configuration.
type signInReport struct {
	configured, hint string
	tried            func(scope string) string
}

func newReportingCredential(first azcore.TokenCredential, another func() (azcore.TokenCredential, error),
	s Settings, method Method) *reportingCredential {
	return &reportingCredential{another: another, spare: first, report: reportFor(s, method), authority: s.AuthorityHost,
		inners: map[string]azcore.TokenCredential{}, turns: map[string]chan struct{}{},
		succeeded: map[string]bool{}, failed: map[string]*SignInError{}}
}

// innerFor returns the scope's credential, building it on first use.
func (c *reportingCredential) innerFor(scope string) (azcore.TokenCredential, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if inner := c.inners[scope]; inner != nil {
		return inner, nil
	}
	inner := c.spare
	c.spare = nil
	if inner == nil {
		var err error
		if inner, err = c.another(); err != nil {
			return nil, err
		}
	}
	c.inners[scope] = inner
	return inner, nil
}

func (c *reportingCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	scope := strings.Join(opts.Scopes, " ")
	inner, err := c.innerFor(scope)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	c.mu.Lock()
	succeeded := c.succeeded[scope]
	turn := c.turns[scope]
	if turn == nil {
		turn = make(chan struct{}, 1)
		c.turns[scope] = turn
	}
	c.mu.Unlock()
	if succeeded {
		return inner.GetToken(ctx, opts)
	}
	select {
	case turn <- struct{}{}:
		defer func() { <-turn }()
	case <-ctx.Done():
		return azcore.AccessToken{}, ctx.Err()
	}
	c.mu.Lock()
	first := c.failed[scope]
	c.mu.Unlock()
	if first != nil {
		return azcore.AccessToken{}, first
	}
	tok, err := inner.GetToken(ctx, opts)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.succeeded[scope] = true
		return tok, nil
	}
	if ctx.Err() != nil {
		return tok, err
	}
	signInErr := &SignInError{Configured: c.report.configured, Tried: c.report.tried(scope), Cause: err, Hint: hintFor(err, c.report.hint, c.authority)}
	if lasting(err) {
		signInErr.told = &c.told
		c.failed[scope] = signInErr
	}
	return tok, signInErr
}

// lasting tells a refusal that trying again in the same run cannot change (the identity platform
// answered 4xx, or the credential cannot work here at all) from a network failure worth retrying.
func lasting(err error) bool {
	var authErr *azidentity.AuthenticationFailedError
	if errors.As(err, &authErr) {
		return authErr.RawResponse != nil && authErr.RawResponse.StatusCode >= 400 && authErr.RawResponse.StatusCode < 500
	}
	var nonRetriable interface{ NonRetriable() }
	return errors.As(err, &nonRetriable)
}

func hintFor(err error, hint string, authority string) string {
	if host, ok := Unreachable(err); ok {
		return "The sign-in host " + host + " could not be reached, so the credentials were not tried. Check " +
			"authority_host (O365PAM_AUTHORITY_HOST) or environment, the network and any proxy (HTTPS_PROXY); " +
			"the sign-in authority in use is " + authority + "."
	}
	var authErr *azidentity.AuthenticationFailedError
	if errors.As(err, &authErr) && authErr.RawResponse != nil && authErr.RawResponse.StatusCode != http.StatusOK {
		return "Sign-in was refused. " + hint
	}
	return "Sign-in failed. " + hint
}

// onlyFirst closes every hint: users often set a second method and expect it to be tried.
const onlyFirst = " Only the first configured method is used, in this order: client certificate, client secret, " +
	"OIDC, AKS workload identity, managed identity, Azure CLI."

func reportFor(s Settings, method Method) signInReport {
	app := fmt.Sprintf("application %s in tenant %s", s.ClientID, s.TenantID)
	atAuthority := func(scope string) string {
		return fmt.Sprintf("token for %s from %s%s/oauth2/v2.0/token", scope, s.AuthorityHost, s.TenantID)
	}
	switch method {
	case MethodClientCertificate:
		from := s.named("client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH")
		if s.ClientCertificatePath == "" {
			from = s.named("client_certificate", "ARM_CLIENT_CERTIFICATE")
		}
		return signInReport{"a client certificate from " + from + " as " + app,
			"Check that the certificate's public part is uploaded to " + app + " (Certificates & secrets) and has not expired." + onlyFirst,
			atAuthority}
	case MethodClientSecret:
		from := s.named("client_secret", "ARM_CLIENT_SECRET")
		if s.ClientSecretFilePath != "" {
			from = s.named("client_secret_file_path", "ARM_CLIENT_SECRET_FILE_PATH")
		}
		return signInReport{"a client secret from " + from + " as " + app,
			"Check that the secret is a current one of " + app + " (secrets expire; Certificates & secrets shows them) " +
				"and that tenant_id and client_id are right." + onlyFirst,
			atAuthority}
	case MethodOIDC:
		return signInReport{"an OIDC token from " + oidcSource(s) + " as " + app,
			"Check the federated credential of " + app + ": its issuer, subject and audience (" + federatedAudience +
				") must match the token this pipeline presents." + onlyFirst,
			atAuthority}
	case MethodAKSWorkloadIdentity:
		return signInReport{"AKS workload identity (token file " + s.FederatedTokenFile + ") as " + app,
			"Check that the pod's service account is annotated with azure.workload.identity/client-id and that " + app +
				" has a federated credential for the cluster's issuer and that service account." + onlyFirst,
			atAuthority}
	case MethodMSI:
		identity := "the system-assigned managed identity"
		if s.ClientID != "" {
			identity = "the user-assigned managed identity with client ID " + s.ClientID
		}
		endpoint := "the host's managed identity endpoint"
		if s.MSIEndpoint != "" {
			endpoint = s.MSIEndpoint + " from " + s.named("msi_endpoint", "ARM_MSI_ENDPOINT")
		}
		return signInReport{identity + " (use_msi)",
			"Check that this host has that managed identity; for a user-assigned one, client_id (O365PAM_CLIENT_ID or ARM_CLIENT_ID) must be its client ID. " +
				"Off Azure, set another method." + onlyFirst,
			func(scope string) string { return "token for " + scope + " from " + endpoint }}
	default:
		return signInReport{"the Azure CLI's signed-in account (use_cli, on when nothing else is set)",
			"Run `az login` as a user allowed to manage privileged access, or set an application sign-in. " + whatToSet,
			func(scope string) string { return "`az account get-access-token` for " + scope }}
	}
}

func oidcSource(s Settings) string {
	switch {
	case s.OIDCToken != "":
		return s.named("oidc_token", "ARM_OIDC_TOKEN")
	case s.OIDCTokenFilePath != "":
		return "the file " + s.OIDCTokenFilePath + " (oidc_token_file_path)"
	case s.ADOServiceConnectionID != "":
		return "Azure DevOps for service connection " + s.ADOServiceConnectionID
	default:
		return "the token service at oidc_request_url (GitHub Actions)"
	}
}
