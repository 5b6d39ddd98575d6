// Package auth turns the provider's sign-in settings into an azcore.TokenCredential.
//
// The first configured method wins, in this order:
//  1. client certificate (client_certificate_path or client_certificate)
//  2. client secret (client_secret)
//  3. OpenID Connect federation (use_oidc)
//  4. managed identity (use_msi)
//  5. Azure CLI (use_cli, on by default, so it is the fallback)
package auth

import (
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Method names the sign-in method NewCredential chose.
type Method string

// The sign-in methods, in the order NewCredential tries them.
const (
	MethodClientCertificate Method = "client_certificate"
	MethodClientSecret      Method = "client_secret"
	MethodOIDC              Method = "oidc"
	MethodMSI               Method = "msi"
	MethodAzureCLI          Method = "azure_cli"
)

// Settings are the provider's sign-in attributes after environment variables were applied.
type Settings struct {
	TenantID                  string
	ClientID                  string // also selects a user-assigned managed identity
	ClientSecret              string
	ClientCertificatePath     string
	ClientCertificate         string // base64 PFX, or PEM text
	ClientCertificatePassword string

	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestURL    string
	OIDCRequestToken  string

	UseMSI bool
	UseCLI bool

	// AuthorityHost is the sign-in host with a trailing slash, e.g. https://login.microsoftonline.com/.
	AuthorityHost string
	// CustomAuthority is set when AuthorityHost is not a Microsoft cloud's own, so the
	// credential must not ask Microsoft to validate it (instance discovery).
	CustomAuthority bool
	// HTTPClient carries every sign-in request; nil means http.DefaultTransport.
	HTTPClient *http.Client
}

// NewCredential returns a credential for the first configured sign-in method, and which
// method that was. Misconfiguration is reported as *ConfigError.
func NewCredential(s Settings) (azcore.TokenCredential, Method, error) {
	switch {
	case s.ClientCertificatePath != "" || s.ClientCertificate != "":
		cred, err := newCertificateCredential(s)
		return cred, MethodClientCertificate, err
	case s.ClientSecret != "":
		if err := requireApp(s); err != nil {
			return nil, MethodClientSecret, err
		}
		cred, err := azidentity.NewClientSecretCredential(s.TenantID, s.ClientID, s.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: s.clientOptions(), DisableInstanceDiscovery: s.CustomAuthority})
		return cred, MethodClientSecret, err
	case s.UseOIDC:
		cred, err := newOIDCCredential(s)
		return cred, MethodOIDC, err
	case s.UseMSI:
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: s.clientOptions()}
		if s.ClientID != "" {
			opts.ID = azidentity.ClientID(s.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(opts)
		return cred, MethodMSI, err
	case s.UseCLI:
		// The CLI signs in on its own; it has no transport or authority options.
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.TenantID})
		return cred, MethodAzureCLI, err
	default:
		return nil, "", useCLI.error("No sign-in method configured",
			"configure a client certificate, a client secret, use_oidc or use_msi, or leave use_cli on to sign in with the Azure CLI")
	}
}

// requireApp checks what every app registration sign-in needs. Certificate and secret
// conflicts are checked here too, as both are app sign-ins.
func requireApp(s Settings) error {
	certificateSet := s.ClientCertificatePath != "" || s.ClientCertificate != ""
	switch {
	case s.ClientSecret != "" && certificateSet:
		return clientSecret.error("Conflicting client credentials",
			"both a client secret and a client certificate are set; keep only one")
	case s.ClientCertificatePath != "" && s.ClientCertificate != "":
		return clientCertificate.error("Conflicting client certificates",
			"both client_certificate_path and client_certificate are set; keep only one")
	case s.TenantID == "":
		return tenantID.error("Missing tenant ID", "signing in as an application needs the directory (tenant) ID")
	case s.ClientID == "":
		return clientID.error("Missing client ID", "signing in as an application needs the application (client) ID")
	}
	return nil
}

func (s Settings) clientOptions() azcore.ClientOptions {
	client := &http.Client{}
	if s.HTTPClient != nil {
		*client = *s.HTTPClient
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = documentedDiscovery{next: next}
	return azcore.ClientOptions{Cloud: azcloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost}, Transport: client}
}
