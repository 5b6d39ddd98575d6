// Package auth turns the provider's sign-in settings into an azcore.TokenCredential.
//
// The first configured method wins, in this order:
//  1. client certificate (client_certificate_path or client_certificate)
//  2. client secret (client_secret or client_secret_file_path)
//  3. OpenID Connect federation (use_oidc): a token, a token file, Azure DevOps, GitHub Actions
//  4. AKS workload identity (use_aks_workload_identity)
//  5. managed identity (use_msi)
//  6. Azure CLI (use_cli, on by default, so it is the fallback)
package auth

import (
	"net/http"
	"os"
	"os/exec"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azcloud "github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Method names the sign-in method NewCredential chose.
type Method string

// The sign-in methods, in the order NewCredential tries them.
const (
	MethodClientCertificate   Method = "client_certificate"
	MethodClientSecret        Method = "client_secret"
	MethodOIDC                Method = "oidc"
	MethodAKSWorkloadIdentity Method = "aks_workload_identity"
	MethodMSI                 Method = "msi"
	MethodAzureCLI            Method = "azure_cli"
)

// Settings are the provider's sign-in attributes after environment variables were applied.
type Settings struct {
	TenantID                  string
	ClientID                  string // also selects a user-assigned managed identity
	ClientIDFilePath          string
	ClientSecret              string
	ClientSecretFilePath      string
	ClientCertificatePath     string
	ClientCertificate         string // base64 PFX, or PEM text
	ClientCertificatePassword string

	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestURL    string
	OIDCRequestToken  string
	// ADOServiceConnectionID makes the OIDC request the Azure DevOps one for that service connection.
	ADOServiceConnectionID string

	// UseAKSWorkloadIdentity signs in with the service account token file AKS mounts
	// (FederatedTokenFile, from AZURE_FEDERATED_TOKEN_FILE).
	UseAKSWorkloadIdentity bool
	FederatedTokenFile     string

	UseMSI bool
	// MSIEndpoint replaces the instance metadata service's token endpoint for managed identity.
	MSIEndpoint string
	UseCLI      bool

	// AuthorityHost is the sign-in host with a trailing slash, e.g. https://login.microsoftonline.com/.
	AuthorityHost string
	// CustomAuthority is set when AuthorityHost is not a Microsoft cloud's own, so the
	// credential must not ask Microsoft to validate it (instance discovery).
	CustomAuthority bool
	// HTTPClient carries every sign-in request; nil means http.DefaultTransport.
	HTTPClient *http.Client
	// Sources say where each setting came from, by attribute: "provider block" or the name of the
	// environment variable, so that messages name what the user actually set.
	Sources map[string]string
}

// named is an attribute as messages name it: with where its value came from, or with the ARM_
// variable that usually sets it when that is not known.
func (s Settings) named(attribute, usual string) string {
	if from := s.Sources[attribute]; from != "" {
		return attribute + " (" + from + ")"
	}
	return attribute + " (" + usual + ")"
}

// NewCredential returns a credential for the first configured sign-in method, and which
// method that was. Misconfiguration is reported as *ConfigError. The credential remembers a
// refused sign-in, so a run reports it once in full (see SignInError).
func NewCredential(s Settings) (azcore.TokenCredential, Method, error) {
	s, err := s.withFiles()
	if err != nil {
		return nil, "", err
	}
	cred, method, err := newMethodCredential(s)
	if err != nil {
		return nil, method, err
	}
	another := func() (azcore.TokenCredential, error) {
		cred, _, err := newMethodCredential(s)
		return cred, err
	}
	return newReportingCredential(cred, another, s, method), method, nil
}

func newMethodCredential(s Settings) (azcore.TokenCredential, Method, error) {
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
	case s.UseAKSWorkloadIdentity:
		cred, err := newWorkloadIdentityCredential(s)
		return cred, MethodAKSWorkloadIdentity, err
	case s.UseMSI:
		cred, err := newManagedIdentityCredential(s)
		return cred, MethodMSI, err
	case s.UseCLI:
		// The CLI runs `az`; without it every resource would fail with azidentity's own
		// "Azure CLI not found" text, so say here what else can be set.
		if _, err := exec.LookPath("az"); err != nil {
			return nil, MethodAzureCLI, useCLI.error("No sign-in method configured",
				"no client certificate, client secret, use_oidc, use_aks_workload_identity or use_msi is set, so the "+
					"provider falls back to the Azure CLI, but `az` is not on PATH. "+whatToSet)
		}
		// The CLI signs in on its own; it has no transport or authority options.
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.TenantID})
		return cred, MethodAzureCLI, err
	default:
		return nil, "", useCLI.error("No sign-in method configured",
			"use_cli is off and no client certificate, client secret, use_oidc, use_aks_workload_identity or use_msi is set. "+whatToSet)
	}
}

// whatToSet lists the settings that make an unattended run sign in.
const whatToSet = "Set tenant_id (O365PAM_TENANT_ID or ARM_TENANT_ID) and client_id (O365PAM_CLIENT_ID or ARM_CLIENT_ID) " +
	"with client_secret (O365PAM_CLIENT_SECRET or ARM_CLIENT_SECRET), client_certificate_path or use_oidc; or use_msi on " +
	"an Azure host; or install the Azure CLI and run `az login`."

// withFiles reads client_id_file_path and client_secret_file_path into ClientID and ClientSecret.
// A value given both ways must agree, so two sources can never sign in as two identities.
func (s Settings) withFiles() (Settings, error) {
	var err error
	if s.ClientID, err = valueOrFile(s.ClientID, s.ClientIDFilePath, clientIDFilePath, "client ID"); err != nil {
		return s, err
	}
	s.ClientSecret, err = valueOrFile(s.ClientSecret, s.ClientSecretFilePath, clientSecretFilePath, "client secret")
	return s, err
}

func valueOrFile(value, path string, from setting, what string) (string, error) {
	if path == "" {
		return value, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", from.error("Unreadable "+what+" file", err.Error())
	}
	fromFile := strings.TrimSpace(string(data))
	switch {
	case fromFile == "":
		return "", from.error("Empty "+what+" file", "the file "+path+" holds no "+what)
	case value != "" && value != fromFile:
		return "", from.error("Conflicting "+what+"s",
			"the "+what+" is set directly and in "+path+" with different values; keep only one")
	}
	return fromFile, nil
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
	return s.clientOptionsWith(func(next http.RoundTripper) http.RoundTripper { return documentedDiscovery{next: next} })
}

// clientOptionsWith carries sign-in requests over the settings' HTTP client, through wrap.
func (s Settings) clientOptionsWith(wrap func(http.RoundTripper) http.RoundTripper) azcore.ClientOptions {
	client := &http.Client{}
	if s.HTTPClient != nil {
		*client = *s.HTTPClient
	}
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client.Transport = wrap(next)
	return azcore.ClientOptions{Cloud: azcloud.Configuration{ActiveDirectoryAuthorityHost: s.AuthorityHost}, Transport: client}
}
