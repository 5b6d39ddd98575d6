package acctest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// Tenant is one emulated tenant for one test.
type Tenant struct {
	Server *emulator.Server
	http   *http.Client
}

// NewTenant starts an emulator on a free loopback port and stops it when the test ends.
func NewTenant(t testing.TB) *Tenant {
	t.Helper()
	if sharedCA == nil {
		t.Fatal("acctest: call acctest.Main from TestMain before NewTenant")
	}
	srv, err := emulator.Start(emulator.Options{Addr: "127.0.0.1:0", CA: sharedCA})
	if err != nil {
		t.Fatalf("starting the tenant emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sharedCA.CertPEM())
	return &Tenant{
		Server: srv,
		http:   &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
	}
}

// ProviderConfig is a provider block pointing at this tenant, to put at the top of a test config.
func (tn *Tenant) ProviderConfig() string {
	s := tn.Server
	return fmt.Sprintf(`
provider "o365pam" {
  tenant_id         = %q
  client_id         = %q
  client_secret     = %q
  organization      = %q
  authority_host    = %q
  graph_endpoint    = %q
  exchange_endpoint = %q
  use_cli           = false
}
`, s.TenantID(), s.ClientID(), s.ClientSecret(), s.Organization(),
		s.BaseURL()+"/", s.BaseURL()+"/graph", s.BaseURL()+"/exchange")
}

// Domain is the tenant's initial domain; Address builds a mailbox address in it.
func (tn *Tenant) Domain() string { return tn.Server.Organization() }

// Address returns local@domain for this tenant.
func (tn *Tenant) Address(local string) string { return local + "@" + tn.Domain() }

// Exchange runs a cmdlet as another admin of the tenant would, over the same InvokeCommand
// endpoint and with its own sign-in, and returns the objects it answered. This code is apart from
// the provider's client on purpose: a test must be able to see the provider disagree with the
// service.
func (tn *Tenant) Exchange(t testing.TB, cmdlet string, params map[string]any) []map[string]any {
	t.Helper()
	out, err := tn.TryExchange(cmdlet, params)
	if err != nil {
		t.Fatalf("out-of-band %s: %v", cmdlet, err)
	}
	return out
}

// TryExchange is Exchange for a call that is expected to fail.
func (tn *Tenant) TryExchange(cmdlet string, params map[string]any) ([]map[string]any, error) {
	if params == nil {
		params = map[string]any{}
	}
	token, err := tn.token("https://outlook.office365.com/.default")
	if err != nil {
		return nil, err
	}
	body, _ := json.Marshal(map[string]any{"CmdletInput": map[string]any{"CmdletName": cmdlet, "Parameters": params}})
	req, _ := http.NewRequest(http.MethodPost,
		tn.Server.BaseURL()+"/exchange/adminapi/beta/"+tn.Server.TenantID()+"/InvokeCommand", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AnchorMailbox", "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"+tn.Domain())
	var answer struct {
		Value []map[string]any `json:"value"`
	}
	if err := tn.do(req, &answer); err != nil {
		return nil, err
	}
	return answer.Value, nil
}

func (tn *Tenant) token(scope string) (string, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {tn.Server.ClientID()},
		"client_secret": {tn.Server.ClientSecret()},
		"scope":         {scope},
	}
	req, _ := http.NewRequest(http.MethodPost, tn.Server.BaseURL()+"/"+tn.Server.TenantID()+"/oauth2/v2.0/token",
		strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := tn.do(req, &answer); err != nil {
		return "", err
	}
	return answer.AccessToken, nil
}

func (tn *Tenant) do(req *http.Request, into any) error {
	resp, err := tn.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, into)
}
