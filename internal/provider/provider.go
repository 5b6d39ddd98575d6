// Package provider implements the o365pam provider: its configuration and its resources, data
// sources and ephemeral resources. Resources reach the tenant only through internal/pamtenant,
// the layer that owns every read and write, which the *tenantClient the provider builds holds.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/cloud"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

var (
	_ provider.Provider                       = (*o365pamProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*o365pamProvider)(nil)
	_ provider.ProviderWithListResources      = (*o365pamProvider)(nil)
	_ provider.ProviderWithActions            = (*o365pamProvider)(nil)
)

// New returns a constructor for the provider, as providerserver wants it.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &o365pamProvider{version: version} }
}

type o365pamProvider struct {
	version string
}

// providerModel is the provider block as Terraform sends it.
type providerModel struct {
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientIDFilePath          types.String `tfsdk:"client_id_file_path"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientSecretFilePath      types.String `tfsdk:"client_secret_file_path"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	ADOServiceConnectionID    types.String `tfsdk:"ado_pipeline_service_connection_id"`
	UseAKSWorkloadIdentity    types.Bool   `tfsdk:"use_aks_workload_identity"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	MSIEndpoint               types.String `tfsdk:"msi_endpoint"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	Environment               types.String `tfsdk:"environment"`
	Organization              types.String `tfsdk:"organization"`
	AuthorityHost             types.String `tfsdk:"authority_host"`
	GraphEndpoint             types.String `tfsdk:"graph_endpoint"`
	ExchangeEndpoint          types.String `tfsdk:"exchange_endpoint"`
}

func (p *o365pamProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "o365pam"
	resp.Version = p.version
}

func (p *o365pamProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := func(desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc}
	}
	flag := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
	}
	endpoint := func(desc string) schema.StringAttribute {
		a := str(desc, false)
		a.Validators = []validator.String{endpointValidator{}}
		return a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Office 365 privileged access management (PAM): approver groups, " +
			"tenant enablement and approval policies. Writes go through the Exchange Online admin REST " +
			"endpoint; Microsoft Graph serves look-ups.\n\n" +
			"Sign-in methods are tried in this order, and the first one configured wins: client " +
			"certificate, client secret, OIDC, AKS workload identity, managed identity, Azure CLI. The " +
			"settings and `ARM_*` environment variables are those of the azuread provider, so one set of CI " +
			"secrets serves both.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": str("The Microsoft Entra tenant id (GUID) or initial domain: the tenant of every object that "+
				"names no `tenant_id` of its own. May be left unset when every object names its tenant (signing in as an app "+
				"consented in each tenant); see the guide \"Manage many tenants\". "+envNote(connect.EnvTenantID...), false),
			"client_id": str("The application (client) id of the app registration used to sign in. "+envNote(connect.EnvClientID...), false),
			"client_id_file_path": str("A file holding the application (client) id, for platforms that mount settings as "+
				"files. When `client_id` is set too, both must hold the same value. "+envNote(connect.EnvClientIDFilePath...), false),
			"client_secret": str("A client secret of the app registration. Conflicts with a client certificate. "+
				envNote(connect.EnvClientSecret...), true),
			"client_secret_file_path": str("A file holding a client secret of the app registration, for secrets mounted as "+
				"files. When `client_secret` is set too, both must hold the same value. "+envNote(connect.EnvClientSecretFilePath...), false),
			"client_certificate_path": str("Path to a PFX or PEM file holding the app's certificate and private key. "+
				envNote(connect.EnvClientCertificatePath...), false),
			"client_certificate": str("The app's certificate and private key, as base64-encoded PFX or PEM text. "+
				envNote(connect.EnvClientCertificate...), true),
			"client_certificate_password": str("Password of the client certificate, if it has one. "+
				envNote(connect.EnvClientCertificatePassword...), true),
			"use_oidc": flag("Sign in with an OpenID Connect token (workload identity federation), for example " +
				"from GitHub Actions. " + envNote(connect.EnvUseOIDC...)),
			"oidc_token":           str("An OIDC token to exchange for an access token. "+envNote(connect.EnvOIDCToken...), true),
			"oidc_token_file_path": str("A file holding an OIDC token, read again on every sign-in. "+envNote(connect.EnvOIDCTokenFilePath...), false),
			"oidc_request_url": str("URL to request an OIDC token from, as GitHub Actions (`ACTIONS_ID_TOKEN_REQUEST_URL`) "+
				"and Azure DevOps (`SYSTEM_OIDCREQUESTURI`) provide. "+envNote(connect.EnvOIDCRequestURL...), false),
			"oidc_request_token": str("Bearer token for `oidc_request_url`; in Azure DevOps the pipeline's "+
				"`System.AccessToken`, mapped into the task as `SYSTEM_ACCESSTOKEN`. "+envNote(connect.EnvOIDCRequestToken...), true),
			"ado_pipeline_service_connection_id": str("The id of an Azure DevOps service connection that uses workload "+
				"identity federation. When set, the OIDC token is requested from Azure DevOps for that connection. "+
				envNote(connect.EnvADOServiceConnectionID...), false),
			"use_aks_workload_identity": flag("Sign in with AKS workload identity: the service account token in " +
				"`AZURE_FEDERATED_TOKEN_FILE`, with `AZURE_CLIENT_ID` and `AZURE_TENANT_ID` when `client_id` and " +
				"`tenant_id` are not set. " + envNote(connect.EnvUseAKSWorkloadIdentity...)),
			"use_msi": flag("Sign in with a managed identity. " + envNote(connect.EnvUseMSI...)),
			"msi_endpoint": str("Replaces the managed identity token endpoint (`http://169.254.169.254/metadata/identity/oauth2/token`) "+
				"on hosts that serve it elsewhere; it speaks the same protocol. Hosts that announce their own endpoint "+
				"(`IDENTITY_ENDPOINT`, `MSI_ENDPOINT`) keep it. Plain `http://` is refused except on loopback and "+
				"link-local addresses. "+envNote(connect.EnvMSIEndpoint...), false),
			"use_cli": flag("Sign in with the Azure CLI's signed-in user when nothing else is configured " +
				"(delegated sign-in). Defaults to `true`. " + envNote(connect.EnvUseCLI...)),
			"environment": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The Microsoft cloud: `public` (default), `usgovernment` (GCC High), `dod` " +
					"or `china`. azuread's names are accepted too: `global` (public), `usgovernmentl4` (GCC High) and " +
					"`usgovernmentl5` (DoD). It sets the sign-in, Graph and Exchange hosts and token audiences. " + envNote(connect.EnvEnvironment...),
				Validators: []validator.String{stringvalidator.OneOf(cloud.AcceptedNames()...)},
			},
			"organization": str("The initial domain of the provider's tenant, for example `contoso.onmicrosoft.com`. Exchange "+
				"needs it to route app-only requests. When unset it is read from Microsoft Graph, as it always is for the "+
				"other tenants objects name by their `tenant_id`. "+envNote(connect.EnvOrganization), false),
			"authority_host": endpoint("Overrides the sign-in authority host, for private clouds and the tenant " +
				"emulator. Tokens are requested at `{authority_host}{tenant_id}/oauth2/v2.0/token`, the layout of " +
				"every Microsoft cloud; the host's OpenID configuration is not fetched. Plain `http://` is refused " +
				"except on loopback. " + envNote(connect.EnvAuthorityHost)),
			"graph_endpoint": endpoint("Overrides the Microsoft Graph endpoint (without `/v1.0`). " +
				envNote(connect.EnvGraphEndpoint)),
			"exchange_endpoint": endpoint("Overrides the Exchange Online endpoint (the part before `/adminapi`). " +
				envNote(connect.EnvExchangeEndpoint)),
		},
	}
}

