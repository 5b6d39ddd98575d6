package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
)

// Environment variables read when an attribute is not set in the provider block. The ARM_ names
// match the azurerm and azuread providers, so one set of CI secrets serves all three.
const (
	envTenantID                  = "ARM_TENANT_ID"
	envClientID                  = "ARM_CLIENT_ID"
	envClientIDFilePath          = "ARM_CLIENT_ID_FILE_PATH"
	envClientSecret              = "ARM_CLIENT_SECRET"
	envClientSecretFilePath      = "ARM_CLIENT_SECRET_FILE_PATH"
	envClientCertificatePath     = "ARM_CLIENT_CERTIFICATE_PATH"
	envClientCertificate         = "ARM_CLIENT_CERTIFICATE"
	envClientCertificatePassword = "ARM_CLIENT_CERTIFICATE_PASSWORD"
	envUseOIDC                   = "ARM_USE_OIDC"
	envOIDCToken                 = "ARM_OIDC_TOKEN"
	envOIDCTokenFilePath         = "ARM_OIDC_TOKEN_FILE_PATH"
	envUseAKSWorkloadIdentity    = "ARM_USE_AKS_WORKLOAD_IDENTITY"
	envUseMSI                    = "ARM_USE_MSI"
	envMSIEndpoint               = "ARM_MSI_ENDPOINT"
	envUseCLI                    = "ARM_USE_CLI"
	envEnvironment               = "ARM_ENVIRONMENT"
	envOrganization              = "O365PAM_ORGANIZATION"
	envAuthorityHost             = "O365PAM_AUTHORITY_HOST"
	envGraphEndpoint             = "O365PAM_GRAPH_ENDPOINT"
	envExchangeEndpoint          = "O365PAM_EXCHANGE_ENDPOINT"
)

// Settings read from several environment variables take the first one set, in azuread's order:
// its own name, then the one GitHub Actions sets, then the one Azure DevOps sets.
var (
	envOIDCRequestURL         = []string{"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"}
	envOIDCRequestToken       = []string{"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"}
	envADOServiceConnectionID = []string{"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"}
)

// The variables AKS workload identity sets in a pod.
const (
	envAKSClientID  = "AZURE_CLIENT_ID"
	envAKSTenantID  = "AZURE_TENANT_ID"
	envAKSTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
)

func envNote(names ...string) string {
	if len(names) == 1 {
		return fmt.Sprintf("Can also be set with the `%s` environment variable.", names[0])
	}
	return fmt.Sprintf("Can also be set with the `%s` environment variables, the first one set wins.",
		strings.Join(names, "`, `"))
}

// settings is the provider configuration after environment fallbacks and defaults.
type settings struct {
	auth         auth.Settings
	cloud        cloud.Environment
	organization string
}

type envLookup func(string) (string, bool)

func lookupEnv(name string) (string, bool) { return os.LookupEnv(name) }

