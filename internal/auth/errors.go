package auth

import "fmt"

// ConfigError is a sign-in misconfiguration, named by the provider attribute and the
// environment variable that set it so the user knows what to fix. It never carries a secret.
type ConfigError struct {
	Attribute string // provider attribute, e.g. "tenant_id"
	EnvVar    string // environment variable(s) for the same setting, e.g. "ARM_TENANT_ID"
	Summary   string
	Detail    string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: %s (set with attribute %s or environment variable %s)", e.Summary, e.Detail, e.Attribute, e.EnvVar)
}

// setting is one provider attribute with its environment variable(s), as users read them.
type setting struct{ attribute, envVar string }

var (
	tenantID                  = setting{"tenant_id", "ARM_TENANT_ID"}
	clientID                  = setting{"client_id", "ARM_CLIENT_ID"}
	clientIDFilePath          = setting{"client_id_file_path", "ARM_CLIENT_ID_FILE_PATH"}
	clientSecret              = setting{"client_secret", "ARM_CLIENT_SECRET"}
	clientSecretFilePath      = setting{"client_secret_file_path", "ARM_CLIENT_SECRET_FILE_PATH"}
	clientCertificatePath     = setting{"client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH"}
	clientCertificate         = setting{"client_certificate", "ARM_CLIENT_CERTIFICATE"}
	clientCertificatePassword = setting{"client_certificate_password", "ARM_CLIENT_CERTIFICATE_PASSWORD"}
	useOIDC                   = setting{"use_oidc", "ARM_USE_OIDC"}
	oidcRequestURL            = setting{"oidc_request_url", "ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL or SYSTEM_OIDCREQUESTURI"}
	oidcRequestToken          = setting{"oidc_request_token", "ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN or SYSTEM_ACCESSTOKEN"}
	useAKSWorkloadIdentity    = setting{"use_aks_workload_identity", "ARM_USE_AKS_WORKLOAD_IDENTITY"}
	msiEndpoint               = setting{"msi_endpoint", "ARM_MSI_ENDPOINT"}
	useCLI                    = setting{"use_cli", "ARM_USE_CLI"}
)

func (s setting) error(summary, detail string) *ConfigError {
	return &ConfigError{Attribute: s.attribute, EnvVar: s.envVar, Summary: summary, Detail: detail}
}
