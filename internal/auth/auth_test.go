package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const (
	testTenant   = "00000000-0000-0000-0000-00000000000a"
	testClient   = "00000000-0000-0000-0000-00000000000b"
	testSecret   = "s3cret-value-never-shown"
	testPassword = "pa55word-never-shown"
)

// testCertificatePEM returns a fresh self-signed certificate and its key as PEM text.
func testCertificatePEM(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "o365pam test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewCredentialSelection(t *testing.T) {
	certPEM := testCertificatePEM(t)
	certPath := writeFile(t, "cert.pem", certPEM)
	app := func(s Settings) Settings {
		s.TenantID, s.ClientID = testTenant, testClient
		return s
	}
	tests := []struct {
		name     string
		settings Settings
		want     Method
	}{
		{"certificate file", app(Settings{ClientCertificatePath: certPath}), MethodClientCertificate},
		{"certificate PEM text", app(Settings{ClientCertificate: string(certPEM)}), MethodClientCertificate},
		{"certificate base64 PEM", app(Settings{ClientCertificate: base64.StdEncoding.EncodeToString(certPEM)}), MethodClientCertificate},
		{"certificate PEM ignores password", app(Settings{ClientCertificatePath: certPath, ClientCertificatePassword: testPassword}), MethodClientCertificate},
		{"certificate beats oidc, msi and cli", app(Settings{ClientCertificatePath: certPath, UseOIDC: true, OIDCToken: "t", UseMSI: true, UseCLI: true}), MethodClientCertificate},
		{"secret", app(Settings{ClientSecret: testSecret}), MethodClientSecret},
		{"secret beats oidc, msi and cli", app(Settings{ClientSecret: testSecret, UseOIDC: true, OIDCToken: "t", UseMSI: true, UseCLI: true}), MethodClientSecret},
		{"oidc token", app(Settings{UseOIDC: true, OIDCToken: "t"}), MethodOIDC},
		{"oidc token file", app(Settings{UseOIDC: true, OIDCTokenFilePath: "/does/not/matter/yet"}), MethodOIDC},
		{"oidc github", app(Settings{UseOIDC: true, OIDCRequestURL: "https://example.invalid/t?x=1", OIDCRequestToken: "r"}), MethodOIDC},
		{"oidc beats msi and cli", app(Settings{UseOIDC: true, OIDCToken: "t", UseMSI: true, UseCLI: true}), MethodOIDC},
		{"oidc token without use_oidc is ignored", Settings{OIDCToken: "t", UseCLI: true}, MethodAzureCLI},
		{"msi beats cli", Settings{UseMSI: true, UseCLI: true}, MethodMSI},
		{"msi user assigned", Settings{ClientID: testClient, UseMSI: true}, MethodMSI},
		{"cli fallback without tenant", Settings{UseCLI: true}, MethodAzureCLI},
		{"cli with tenant", Settings{TenantID: testTenant, UseCLI: true}, MethodAzureCLI},
		{"secret from files", Settings{TenantID: testTenant, ClientIDFilePath: writeFile(t, "id", []byte(testClient+"\n")),
			ClientSecretFilePath: writeFile(t, "secret", []byte(testSecret))}, MethodClientSecret},
		{"secret file agreeing with the value", app(Settings{ClientSecret: testSecret, ClientSecretFilePath: writeFile(t, "same", []byte(testSecret))}), MethodClientSecret},
		{"oidc azure devops", app(Settings{UseOIDC: true, OIDCRequestURL: "https://example.invalid/oidc", OIDCRequestToken: "r", ADOServiceConnectionID: "c"}), MethodOIDC},
		{"aks workload identity", app(Settings{UseAKSWorkloadIdentity: true, FederatedTokenFile: "/var/run/token"}), MethodAKSWorkloadIdentity},
		{"oidc beats aks workload identity", app(Settings{UseOIDC: true, OIDCToken: "t", UseAKSWorkloadIdentity: true, FederatedTokenFile: "/f"}), MethodOIDC},
		{"aks workload identity beats msi", app(Settings{UseAKSWorkloadIdentity: true, FederatedTokenFile: "/f", UseMSI: true}), MethodAKSWorkloadIdentity},
		{"msi with endpoint", Settings{UseMSI: true, MSIEndpoint: "http://127.0.0.1:40342/token"}, MethodMSI},
	}
	fakeAzureCLI(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, method, err := NewCredential(tt.settings)
			if err != nil {
				t.Fatalf("NewCredential: %v", err)
			}
			if cred == nil {
				t.Fatal("NewCredential returned a nil credential")
			}
			if method != tt.want {
				t.Errorf("method = %q, want %q", method, tt.want)
			}
		})
	}
}

