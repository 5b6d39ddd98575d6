package connect

import "testing"

func env(vars map[string]string) EnvLookup {
	return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
}

// The order users read in the docs: the provider block, then O365PAM_*, then ARM_*.
func TestResolvePrecedence(t *testing.T) {
	vars := map[string]string{
		"ARM_TENANT_ID": "arm-tenant", "ARM_CLIENT_ID": "arm-client", "O365PAM_CLIENT_ID": "pam-client",
		"ARM_CLIENT_SECRET": "arm-secret", "ARM_USE_CLI": "false",
	}
	s, problems := Resolve(Inputs{}, env(vars))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if s.Auth.TenantID != "arm-tenant" || s.Auth.ClientID != "pam-client" || s.Auth.ClientSecret != "arm-secret" {
		t.Errorf("got tenant %q client %q secret %q", s.Auth.TenantID, s.Auth.ClientID, s.Auth.ClientSecret)
	}
	if s.Auth.Sources["client_id"] != "O365PAM_CLIENT_ID" || s.Auth.Sources["tenant_id"] != "ARM_TENANT_ID" {
		t.Errorf("sources %v", s.Auth.Sources)
	}
	block := "block-client"
	if s, _ := Resolve(Inputs{ClientID: &block}, env(vars)); s.Auth.ClientID != block || s.Auth.Sources["client_id"] != "provider block" {
		t.Errorf("the provider block must win, got %q from %q", s.Auth.ClientID, s.Auth.Sources["client_id"])
	}
}

// A credential of this provider's own keeps azurerm's out: an ARM_ certificate would otherwise
// win over an O365PAM_ secret, certificates coming first.
func TestResolveOwnCredentialIgnoresARMCredentials(t *testing.T) {
	s, problems := Resolve(Inputs{}, env(map[string]string{
		"O365PAM_CLIENT_SECRET": "pam-secret", "ARM_CLIENT_CERTIFICATE_PATH": "/azurerm.pfx", "ARM_USE_MSI": "true",
		"ARM_TENANT_ID": "shared-tenant",
	}))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if s.Auth.ClientSecret != "pam-secret" || s.Auth.ClientCertificatePath != "" || s.Auth.UseMSI {
		t.Errorf("got secret %q certificate %q msi %v", s.Auth.ClientSecret, s.Auth.ClientCertificatePath, s.Auth.UseMSI)
	}
	if s.Auth.TenantID != "shared-tenant" {
		t.Errorf("ids still fall back to ARM_, got tenant %q", s.Auth.TenantID)
	}
}

func TestUserAgent(t *testing.T) {
	if got := UserAgent("0.1.0", "1.11.4"); got != "HashiCorp Terraform/1.11.4 (+https://www.terraform.io) terraform-provider-o365pam/0.1.0" {
		t.Errorf("User-Agent %q", got)
	}
	if got := UserAgent("0.1.0", ""); got != "terraform-provider-o365pam/0.1.0" {
		t.Errorf("User-Agent outside Terraform %q", got)
	}
}
