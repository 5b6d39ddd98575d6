// Package connect turns sign-in settings (the provider block's, or the environment alone) into a
// Connection to one tenant: a credential and the Exchange and Graph clients. It belongs to the
// tenant layer and knows nothing of Terraform, so tools that run outside Terraform (the probe)
// sign in exactly as the provider does.
package connect

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
)

// Environment variables read when a setting is not given. The ARM_ names match the azurerm and
// azuread providers, so one set of CI secrets serves all three.
const (
	EnvTenantID                  = "ARM_TENANT_ID"
	EnvClientID                  = "ARM_CLIENT_ID"
	EnvClientIDFilePath          = "ARM_CLIENT_ID_FILE_PATH"
	EnvClientSecret              = "ARM_CLIENT_SECRET"
	EnvClientSecretFilePath      = "ARM_CLIENT_SECRET_FILE_PATH"
	EnvClientCertificatePath     = "ARM_CLIENT_CERTIFICATE_PATH"
	EnvClientCertificate         = "ARM_CLIENT_CERTIFICATE"
	EnvClientCertificatePassword = "ARM_CLIENT_CERTIFICATE_PASSWORD"
	EnvUseOIDC                   = "ARM_USE_OIDC"
	EnvOIDCToken                 = "ARM_OIDC_TOKEN"
	EnvOIDCTokenFilePath         = "ARM_OIDC_TOKEN_FILE_PATH"
	EnvUseAKSWorkloadIdentity    = "ARM_USE_AKS_WORKLOAD_IDENTITY"
	EnvUseMSI                    = "ARM_USE_MSI"
	EnvMSIEndpoint               = "ARM_MSI_ENDPOINT"
	EnvUseCLI                    = "ARM_USE_CLI"
	EnvEnvironment               = "ARM_ENVIRONMENT"
	EnvOrganization              = "O365PAM_ORGANIZATION"
	EnvAuthorityHost             = "O365PAM_AUTHORITY_HOST"
	EnvGraphEndpoint             = "O365PAM_GRAPH_ENDPOINT"
	EnvExchangeEndpoint          = "O365PAM_EXCHANGE_ENDPOINT"
)

// Settings read from several environment variables take the first one set, in azuread's order:
// its own name, then the one GitHub Actions sets, then the one Azure DevOps sets.
var (
	EnvOIDCRequestURL         = []string{"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"}
	EnvOIDCRequestToken       = []string{"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"}
	EnvADOServiceConnectionID = []string{"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"}
)

// The variables AKS workload identity sets in a pod.
const (
	envAKSClientID  = "AZURE_CLIENT_ID"
	envAKSTenantID  = "AZURE_TENANT_ID"
	envAKSTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
)

// Inputs are the settings given explicitly (the provider block's attributes); nil = not given,
// so the environment decides.
type Inputs struct {
	TenantID, ClientID, ClientIDFilePath, ClientSecret, ClientSecretFilePath  *string
	ClientCertificatePath, ClientCertificate, ClientCertificatePassword       *string
	UseOIDC                                                                   *bool
	OIDCToken, OIDCTokenFilePath, OIDCRequestURL, OIDCRequestToken            *string
	ADOServiceConnectionID                                                    *string
	UseAKSWorkloadIdentity, UseMSI                                            *bool
	MSIEndpoint                                                               *string
	UseCLI                                                                    *bool
	Environment, Organization, AuthorityHost, GraphEndpoint, ExchangeEndpoint *string
}

// Settings are the inputs after environment fallbacks and defaults.
type Settings struct {
	Auth         auth.Settings
	Cloud        cloud.Environment
	Organization string
}

// Problem is a setting that cannot work, named by its provider attribute.
type Problem struct {
	Attribute, Summary, Detail string
}

// EnvLookup reads an environment variable; os.LookupEnv in production.
type EnvLookup func(string) (string, bool)

