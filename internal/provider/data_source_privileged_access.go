package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ datasource.DataSourceWithConfigure = (*privilegedAccessDataSource)(nil)

func newPrivilegedAccessDataSource() datasource.DataSource { return &privilegedAccessDataSource{} }

type privilegedAccessDataSource struct{ tenantBinding }

type privilegedAccessDataModel struct {
	TenantID             types.String `tfsdk:"tenant_id"`
	ID                   types.String `tfsdk:"id"`
	Enabled              types.Bool   `tfsdk:"enabled"`
	DefaultApproverGroup types.String `tfsdk:"default_approver_group"`
	SystemAccounts       types.Set    `tfsdk:"system_accounts"`
}

// privilegedAccessData converts the service's setting; what the service does not report is null.
func privilegedAccessData(status pamtenant.PrivilegedAccessStatus, tenantID string) privilegedAccessDataModel {
	m := privilegedAccessDataModel{
		ID:                   types.StringValue(tenantID),
		TenantID:             types.StringValue(tenantID),
		Enabled:              types.BoolValue(status.Enabled),
		DefaultApproverGroup: types.StringNull(),
		SystemAccounts:       types.SetNull(types.StringType),
	}
	if status.AdminGroup != "" {
		m.DefaultApproverGroup = types.StringValue(status.AdminGroup)
	}
	if len(status.SystemAccounts) > 0 {
		m.SystemAccounts = setOfStrings(status.SystemAccounts)
	}
	return m
}

func (d *privilegedAccessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_privileged_access"
}

func (d *privilegedAccessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Whether privileged access management is enabled for a tenant (by default the provider's), as Exchange Online reports it.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": dataTenantIDAttribute(),
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's GUID, as `tenant_id`.",
			},
			"enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether privileged access management is on.",
			},
			"default_approver_group": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Primary SMTP address of the default approver group. Exchange is not known to " +
					"report it, so this is null unless the service exposes it.",
			},
			"system_accounts": schema.SetAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "UPNs of the accounts privileged access does not apply to. Exchange is not known " +
					"to report them, so this is null unless the service exposes them.",
			},
		},
	}
}

func (d *privilegedAccessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *privilegedAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config privilegedAccessDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.tenants.tenantAt(ctx, pathTenantID, "data source o365pam_privileged_access", config.TenantID, &resp.Diagnostics)
	if c == nil {
		return
	}
	status, err := c.tenant.PrivilegedAccess(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read whether privileged access is enabled", err, "")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, privilegedAccessData(status, c.tenantID))...)
}
