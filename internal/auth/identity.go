package auth

import (
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// newWorkloadIdentityCredential signs in with the service account token AKS workload identity
// mounts; the provider fills client and tenant from AZURE_CLIENT_ID and AZURE_TENANT_ID when unset.
func newWorkloadIdentityCredential(s Settings) (*azidentity.WorkloadIdentityCredential, error) {
	if s.FederatedTokenFile == "" {
		return nil, useAKSWorkloadIdentity.error("No federated token file",
			"use_aks_workload_identity is on but AZURE_FEDERATED_TOKEN_FILE is not set; it is set in pods that carry "+
				"the label azure.workload.identity/use: \"true\" and a service account annotated with the client ID")
	}
	if err := requireApp(s); err != nil {
		return nil, err
	}
	return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: s.clientOptions(), DisableInstanceDiscovery: s.CustomAuthority,
		ClientID: s.ClientID, TenantID: s.TenantID, TokenFilePath: s.FederatedTokenFile,
	})
}

// imdsTokenEndpoint is where managed identity asks for tokens on an Azure host that announces
// no other endpoint (azidentity's default).
const imdsTokenEndpoint = "http://169.254.169.254/metadata/identity/oauth2/token"

func newManagedIdentityCredential(s Settings) (*azidentity.ManagedIdentityCredential, error) {
	opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: s.clientOptions()}
	if s.MSIEndpoint != "" {
		// azidentity has no option for another endpoint, so its requests to the default one are
		// sent to msi_endpoint instead, with the same query and headers.
		target, err := url.Parse(s.MSIEndpoint)
		if err != nil || target.Host == "" {
			return nil, msiEndpoint.error("Invalid managed identity endpoint", "must be an absolute URL such as "+imdsTokenEndpoint)
		}
		opts.ClientOptions = s.clientOptionsWith(func(next http.RoundTripper) http.RoundTripper {
			return redirectedIMDS{target: target, next: next}
		})
	}
	if s.ClientID != "" {
		opts.ID = azidentity.ClientID(s.ClientID)
	}
	return azidentity.NewManagedIdentityCredential(opts)
}

// redirectedIMDS sends requests for the default managed identity endpoint to target.
type redirectedIMDS struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirectedIMDS) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery = ""
	if u.String() != imdsTokenEndpoint {
		return r.next.RoundTrip(req)
	}
	moved := req.Clone(req.Context())
	to := *r.target
	query := to.Query()
	for name, values := range req.URL.Query() {
		query[name] = values
	}
	to.RawQuery = query.Encode()
	moved.URL, moved.Host = &to, to.Host
	return r.next.RoundTrip(moved)
}
