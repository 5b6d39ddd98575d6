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
	"slices"
	"strconv"
	"strings"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
)

// Environment variables read when a setting is not given. A sign-in setting is read first from
// its O365PAM_ variable, then from its ARM_ one: the ARM_ names match the azurerm and azuread
// providers, so one set of CI secrets serves all three, and the O365PAM_ names let one job sign
// this provider in as another identity. The first name of each list is tried first.
var (
	EnvTenantID                  = both("TENANT_ID")
	EnvClientID                  = both("CLIENT_ID")
	EnvClientIDFilePath          = both("CLIENT_ID_FILE_PATH")
	EnvClientSecret              = both("CLIENT_SECRET")
	EnvClientSecretFilePath      = both("CLIENT_SECRET_FILE_PATH")
	EnvClientCertificatePath     = both("CLIENT_CERTIFICATE_PATH")
	EnvClientCertificate         = both("CLIENT_CERTIFICATE")
	EnvClientCertificatePassword = both("CLIENT_CERTIFICATE_PASSWORD")
	EnvUseOIDC                   = both("USE_OIDC")
	EnvOIDCToken                 = both("OIDC_TOKEN")
	EnvOIDCTokenFilePath         = both("OIDC_TOKEN_FILE_PATH")
	EnvUseAKSWorkloadIdentity    = both("USE_AKS_WORKLOAD_IDENTITY")
	EnvUseMSI                    = both("USE_MSI")
	EnvMSIEndpoint               = both("MSI_ENDPOINT")
	EnvUseCLI                    = both("USE_CLI")
	EnvEnvironment               = both("ENVIRONMENT")
	// After azuread's own name, the one GitHub Actions sets, then the one Azure DevOps sets.
	EnvOIDCRequestURL         = append(both("OIDC_REQUEST_URL"), "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI")
	EnvOIDCRequestToken       = append(both("OIDC_REQUEST_TOKEN"), "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN")
	EnvADOServiceConnectionID = append(both("ADO_PIPELINE_SERVICE_CONNECTION_ID"), "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID")
)

// Settings of this provider alone.
const (
	EnvOrganization     = "O365PAM_ORGANIZATION"
	EnvAuthorityHost    = "O365PAM_AUTHORITY_HOST"
	EnvGraphEndpoint    = "O365PAM_GRAPH_ENDPOINT"
	EnvExchangeEndpoint = "O365PAM_EXCHANGE_ENDPOINT"
)

func both(suffix string) []string { return []string{"O365PAM_" + suffix, "ARM_" + suffix} }