func TestNewCredentialMisconfiguration(t *testing.T) {
	certPEM := testCertificatePEM(t)
	certPath := writeFile(t, "cert.pem", certPEM)
	certOnly, _, _ := strings.Cut(string(certPEM), "-----BEGIN PRIVATE KEY")
	noKeyPath := writeFile(t, "nokey.pem", []byte(certOnly))
	garbagePFX := base64.StdEncoding.EncodeToString([]byte("this is not a PKCS#12 file"))

	tests := []struct {
		name          string
		settings      Settings
		wantAttribute string
		wantEnvVar    string
		wantDetail    string
	}{
		{"secret and certificate", Settings{TenantID: testTenant, ClientID: testClient, ClientSecret: testSecret, ClientCertificatePath: certPath},
			"client_secret", "O365PAM_CLIENT_SECRET or ARM_CLIENT_SECRET", "both a client secret and a client certificate"},
		{"certificate path and value", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificatePath: certPath, ClientCertificate: string(certPEM)},
			"client_certificate", "O365PAM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE", "keep only one"},
		{"secret without tenant", Settings{ClientID: testClient, ClientSecret: testSecret},
			"tenant_id", "O365PAM_TENANT_ID or ARM_TENANT_ID", "tenant"},
		{"certificate without tenant", Settings{ClientID: testClient, ClientCertificatePath: certPath},
			"tenant_id", "O365PAM_TENANT_ID or ARM_TENANT_ID", "tenant"},
		{"oidc without tenant", Settings{ClientID: testClient, UseOIDC: true, OIDCToken: "t"},
			"tenant_id", "O365PAM_TENANT_ID or ARM_TENANT_ID", "tenant"},
		{"secret without client id", Settings{TenantID: testTenant, ClientSecret: testSecret},
			"client_id", "O365PAM_CLIENT_ID or ARM_CLIENT_ID", "client"},
		{"oidc without client id", Settings{TenantID: testTenant, UseOIDC: true, OIDCToken: "t"},
			"client_id", "O365PAM_CLIENT_ID or ARM_CLIENT_ID", "client"},
		{"certificate file missing", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificatePath: filepath.Join(t.TempDir(), "absent.pfx")},
			"client_certificate_path", "O365PAM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_CERTIFICATE_PATH", "absent.pfx"},
		{"certificate file without key", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificatePath: noKeyPath},
			"client_certificate_path", "O365PAM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_CERTIFICATE_PATH", "PFX"},
		{"certificate value not base64", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificate: "%%% not base64 %%%"},
			"client_certificate", "O365PAM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE", "neither base64"},
		{"certificate value garbage PFX", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificate: garbagePFX},
			"client_certificate", "O365PAM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE", "PFX"},
		{"certificate garbage PFX with password", Settings{TenantID: testTenant, ClientID: testClient, ClientCertificate: garbagePFX, ClientCertificatePassword: testPassword},
			"client_certificate", "O365PAM_CLIENT_CERTIFICATE or ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PASSWORD"},
		{"oidc without token source", Settings{TenantID: testTenant, ClientID: testClient, UseOIDC: true},
			"use_oidc", "O365PAM_USE_OIDC or ARM_USE_OIDC", "ARM_OIDC_TOKEN_FILE_PATH"},
		{"oidc request URL without token", Settings{TenantID: testTenant, ClientID: testClient, UseOIDC: true, OIDCRequestURL: "https://example.invalid/"},
			"oidc_request_token", "O365PAM_OIDC_REQUEST_TOKEN, ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN or SYSTEM_ACCESSTOKEN", "oidc_request_url"},
		{"oidc request token without URL", Settings{TenantID: testTenant, ClientID: testClient, UseOIDC: true, OIDCRequestToken: "r"},
			"oidc_request_url", "O365PAM_OIDC_REQUEST_URL, ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL or SYSTEM_OIDCREQUESTURI", "oidc_request_token"},
		{"client id file missing", Settings{TenantID: testTenant, ClientIDFilePath: filepath.Join(t.TempDir(), "absent"), ClientSecret: testSecret},
			"client_id_file_path", "O365PAM_CLIENT_ID_FILE_PATH or ARM_CLIENT_ID_FILE_PATH", "absent"},
		{"client id file disagrees", Settings{TenantID: testTenant, ClientID: testClient, ClientIDFilePath: writeFile(t, "id", []byte("another-client\n")), ClientSecret: testSecret},
			"client_id_file_path", "O365PAM_CLIENT_ID_FILE_PATH or ARM_CLIENT_ID_FILE_PATH", "different values"},
		{"client secret file disagrees", Settings{TenantID: testTenant, ClientID: testClient, ClientSecret: testSecret, ClientSecretFilePath: writeFile(t, "secret", []byte("other"))},
			"client_secret_file_path", "O365PAM_CLIENT_SECRET_FILE_PATH or ARM_CLIENT_SECRET_FILE_PATH", "different values"},
		{"client secret file empty", Settings{TenantID: testTenant, ClientID: testClient, ClientSecretFilePath: writeFile(t, "empty", []byte("\n"))},
			"client_secret_file_path", "O365PAM_CLIENT_SECRET_FILE_PATH or ARM_CLIENT_SECRET_FILE_PATH", "holds no client secret"},
		{"aks workload identity without token file", Settings{TenantID: testTenant, ClientID: testClient, UseAKSWorkloadIdentity: true},
			"use_aks_workload_identity", "O365PAM_USE_AKS_WORKLOAD_IDENTITY or ARM_USE_AKS_WORKLOAD_IDENTITY", "AZURE_FEDERATED_TOKEN_FILE"},
		{"aks workload identity without client id", Settings{TenantID: testTenant, UseAKSWorkloadIdentity: true, FederatedTokenFile: "/var/run/token"},
			"client_id", "O365PAM_CLIENT_ID or ARM_CLIENT_ID", "client"},
		{"msi endpoint not a URL", Settings{UseMSI: true, MSIEndpoint: "not a url"},
			"msi_endpoint", "O365PAM_MSI_ENDPOINT or ARM_MSI_ENDPOINT", "absolute URL"},
		{"nothing configured", Settings{TenantID: testTenant, ClientID: testClient},
			"use_cli", "O365PAM_USE_CLI or ARM_USE_CLI", "Azure CLI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred, _, err := NewCredential(tt.settings)
			if err == nil {
				t.Fatalf("NewCredential succeeded with %T, want a *ConfigError", cred)
			}
			var cfgErr *ConfigError
			if !errors.As(err, &cfgErr) {
				t.Fatalf("error %v is %T, want *ConfigError", err, err)
			}
			if cfgErr.Attribute != tt.wantAttribute || cfgErr.EnvVar != tt.wantEnvVar {
				t.Errorf("error names %s/%s, want %s/%s", cfgErr.Attribute, cfgErr.EnvVar, tt.wantAttribute, tt.wantEnvVar)
			}
			text := err.Error()
			for _, want := range []string{tt.wantAttribute, tt.wantEnvVar, tt.wantDetail} {
				if !strings.Contains(text, want) {
					t.Errorf("error %q does not mention %q", text, want)
				}
			}
			for _, secret := range []string{testSecret, testPassword} {
				if strings.Contains(text, secret) {
					t.Errorf("error %q contains a secret", text)
				}
			}
		})
	}
}

