package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func fakeEnv(vars map[string]string) envLookup {
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
	if s.auth.TenantID != "from-block" || s.auth.ClientID != "client-from-env" || s.auth.UseCLI {
		t.Errorf("got tenant %q client %q use_cli %v", s.auth.TenantID, s.auth.ClientID, s.auth.UseCLI)
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
			if s.auth.AuthorityHost != want.authority || s.cloud.GraphEndpoint != want.graph || s.cloud.ExchangeEndpoint != want.exchange {
				t.Errorf("got %q %q %q", s.auth.AuthorityHost, s.cloud.GraphEndpoint, s.cloud.ExchangeEndpoint)
			}
			if s.auth.CustomAuthority {
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
	if s.auth.AuthorityHost != "https://127.0.0.1:8443/" || !s.auth.CustomAuthority ||
		s.cloud.GraphEndpoint != "https://127.0.0.1:8443/graph" || s.cloud.ExchangeEndpoint != "http://localhost:9000/exchange" {
		t.Errorf("overrides not applied: %+v %+v", s.auth, s.cloud)
	}
	// Token audiences stay those of the cloud, whatever the endpoint.
	if s.cloud.GraphScope != "https://graph.microsoft.com/.default" {
		t.Errorf("graph scope %q", s.cloud.GraphScope)
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
		if err := checkEndpoint(raw); (err == nil) != ok {
			t.Errorf("checkEndpoint(%q) = %v, want ok=%v", raw, err, ok)
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
			if s.auth.OIDCRequestURL != tt.url || s.auth.OIDCRequestToken != tt.token || s.auth.ADOServiceConnectionID != tt.conn {
				t.Errorf("got url %q token %q connection %q", s.auth.OIDCRequestURL, s.auth.OIDCRequestToken, s.auth.ADOServiceConnectionID)
			}
		})
	}
	m := nullModel()
	m.OIDCRequestURL = types.StringValue("https://block.example/")
	s, _ := resolveSettings(m, fakeEnv(tests[0].env))
	if s.auth.OIDCRequestURL != "https://block.example/" {
		t.Errorf("the provider block must win over the environment, got %q", s.auth.OIDCRequestURL)
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
	if s.auth.ClientIDFilePath != "/run/id" || s.auth.ClientSecretFilePath != "/run/secret" || !s.auth.UseMSI ||
		s.auth.MSIEndpoint != "http://169.254.169.254/metadata/identity/oauth2/token" {
		t.Errorf("got %+v", s.auth)
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
	if !s.auth.UseAKSWorkloadIdentity || s.auth.ClientID != "pod-client" || s.auth.TenantID != "pod-tenant" ||
		s.auth.FederatedTokenFile != aks["AZURE_FEDERATED_TOKEN_FILE"] {
		t.Errorf("got %+v", s.auth)
	}
	m := nullModel()
	m.ClientID = types.StringValue("configured-client")
	if s, _ := resolveSettings(m, fakeEnv(aks)); s.auth.ClientID != "configured-client" {
		t.Errorf("a configured client_id must win over the pod's, got %q", s.auth.ClientID)
	}
	delete(aks, "ARM_USE_AKS_WORKLOAD_IDENTITY")
	if s, _ := resolveSettings(nullModel(), fakeEnv(aks)); s.auth.ClientID != "" || s.auth.FederatedTokenFile != "" {
		t.Errorf("the pod's identity must be used only with use_aks_workload_identity, got %+v", s.auth)
	}
}
