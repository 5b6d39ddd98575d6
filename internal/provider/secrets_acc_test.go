package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/acctest"
)

// Secret-looking text that must never reach the CLI's log or the state: JWT access tokens and
// bearer headers.
var (
	jwtPattern    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}`)
	bearerPattern = regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9_.~+/=-]{16,}`)
)

// assertNoSecrets fails when any secret, or anything token-shaped, appears in the named file.
func assertNoSecrets(t *testing.T, path string, secrets map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for what, secret := range secrets {
		if secret != "" && strings.Contains(text, secret) {
			t.Errorf("%s holds the %s", filepath.Base(path), what)
		}
	}
	if m := jwtPattern.FindString(text); m != "" {
		t.Errorf("%s holds a token: %.24s…", filepath.Base(path), m)
	}
	if m := bearerPattern.FindString(text); m != "" {
		t.Errorf("%s holds a bearer header: %.24s…", filepath.Base(path), m)
	}
}

// quickstartWithProvider is examples/quickstart/main.tf with the given provider block in place of
// its empty one, so the credentials travel in the configuration.
func quickstartWithProvider(t *testing.T, providerBlock string) string {
	raw, err := os.ReadFile(quickstartPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(raw), "provider \"o365pam\" {}\n", providerBlock, 1)
}

// With TF_LOG=TRACE a full apply leaves no client secret or token in the CLI's log, and the state
// holds none either.
func TestAccSecrets_secretNeverLoggedOrStored(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	ws := newCLIWorkspace(t, quickstartWithProvider(t, tn.ProviderConfig()),
		"TF_LOG=TRACE", "SSL_CERT_FILE="+tn.Server.CAFile())
	logPath := filepath.Join(ws.dir, "trace.log")
	ws.env = append(ws.env, "TF_LOG_PATH="+logPath)

	ws.mustRun("apply", "-auto-approve", "-input=false")
	if err := checkQuickstartState(tn); err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"client secret": tn.Server.ClientSecret()}
	assertNoSecrets(t, logPath, secrets)
	assertNoSecrets(t, filepath.Join(ws.dir, "terraform.tfstate"), secrets)
	if info, err := os.Stat(logPath); err != nil || info.Size() < 100_000 {
		t.Fatalf("the trace log is missing or too short to prove anything: %v", err)
	}
	// The provider's own request logs must be in it, or the scan proves nothing about the
	// provider (it turns its logs off when the CLI would discard them).
	if raw, _ := os.ReadFile(logPath); !strings.Contains(string(raw), "provider.terraform-provider-o365pam: Received request: ") ||
		!strings.Contains(string(raw), "tf_rpc=ConfigureProvider") {
		t.Fatal("the trace log has no request logs from the provider")
	}
	t.Log("trace log and state scanned: no client secret, token or bearer header")
}

// selfSignedPEM returns a certificate and its private key as PEM text.
func selfSignedPEM(t *testing.T) (certPEM, keyPEM string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048) // Entra ID takes RSA keys only
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "o365pam test app"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// A client certificate and its password never reach the log, even when sign-in with them fails
// (the tenant does not know the certificate).
func TestAccSecrets_certificateNeverLogged(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	certPEM, keyPEM := selfSignedPEM(t)
	const password = "cert-password-7f3e9a"
	block := providerHCL(tn, map[string]string{
		"client_secret":               "",
		"client_certificate":          "<<EOT\n" + certPEM + keyPEM + "EOT\n",
		"client_certificate_password": `"` + password + `"`,
	})
	ws := newCLIWorkspace(t, quickstartWithProvider(t, block), "TF_LOG=TRACE", "SSL_CERT_FILE="+tn.Server.CAFile())
	logPath := filepath.Join(ws.dir, "trace.log")
	ws.env = append(ws.env, "TF_LOG_PATH="+logPath)

	out, code := ws.run("plan", "-input=false")
	if code == 0 || !strings.Contains(out, "AADSTS700027") {
		t.Fatalf("want sign-in with an unknown certificate refused, got exit %d:\n%s", code, out)
	}
	body := func(p string) string { // the base64 of a PEM block, on one line
		b, _ := pem.Decode([]byte(p))
		return base64.StdEncoding.EncodeToString(b.Bytes)
	}
	secrets := map[string]string{"certificate password": password}
	for i, line := range strings.Split(certPEM+keyPEM, "\n") {
		if len(line) == 64 { // full lines of base64: any of them is enough to recognise the material
			secrets[fmt.Sprintf("PEM line %d", i)] = line
		}
	}
	secrets["certificate"], secrets["private key"] = body(certPEM)[:48], body(keyPEM)[:48]
	assertNoSecrets(t, logPath, secrets)
	if raw, _ := os.ReadFile(logPath); !strings.Contains(string(raw), "AADSTS700027") {
		t.Fatal("the trace log lacks the provider's own diagnostics; the scan proved nothing")
	}
	t.Log("trace log scanned: no certificate, private key or password")
}