func (p *o365pamProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	// A setting not known until apply would silently fall back to the environment and could sign
	// in as another identity or to another tenant during plan.
	if !req.Config.Raw.IsFullyKnown() {
		resp.Diagnostics.AddError("Provider configuration not known yet",
			"A setting in the o365pam provider block depends on a value that is known only after apply. "+
				"Use values known at plan time (literals, variables or data sources) for the provider's settings.")
		return
	}
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveSettings(model, connect.LookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	pool, err := newTenantPool(ctx, settings, p.version, req.TerraformVersion)
	if err != nil {
		addConfigError(&resp.Diagnostics, err)
		return
	}
	resp.ResourceData = pool
	resp.DataSourceData = pool
	resp.EphemeralResourceData = pool
	resp.ListResourceData = pool
	resp.ActionData = pool
}

func (p *o365pamProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newApproverGroupResource,
		newPrivilegedAccessResource,
		newApprovalPolicyResource,
		newExclusivePoliciesResource,
	}
}

func (p *o365pamProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newPrivilegedAccessDataSource,
		newApprovalPoliciesDataSource,
		newApproverGroupDataSource,
		newAccessRequestsDataSource,
		newAccessAuthorizationsDataSource,
		newTenantReadinessDataSource,
	}
}

func (p *o365pamProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newAccessRequestEphemeral,
	}
}

// ListResources serve `terraform query` (Terraform 1.14+).
func (p *o365pamProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		newApproverGroupList,
		newPrivilegedAccessList,
		newApprovalPolicyList,
	}
}

// Actions run only when invoked (Terraform 1.14+), never during plan.
func (p *o365pamProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		newRequestAccessAction,
		newApproveAccessRequestAction,
		newDenyAccessRequestAction,
	}
}