// resolveSettings merges the provider block with the environment (the block wins) and checks
// what can be checked without signing in.
func resolveSettings(m providerModel, env envLookup) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	str := func(v types.String, names ...string) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		for _, name := range names {
			if s, _ := env(name); strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	boolean := func(v types.Bool, attr, name string, fallback bool) bool {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueBool()
		}
		s, ok := env(name)
		if !ok || strings.TrimSpace(s) == "" {
			return fallback
		}
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid environment variable "+name,
				fmt.Sprintf("%s must be true or false, got %q.", name, s))
			return fallback
		}
		return b
	}

	envName := str(m.Environment, envEnvironment)
	if envName == "" {
		envName = "public"
	}
	environment, err := cloud.Lookup(envName)
	if err != nil {
		diags.AddAttributeError(path.Root("environment"), "Unknown environment",
			fmt.Sprintf("%s (set by the environment attribute or %s).", err, envEnvironment))
		return settings{}, diags
	}
	overrides := []struct {
		attr, env string
		value     types.String
		target    *string
	}{
		{"authority_host", envAuthorityHost, m.AuthorityHost, &environment.AuthorityHost},
		{"graph_endpoint", envGraphEndpoint, m.GraphEndpoint, &environment.GraphEndpoint},
		{"exchange_endpoint", envExchangeEndpoint, m.ExchangeEndpoint, &environment.ExchangeEndpoint},
	}
	customAuthority := false
	for _, o := range overrides {
		raw := str(o.value, o.env)
		if raw == "" {
			continue
		}
		if err := checkEndpoint(raw); err != nil {
			diags.AddAttributeError(path.Root(o.attr), "Invalid endpoint",
				fmt.Sprintf("%s (from the %s attribute or %s): %s", raw, o.attr, o.env, err))
			continue
		}
		*o.target = strings.TrimRight(raw, "/")
		if o.attr == "authority_host" {
			*o.target += "/"
			customAuthority = true
		}
	}

	s := settings{
		cloud:        environment,
		organization: str(m.Organization, envOrganization),
		auth: auth.Settings{
			TenantID:                  str(m.TenantID, envTenantID),
			ClientID:                  str(m.ClientID, envClientID),
			ClientIDFilePath:          str(m.ClientIDFilePath, envClientIDFilePath),
			ClientSecret:              str(m.ClientSecret, envClientSecret),
			ClientSecretFilePath:      str(m.ClientSecretFilePath, envClientSecretFilePath),
			ClientCertificatePath:     str(m.ClientCertificatePath, envClientCertificatePath),
			ClientCertificate:         str(m.ClientCertificate, envClientCertificate),
			ClientCertificatePassword: str(m.ClientCertificatePassword, envClientCertificatePassword),
			UseOIDC:                   boolean(m.UseOIDC, "use_oidc", envUseOIDC, false),
			OIDCToken:                 str(m.OIDCToken, envOIDCToken),
			OIDCTokenFilePath:         str(m.OIDCTokenFilePath, envOIDCTokenFilePath),
			OIDCRequestURL:            str(m.OIDCRequestURL, envOIDCRequestURL...),
			OIDCRequestToken:          str(m.OIDCRequestToken, envOIDCRequestToken...),
			ADOServiceConnectionID:    str(m.ADOServiceConnectionID, envADOServiceConnectionID...),
			UseAKSWorkloadIdentity:    boolean(m.UseAKSWorkloadIdentity, "use_aks_workload_identity", envUseAKSWorkloadIdentity, false),
			UseMSI:                    boolean(m.UseMSI, "use_msi", envUseMSI, false),
			MSIEndpoint:               str(m.MSIEndpoint, envMSIEndpoint),
			UseCLI:                    boolean(m.UseCLI, "use_cli", envUseCLI, true),
			AuthorityHost:             environment.AuthorityHost,
			CustomAuthority:           customAuthority,
		},
	}
	if s.auth.UseAKSWorkloadIdentity {
		// The pod's own identity fills what the configuration leaves out.
		s.auth.FederatedTokenFile = str(types.StringNull(), envAKSTokenFile)
		if s.auth.ClientID == "" && s.auth.ClientIDFilePath == "" {
			s.auth.ClientID = str(types.StringNull(), envAKSClientID)
		}
		if s.auth.TenantID == "" {
			s.auth.TenantID = str(types.StringNull(), envAKSTenantID)
		}
	}
	if s.auth.MSIEndpoint != "" {
		if err := checkMSIEndpoint(s.auth.MSIEndpoint); err != nil {
			diags.AddAttributeError(path.Root("msi_endpoint"), "Invalid endpoint",
				fmt.Sprintf("%s (from the msi_endpoint attribute or %s): %s", s.auth.MSIEndpoint, envMSIEndpoint, err))
		}
	}
	return s, diags
}

// checkMSIEndpoint is checkEndpoint that also allows plain http on a link-local address, where
// Azure's own managed identity endpoint (169.254.169.254) answers.
func checkMSIEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err == nil && u.Scheme == "http" {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLinkLocalUnicast() {
			return nil
		}
	}
	return checkEndpoint(raw)
}

// checkEndpoint refuses anything but https, except plain http on a loopback address, so that a
// token is never sent in clear text across a network.
func checkEndpoint(raw string) error {
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

// addConfigError turns a sign-in misconfiguration into one diagnostic on the attribute at fault.
func addConfigError(diags *diag.Diagnostics, err error) {
	var ce *auth.ConfigError
	if errors.As(err, &ce) {
		detail := ce.Detail
		if ce.EnvVar != "" {
			detail += fmt.Sprintf(" (attribute %s or environment variable %s)", ce.Attribute, ce.EnvVar)
		}
		if ce.Attribute != "" {
			diags.AddAttributeError(path.Root(ce.Attribute), ce.Summary, detail)
			return
		}
		diags.AddError(ce.Summary, detail)
		return
	}
	addServiceError(diags, "configure the o365pam provider", err, "")
}