// fakeAzureCLI puts an `az` that is never run on PATH, so the CLI method can be chosen.
func fakeAzureCLI(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte("#!/bin/sh\nexit 1\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
}

// With nothing configured and no Azure CLI installed, the error says what to set instead of
// azidentity's "Azure CLI not found" at every resource.
func TestNewCredentialWithoutAzureCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, err := NewCredential(Settings{UseCLI: true})
	var cfgErr *ConfigError
	if !errors.As(err, &cfgErr) || cfgErr.Attribute != "use_cli" {
		t.Fatalf("error = %v, want a *ConfigError on use_cli", err)
	}
	for _, want := range []string{"`az` is not on PATH", "ARM_CLIENT_SECRET", "use_msi", "az login"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestOIDCTokenFileIsReadOnEveryCall(t *testing.T) {
	path := writeFile(t, "token", []byte("first\n"))
	assertion, err := assertionSource(Settings{OIDCTokenFilePath: path})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "second"} {
		if err := os.WriteFile(path, []byte(want+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := assertion(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("assertion = %q, want %q", got, want)
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := assertion(context.Background()); err == nil {
		t.Error("assertion succeeded after the token file was removed")
	}
}

func TestOIDCGitHubTokenRequest(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer request-token" {
			http.Error(w, "bad authorization "+got, http.StatusUnauthorized)
			return
		}
		if got := r.URL.Query().Get("api-version"); got != "2.0" {
			http.Error(w, "lost the original query", http.StatusBadRequest)
			return
		}
		if got := r.URL.Query().Get("audience"); got != "api://AzureADTokenExchange" {
			http.Error(w, "bad audience "+got, http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"value": "github-id-token"})
	}))
	defer srv.Close()

	s := Settings{OIDCRequestURL: srv.URL + "/token?api-version=2.0", OIDCRequestToken: "request-token", HTTPClient: srv.Client()}
	assertion, err := assertionSource(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := assertion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != "github-id-token" {
		t.Errorf("assertion = %q, want github-id-token", got)
	}

	s.OIDCRequestToken = "wrong-token"
	assertion, err = assertionSource(s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = assertion(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("error = %v, want HTTP 401", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("error %q echoes the request token", err)
	}
}

// tokenServer is a minimal Entra ID: tenant discovery (which the credentials should not need)
// and a token endpoint that records each token request's form.
type tokenServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
	forms []url.Values
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ts.paths = append(ts.paths, r.Method+" "+r.URL.Path)
		base := ts.URL + "/" + testTenant
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/" + testTenant + "/v2.0/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{
				"issuer":                 base + "/v2.0",
				"authorization_endpoint": base + "/oauth2/v2.0/authorize",
				"token_endpoint":         base + "/oauth2/v2.0/token",
			})
		case "/" + testTenant + "/oauth2/v2.0/token":
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			ts.forms = append(ts.forms, r.PostForm)
			_ = json.NewEncoder(w).Encode(map[string]any{
				"token_type":   "Bearer",
				"expires_in":   3600,
				"access_token": "access-token-from-test-server",
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestCredentialsSignInAtCustomAuthority checks that app credentials use the authority host,
// the HTTP client and no instance discovery, and send the right proof of identity.
func TestCredentialsSignInAtCustomAuthority(t *testing.T) {
	certPEM := testCertificatePEM(t)
	tests := []struct {
		name     string
		settings Settings
		check    func(t *testing.T, form url.Values)
	}{
		{"client secret", Settings{ClientSecret: testSecret}, func(t *testing.T, form url.Values) {
			if got := form.Get("client_secret"); got != testSecret {
				t.Errorf("client_secret = %q", got)
			}
		}},
		{"client certificate", Settings{ClientCertificate: string(certPEM)}, func(t *testing.T, form url.Values) {
			if got := form.Get("client_assertion"); strings.Count(got, ".") != 2 {
				t.Errorf("client_assertion = %q, want a signed JWT", got)
			}
		}},
		{"oidc", Settings{UseOIDC: true, OIDCToken: "federated-token"}, func(t *testing.T, form url.Values) {
			if got := form.Get("client_assertion"); got != "federated-token" {
				t.Errorf("client_assertion = %q, want the federated token", got)
			}
		}},
		{"client secret from a file", Settings{ClientSecretFilePath: writeFile(t, "secret", []byte(testSecret+"\n"))}, func(t *testing.T, form url.Values) {
			if got := form.Get("client_secret"); got != testSecret {
				t.Errorf("client_secret = %q, want the file's secret", got)
			}
		}},
		{"aks workload identity", Settings{UseAKSWorkloadIdentity: true, FederatedTokenFile: writeFile(t, "sa-token", []byte("service-account-token"))}, func(t *testing.T, form url.Values) {
			if got := form.Get("client_assertion"); got != "service-account-token" {
				t.Errorf("client_assertion = %q, want the service account token", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t)
			s := tt.settings
			s.TenantID, s.ClientID = testTenant, testClient
			s.AuthorityHost, s.CustomAuthority, s.HTTPClient = ts.URL+"/", true, ts.Client()
			cred, _, err := NewCredential(s)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if tok.Token != "access-token-from-test-server" {
				t.Errorf("token = %q", tok.Token)
			}
			ts.mu.Lock()
			defer ts.mu.Unlock()
			// The OpenID configuration is answered without a round trip (documentedDiscovery).
			wantPaths := []string{"POST /" + testTenant + "/oauth2/v2.0/token"}
			if strings.Join(ts.paths, "\n") != strings.Join(wantPaths, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(ts.paths, "\n"), strings.Join(wantPaths, "\n"))
			}
			if len(ts.forms) != 1 {
				t.Fatalf("%d token requests, want 1", len(ts.forms))
			}
			form := ts.forms[0]
			// MSAL adds "openid offline_access profile" to the requested scope.
			if form.Get("client_id") != testClient || form.Get("grant_type") != "client_credentials" ||
				!slices.Contains(strings.Fields(form.Get("scope")), "https://graph.microsoft.com/.default") {
				t.Errorf("token request: client_id %q, grant_type %q, scope %q", form.Get("client_id"), form.Get("grant_type"), form.Get("scope"))
			}
			tt.check(t, form)
		})
	}
}