// Resolve merges the inputs with the environment (the inputs win) and checks what can be checked
// without signing in.
func Resolve(in Inputs, env EnvLookup) (Settings, []Problem) {
	var problems []Problem
	str := func(v *string, names ...string) string {
		if v != nil {
			return *v
		}
		for _, name := range names {
			if s, _ := env(name); strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	boolean := func(v *bool, attr, name string, fallback bool) bool {
		if v != nil {
			return *v
		}
		s, ok := env(name)
		if !ok || strings.TrimSpace(s) == "" {
			return fallback
		}
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			problems = append(problems, Problem{attr, "Invalid environment variable " + name,
				fmt.Sprintf("%s must be true or false, got %q.", name, s)})
			return fallback
		}
		return b
	}

	envName := str(in.Environment, EnvEnvironment)
	if envName == "" {
		envName = "public"
	}
	environment, err := cloud.Lookup(envName)
	if err != nil {
		return Settings{}, append(problems, Problem{"environment", "Unknown environment",
			fmt.Sprintf("%s (set by the environment attribute or %s).", err, EnvEnvironment)})
	}
	overrides := []struct {
		attr, env string
		value     *string
		target    *string
	}{
		{"authority_host", EnvAuthorityHost, in.AuthorityHost, &environment.AuthorityHost},
		{"graph_endpoint", EnvGraphEndpoint, in.GraphEndpoint, &environment.GraphEndpoint},
		{"exchange_endpoint", EnvExchangeEndpoint, in.ExchangeEndpoint, &environment.ExchangeEndpoint},
	}
	customAuthority := false
	for _, o := range overrides {
		raw := str(o.value, o.env)
		if raw == "" {
			continue
		}
		if err := CheckEndpoint(raw); err != nil {
			problems = append(problems, Problem{o.attr, "Invalid endpoint",
				fmt.Sprintf("%s (from the %s attribute or %s): %s", raw, o.attr, o.env, err)})
			continue
		}
		*o.target = strings.TrimRight(raw, "/")
		if o.attr == "authority_host" {
			*o.target += "/"
			customAuthority = true
		}
	}

	s := Settings{
		Cloud:        environment,
		Organization: str(in.Organization, EnvOrganization),
		Auth: auth.Settings{
			TenantID:                  str(in.TenantID, EnvTenantID),
			ClientID:                  str(in.ClientID, EnvClientID),
			ClientIDFilePath:          str(in.ClientIDFilePath, EnvClientIDFilePath),
			ClientSecret:              str(in.ClientSecret, EnvClientSecret),
			ClientSecretFilePath:      str(in.ClientSecretFilePath, EnvClientSecretFilePath),
			ClientCertificatePath:     str(in.ClientCertificatePath, EnvClientCertificatePath),
			ClientCertificate:         str(in.ClientCertificate, EnvClientCertificate),
			ClientCertificatePassword: str(in.ClientCertificatePassword, EnvClientCertificatePassword),
			UseOIDC:                   boolean(in.UseOIDC, "use_oidc", EnvUseOIDC, false),
			OIDCToken:                 str(in.OIDCToken, EnvOIDCToken),
			OIDCTokenFilePath:         str(in.OIDCTokenFilePath, EnvOIDCTokenFilePath),
			OIDCRequestURL:            str(in.OIDCRequestURL, EnvOIDCRequestURL...),
			OIDCRequestToken:          str(in.OIDCRequestToken, EnvOIDCRequestToken...),
			ADOServiceConnectionID:    str(in.ADOServiceConnectionID, EnvADOServiceConnectionID...),
			UseAKSWorkloadIdentity:    boolean(in.UseAKSWorkloadIdentity, "use_aks_workload_identity", EnvUseAKSWorkloadIdentity, false),
			UseMSI:                    boolean(in.UseMSI, "use_msi", EnvUseMSI, false),
			MSIEndpoint:               str(in.MSIEndpoint, EnvMSIEndpoint),
			UseCLI:                    boolean(in.UseCLI, "use_cli", EnvUseCLI, true),
			AuthorityHost:             environment.AuthorityHost,
			CustomAuthority:           customAuthority,
		},
	}
	if s.Auth.UseAKSWorkloadIdentity {
		// The pod's own identity fills what the configuration leaves out.
		s.Auth.FederatedTokenFile = str(nil, envAKSTokenFile)
		if s.Auth.ClientID == "" && s.Auth.ClientIDFilePath == "" {
			s.Auth.ClientID = str(nil, envAKSClientID)
		}
		if s.Auth.TenantID == "" {
			s.Auth.TenantID = str(nil, envAKSTenantID)
		}
	}
	if s.Auth.MSIEndpoint != "" {
		if err := checkMSIEndpoint(s.Auth.MSIEndpoint); err != nil {
			problems = append(problems, Problem{"msi_endpoint", "Invalid endpoint",
				fmt.Sprintf("%s (from the msi_endpoint attribute or %s): %s", s.Auth.MSIEndpoint, EnvMSIEndpoint, err)})
		}
	}
	return s, problems
}

// LookupEnv is the process environment.
func LookupEnv(name string) (string, bool) { return os.LookupEnv(name) }

// checkMSIEndpoint is CheckEndpoint that also allows plain http on a link-local address, where
// Azure's own managed identity endpoint (169.254.169.254) answers.
func checkMSIEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "http" {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLinkLocalUnicast() {
			return nil
		}
	}
	return CheckEndpoint(raw)
}

// CheckEndpoint refuses anything but https, except plain http on a loopback address, so that a
// token is never sent in clear text across a network.
func CheckEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("must be an absolute URL such as https://graph.microsoft.com")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
		return errors.New("plain http is allowed only on loopback (127.0.0.1, ::1, localhost); use https")
	default:
		return fmt.Errorf("scheme %q is not supported; use https", u.Scheme)
	}
}