// credentialEnv are the variables that choose a sign-in method and carry its credential. When any
// O365PAM_ one is set, the ARM_ ones are not read: a certificate left in ARM_ for azurerm would
// otherwise win over this provider's own secret (certificates come first in the order).
var credentialEnv = [][]string{EnvClientSecret, EnvClientSecretFilePath, EnvClientCertificatePath,
	EnvClientCertificate, EnvClientCertificatePassword, EnvUseOIDC, EnvOIDCToken, EnvOIDCTokenFilePath,
	EnvUseAKSWorkloadIdentity, EnvUseMSI, EnvMSIEndpoint, EnvUseCLI}

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
	sources := map[string]string{}
	ownCredential := false
	for _, names := range credentialEnv {
		if v, _ := env(names[0]); strings.TrimSpace(v) != "" {
			ownCredential = true
		}
	}
	// lookup returns the first variable set among names, and its name.
	lookup := func(names []string) (string, string) {
		for _, name := range names {
			if ownCredential && strings.HasPrefix(name, "ARM_") && slices.ContainsFunc(credentialEnv,
				func(c []string) bool { return slices.Contains(c, name) }) {
				continue
			}
			if s, _ := env(name); strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s), name
			}
		}
		return "", ""
	}
	str := func(attr string, v *string, names ...string) string {
		if v != nil {
			sources[attr] = "provider block"
			return *v
		}
		s, name := lookup(names)
		if name != "" {
			sources[attr] = name
		}
		return s
	}
	boolean := func(attr string, v *bool, names []string, fallback bool) bool {
		if v != nil {
			sources[attr] = "provider block"
			return *v
		}
		s, name := lookup(names)
		if name == "" {
			return fallback
		}
		sources[attr] = name
		b, err := strconv.ParseBool(s)
		if err != nil {
			problems = append(problems, Problem{attr, "Invalid environment variable " + name,
				fmt.Sprintf("%s must be true or false, got %q.", name, s)})
			return fallback
		}
		return b
	}

	envName := str("environment", in.Environment, EnvEnvironment...)
	if envName == "" {
		envName = "public"
	}
	environment, err := cloud.Lookup(envName)
	if err != nil {
		return Settings{}, append(problems, Problem{"environment", "Unknown environment",
			fmt.Sprintf("%s (set by the environment attribute or %s).", err, strings.Join(EnvEnvironment, " or "))})
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
		raw := str(o.attr, o.value, o.env)
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
		Organization: str("organization", in.Organization, EnvOrganization),
		Auth: auth.Settings{
			TenantID:                  str("tenant_id", in.TenantID, EnvTenantID...),
			ClientID:                  str("client_id", in.ClientID, EnvClientID...),
			ClientIDFilePath:          str("client_id_file_path", in.ClientIDFilePath, EnvClientIDFilePath...),
			ClientSecret:              str("client_secret", in.ClientSecret, EnvClientSecret...),
			ClientSecretFilePath:      str("client_secret_file_path", in.ClientSecretFilePath, EnvClientSecretFilePath...),
			ClientCertificatePath:     str("client_certificate_path", in.ClientCertificatePath, EnvClientCertificatePath...),
			ClientCertificate:         str("client_certificate", in.ClientCertificate, EnvClientCertificate...),
			ClientCertificatePassword: str("client_certificate_password", in.ClientCertificatePassword, EnvClientCertificatePassword...),
			UseOIDC:                   boolean("use_oidc", in.UseOIDC, EnvUseOIDC, false),
			OIDCToken:                 str("oidc_token", in.OIDCToken, EnvOIDCToken...),
			OIDCTokenFilePath:         str("oidc_token_file_path", in.OIDCTokenFilePath, EnvOIDCTokenFilePath...),
			OIDCRequestURL:            str("oidc_request_url", in.OIDCRequestURL, EnvOIDCRequestURL...),
			OIDCRequestToken:          str("oidc_request_token", in.OIDCRequestToken, EnvOIDCRequestToken...),
			ADOServiceConnectionID:    str("ado_pipeline_service_connection_id", in.ADOServiceConnectionID, EnvADOServiceConnectionID...),
			UseAKSWorkloadIdentity:    boolean("use_aks_workload_identity", in.UseAKSWorkloadIdentity, EnvUseAKSWorkloadIdentity, false),
			UseMSI:                    boolean("use_msi", in.UseMSI, EnvUseMSI, false),
			MSIEndpoint:               str("msi_endpoint", in.MSIEndpoint, EnvMSIEndpoint...),
			UseCLI:                    boolean("use_cli", in.UseCLI, EnvUseCLI, true),
			AuthorityHost:             environment.AuthorityHost,
			CustomAuthority:           customAuthority,
			Sources:                   sources,
		},
	}
	if s.Auth.UseAKSWorkloadIdentity {
		// The pod's own identity fills what the configuration leaves out.
		s.Auth.FederatedTokenFile = str("", nil, envAKSTokenFile)
		if s.Auth.ClientID == "" && s.Auth.ClientIDFilePath == "" {
			s.Auth.ClientID = str("client_id", nil, envAKSClientID)
		}
		if s.Auth.TenantID == "" {
			s.Auth.TenantID = str("tenant_id", nil, envAKSTenantID)
		}
	}
	if s.Auth.MSIEndpoint != "" {
		if err := checkMSIEndpoint(s.Auth.MSIEndpoint); err != nil {
			problems = append(problems, Problem{"msi_endpoint", "Invalid endpoint",
				fmt.Sprintf("%s (from %s): %s", s.Auth.MSIEndpoint, sources["msi_endpoint"], err)})
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
