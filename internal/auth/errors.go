package auth

import (
	"errors"
	"fmt"
	"net"
	"regexp"
)

// ConfigError is a sign-in misconfiguration, named by the provider attribute and the
// environment variable that set it so the user knows what to fix. It never carries a secret.
type ConfigError struct {
	Attribute string // provider attribute, e.g. "tenant_id"
	EnvVar    string // environment variable(s) for the same setting, e.g. "O365PAM_TENANT_ID or ARM_TENANT_ID"
	Summary   string
	Detail    string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: %s (set with attribute %s or environment variable %s)", e.Summary, e.Detail, e.Attribute, e.EnvVar)
}

// setting is one provider attribute with its environment variable(s), as users read them.
type setting struct{ attribute, envVar string }

var (
	tenantID                  = setting{"tenant_id", "O365PAM_TENANT_ID or ARM_TENANT_ID"}
	clientID                  = setting{"client_id", "O365PAM_CLIENT_ID or ARM_CLIENT_ID"}
	clientIDFilePath          = setting{"client_id_file_path", "O365PAM_CLIENT_ID_FILE_PATH or ARM_CLIENT_ID_FILE_PATH"}
	clientSecret              = setting{"client_secret", "O365PAM_CLIENT_SECRET or ARM_CLIENT_SECRET"}
	clientSecretFilePath      = setting{"client_secret_file_path", "O365PAM_CLIENT_SECRET_FILE_PATH or ARM_CLIENT_SECRET_FILE_PATH"}
	clientCertificatePath     = setting{"client_certificate_path", "O365PAM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_CERTIFICATE_PATH"}
	clientCertificate         = setting{"client_certificate", "O365PAM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE"}
	clientCertificatePassword = setting{"client_certificate_password", "O365PAM_CLIENT_CERTIFICATE_PASSWORD or ARM_CLIENT_CERTIFICATE_PASSWORD"}
	useOIDC                   = setting{"use_oidc", "O365PAM_USE_OIDC or ARM_USE_OIDC"}
	oidcRequestURL            = setting{"oidc_request_url", "O365PAM_OIDC_REQUEST_URL, ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL or SYSTEM_OIDCREQUESTURI"}
	oidcRequestToken          = setting{"oidc_request_token", "O365PAM_OIDC_REQUEST_TOKEN, ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN or SYSTEM_ACCESSTOKEN"}
	useAKSWorkloadIdentity    = setting{"use_aks_workload_identity", "O365PAM_USE_AKS_WORKLOAD_IDENTITY or ARM_USE_AKS_WORKLOAD_IDENTITY"}
	msiEndpoint               = setting{"msi_endpoint", "O365PAM_MSI_ENDPOINT or ARM_MSI_ENDPOINT"}
	useCLI                    = setting{"use_cli", "O365PAM_USE_CLI or ARM_USE_CLI"}
)

func (s setting) error(summary, detail string) *ConfigError {
	return &ConfigError{Attribute: s.attribute, EnvVar: s.envVar, Summary: summary, Detail: detail}
}

// Unreachable reports a request that never reached its host (refused, no route, unknown name),
// and which host with why: such a failure says nothing about the credentials. azidentity hands
// the transport error on as text only, so the text is read when no *net.OpError is in the chain.
func Unreachable(err error) (string, bool) {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Addr != nil {
		return opErr.Addr.String() + " (" + opErr.Err.Error() + ")", true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.Name + " (" + dnsErr.Err + ")", true
	}
	if m := dialFailure.FindStringSubmatch(err.Error()); m != nil {
		return m[1] + m[2] + " (" + m[3] + ")", true
	}
	return "", false
}

// dialFailure is how Go's net package words a failed dial: "dial tcp 127.0.0.1:8443: connect:
// connection refused", "dial tcp: lookup login.example: no such host".
var dialFailure = regexp.MustCompile(`dial tcp(?: (\S+): (?:connect: )?|: lookup (\S+?)(?: on \S+)?: )([a-z][a-z ]*[a-z])`)
