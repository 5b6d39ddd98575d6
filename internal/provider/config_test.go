package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

func fakeEnv(vars map[string]string) connect.EnvLookup {
	return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
}

func nullModel() providerModel {
	return providerModel{
		TenantID: types.StringNull(), ClientID: types.StringNull(), ClientSecret: types.StringNull(),
		ClientCertificatePath: types.StringNull(), ClientCertificate: types.StringNull(),
		ClientCertificatePassword: types.StringNull(), UseOIDC: types.BoolNull(), OIDCToken: types.StringNull(),
		OIDCTokenFilePath: types.StringNull(), OIDCRequestURL: types.StringNull(), OIDCRequestToken: types.StringNull(),
		UseMSI: types.BoolNull(), UseCLI: types.BoolNull(), Environment: types.StringNull(),
		Organization: types.StringNull(), AuthorityHost: types.StringNull(), GraphEndpoint: types.StringNull(),
		ExchangeEndpoint: types.StringNull(),
	}
}

func TestResolveSettingsBlockWinsOverEnvironment(t *testing.T) {
	m := nullModel()
	m.TenantID = types.StringValue("from-block")
	s, diags := resolveSettings(m, fakeEnv(map[string]string{
		"ARM_TENANT_ID": "from-env", "ARM_CLIENT_ID": "client-from-env", "ARM_USE_CLI": "false",
	}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.Auth.TenantID != "from-block" || s.Auth.ClientID != "client-from-env" || s.Auth.UseCLI {
		t.Errorf("got tenant %q client %q use_cli %v", s.Auth.TenantID, s.Auth.ClientID, s.Auth.UseCLI)
	}
}

func TestResolveSettingsEnvironments(t *testing.T) {
	cases := map[string]struct{ authority, graph, exchange string }{
		"":             {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://outlook.office365.com"},
		"public":       {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://outlook.office365.com"},
		"usgovernment": {"https://login.microsoftonline.us/", "https://graph.microsoft.us", "https://outlook.office365.us"},
		"dod":          {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us", "https://webmail.apps.mil"},
		"china":        {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn"},
		// azuread's names.
		"global":         {"https://login.microsoftonline.com/", "https://graph.microsoft.com", "https://outlook.office365.com"},
		"usgovernmentl4": {"https://login.microsoftonline.us/", "https://graph.microsoft.us", "https://outlook.office365.us"},
		"usgovernmentl5": {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us", "https://webmail.apps.mil"},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			s, diags := resolveSettings(nullModel(), fakeEnv(map[string]string{"ARM_ENVIRONMENT": name}))
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s.Auth.AuthorityHost != want.authority || s.Cloud.GraphEndpoint != want.graph || s.Cloud.ExchangeEndpoint != want.exchange {
				t.Errorf("got %q %q %q", s.Auth.AuthorityHost, s.Cloud.GraphEndpoint, s.Cloud.ExchangeEndpoint)
			}
			if s.Auth.CustomAuthority {
				t.Error("a named cloud must keep instance discovery on")
			}
		})
	}
}

func TestResolveSettingsOverridesAndErrors(t *testing.T) {
	s, diags := resolveSettings(nullModel(), fakeEnv(map[string]string{
		"O365PAM_AUTHORITY_HOST":    "https://127.0.0.1:8443",
		"O365PAM_GRAPH_ENDPOINT":    "https://127.0.0.1:8443/graph/",
		"O365PAM_EXCHANGE_ENDPOINT": "http://localhost:9000/exchange",
	}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.Auth.AuthorityHost != "https://127.0.0.1:8443/" || !s.Auth.CustomAuthority ||
		s.Cloud.GraphEndpoint != "https://127.0.0.1:8443/graph" || s.Cloud.ExchangeEndpoint != "http://localhost:9000/exchange" {
		t.Errorf("overrides not applied: %+v %+v", s.Auth, s.Cloud)
	}
	// Token audiences stay those of the cloud, whatever the endpoint.
	if s.Cloud.GraphScope != "https://graph.microsoft.com/.default" {
		t.Errorf("graph scope %q", s.Cloud.GraphScope)
	}

	_, diags = resolveSettings(nullModel(), fakeEnv(map[string]string{"O365PAM_GRAPH_ENDPOINT": "http://graph.example.com"}))
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "O365PAM_GRAPH_ENDPOINT") {
		t.Errorf("plain http off loopback must fail naming the variable, got %v", diags)
	}
	_, diags = resolveSettings(nullModel(), fakeEnv(map[string]string{"ARM_ENVIRONMENT": "mars"}))
	if !diags.HasError() {
		t.Error("an unknown environment must fail")
	}
	_, diags = resolveSettings(nullModel(), fakeEnv(map[string]string{"ARM_USE_MSI": "maybe"}))
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "ARM_USE_MSI") {
		t.Errorf("a bad boolean must fail naming the variable, got %v", diags)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://graph.microsoft.com": true,
		"https://10.0.0.5:8443/graph": true,
		"http://127.0.0.1:8443":       true,
		"http://[::1]:8443/exchange":  true,
		"http://localhost:8443":       true,
		"http://graph.microsoft.com":  false,
		"http://10.0.0.5:8443":        false,
		"ftp://127.0.0.1":             false,
		"graph.microsoft.com":         false,
		"https://":                    false,
	} {
		if err := connect.CheckEndpoint(raw); (err == nil) != ok {
			t.Errorf("connect.CheckEndpoint(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}

// azuread's names for the OIDC request and Azure DevOps settings are read, its own first.
func TestResolveSettingsAzureADVariables(t *testing.T) {
	tests := []struct {
		name             string
		env              map[string]string
		url, token, conn string
	}{
		{"azuread names win", map[string]string{
			"ARM_OIDC_REQUEST_URL": "https://a.example/", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://github.example/", "SYSTEM_OIDCREQUESTURI": "https://ado.example/",
			"ARM_OIDC_REQUEST_TOKEN": "arm", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "github", "SYSTEM_ACCESSTOKEN": "ado",
			"ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID": "conn", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID": "azapi-conn",
		}, "https://a.example/", "arm", "conn"},
		{"github actions", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "https://github.example/", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "github"},
			"https://github.example/", "github", ""},
		{"azure devops", map[string]string{"SYSTEM_OIDCREQUESTURI": "https://ado.example/", "SYSTEM_ACCESSTOKEN": "ado",
			"ARM_OIDC_AZURE_SERVICE_CONNECTION_ID": "azapi-conn"}, "https://ado.example/", "ado", "azapi-conn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, diags := resolveSettings(nullModel(), fakeEnv(tt.env))
			if diags.HasError() {
				t.Fatal(diags)
			}
			if s.Auth.OIDCRequestURL != tt.url || s.Auth.OIDCRequestToken != tt.token || s.Auth.ADOServiceConnectionID != tt.conn {
				t.Errorf("got url %q token %q connection %q", s.Auth.OIDCRequestURL, s.Auth.OIDCRequestToken, s.Auth.ADOServiceConnectionID)
			}
		})
	}
	m := nullModel()
	m.OIDCRequestURL = types.StringValue("https://block.example/")
	s, _ := resolveSettings(m, fakeEnv(tests[0].env))
	if s.Auth.OIDCRequestURL != "https://block.example/" {
		t.Errorf("the provider block must win over the environment, got %q", s.Auth.OIDCRequestURL)
	}
}

func TestResolveSettingsFilesAndIdentities(t *testing.T) {
	s, diags := resolveSettings(nullModel(), fakeEnv(map[string]string{
		"ARM_CLIENT_ID_FILE_PATH": "/run/id", "ARM_CLIENT_SECRET_FILE_PATH": "/run/secret",
		"ARM_USE_MSI": "true", "ARM_MSI_ENDPOINT": "http://169.254.169.254/metadata/identity/oauth2/token",
	}))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if s.Auth.ClientIDFilePath != "/run/id" || s.Auth.ClientSecretFilePath != "/run/secret" || !s.Auth.UseMSI ||
		s.Auth.MSIEndpoint != "http://169.254.169.254/metadata/identity/oauth2/token" {
		t.Errorf("got %+v", s.Auth)
	}
	_, diags = resolveSettings(nullModel(), fakeEnv(map[string]string{"ARM_MSI_ENDPOINT": "http://msi.example.com/token"}))
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "ARM_MSI_ENDPOINT") {
		t.Errorf("plain http off loopback and link-local must fail naming the variable, got %v", diags)
	}

	aks := map[string]string{"ARM_USE_AKS_WORKLOAD_IDENTITY": "true", "AZURE_CLIENT_ID": "pod-client",
		"AZURE_TENANT_ID": "pod-tenant", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token"}
	s, diags = resolveSettings(nullModel(), fakeEnv(aks))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !s.Auth.UseAKSWorkloadIdentity || s.Auth.ClientID != "pod-client" || s.Auth.TenantID != "pod-tenant" ||
		s.Auth.FederatedTokenFile != aks["AZURE_FEDERATED_TOKEN_FILE"] {
		t.Errorf("got %+v", s.Auth)
	}
	m := nullModel()
	m.ClientID = types.StringValue("configured-client")
	if s, _ := resolveSettings(m, fakeEnv(aks)); s.Auth.ClientID != "configured-client" {
		t.Errorf("a configured client_id must win over the pod's, got %q", s.Auth.ClientID)
	}
	delete(aks, "ARM_USE_AKS_WORKLOAD_IDENTITY")
	if s, _ := resolveSettings(nullModel(), fakeEnv(aks)); s.Auth.ClientID != "" || s.Auth.FederatedTokenFile != "" {
		t.Errorf("the pod's identity must be used only with use_aks_workload_identity, got %+v", s.Auth)
	}
}
