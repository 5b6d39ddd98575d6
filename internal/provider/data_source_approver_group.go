package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var (
	_ datasource.DataSourceWithConfigure        = (*approverGroupDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*approverGroupDataSource)(nil)
)

func newApproverGroupDataSource() datasource.DataSource { return &approverGroupDataSource{} }

type approverGroupDataSource struct{ tenantBinding }

type approverGroupDataModel struct {
	TenantID types.String `tfsdk:"tenant_id"`
	approverGroupAttributes
}

// approverGroupData converts a snapshot as the resource does, keeping the looked-up values as the
// configuration wrote them.
func approverGroupData(ctx context.Context, s pamtenant.GroupSnapshot, config approverGroupDataModel, diags *diag.Diagnostics) approverGroupDataModel {
	g := groupModel(ctx, s, approverGroupModel{}, diags)
	m := approverGroupDataModel{TenantID: config.TenantID, approverGroupAttributes: g.approverGroupAttributes}
	if !config.ID.IsNull() {
		m.ID = config.ID
	}
	if !config.PrimarySMTPAddress.IsNull() {
		m.PrimarySMTPAddress = config.PrimarySMTPAddress
	}
	return m
}

// recipientKinds names the group-like recipient types a user may mistake for an approver group.
var recipientKinds = map[string]string{
	pamtenant.RecipientTypeDistributionList:    "distribution list",
	pamtenant.RecipientTypeDynamicDistribution: "dynamic distribution group",
	pamtenant.RecipientTypeGroupMailbox:        "Microsoft 365 group",
	pamtenant.RecipientTypeNonUniversalGroup:   "non-universal mail-enabled group",
	pamtenant.RecipientTypeRoomList:            "room list",
}

// notSecurityGroupDetail says what a group is instead of a mail-enabled security group.
func notSecurityGroupDetail(lookup string, g pamtenant.DistributionGroup) string {
	kind := recipientKinds[g.RecipientTypeDetails]
	if kind == "" {
		kind = "recipient"
	}
	return fmt.Sprintf("%s is a %s (%s), not a mail-enabled security group (%s). Only mail-enabled security groups "+
		"can approve privileged access requests; look up another group, or create one with o365pam_approver_group.",
		lookup, kind, g.RecipientTypeDetails, pamtenant.RecipientTypeSecurityGroup)
}

func (d *approverGroupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approver_group"
}

func (d *approverGroupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	people := func(desc string) schema.SetAttribute {
		return schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an existing approver group, a mail-enabled security group, by its primary " +
			"SMTP address or its GUID. Fails when the group is another kind of group.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": dataTenantIDAttribute(),
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The group's Exchange GUID. Set exactly one of `id` and `primary_smtp_address`.",
			},
			"primary_smtp_address": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The group's primary e-mail address. Set exactly one of `id` and `primary_smtp_address`.",
				Validators:          []validator.String{addressValidator()},
			},
			"object_id":    computed("The group's Microsoft Entra object id."),
			"name":         computed("The group's unique name."),
			"display_name": computed("The name shown in address lists."),
			"alias":        computed("The group's Exchange alias."),
			"description":  computed("The group's description; null when it has none."),
			"members":      people("The group's members, the approvers: users by UPN, nested groups and mail contacts by SMTP address."),
			"owners":       people("UPNs of the group's owners (Exchange's `ManagedBy`)."),
		},
	}
}

func (d *approverGroupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("primary_smtp_address")),
	}
}

func (d *approverGroupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *approverGroupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config approverGroupDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.dataTenant(ctx, "data source o365pam_approver_group", &config.TenantID, &resp.Diagnostics)
	if c == nil {
		return
	}
	lookup := config.PrimarySMTPAddress.ValueString()
	if lookup == "" {
		lookup = config.ID.ValueString()
	}
	snap, err := c.tenant.GroupSnapshot(ctx, lookup, "")
	if apierr.IsNotFound(err) {
		resp.Diagnostics.AddError("No such group",
			fmt.Sprintf("Exchange has no group %q. Check the primary SMTP address or GUID.", lookup))
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "read group "+lookup, err, "")
		return
	}
	if !snap.Group.IsSecurityGroup() {
		resp.Diagnostics.AddError("Not a mail-enabled security group", notSecurityGroupDetail(lookup, snap.Group))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, approverGroupData(ctx, *snap, config, &resp.Diagnostics))...)
}
