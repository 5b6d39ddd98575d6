package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ datasource.DataSourceWithConfigure = (*approvalPoliciesDataSource)(nil)

func newApprovalPoliciesDataSource() datasource.DataSource { return &approvalPoliciesDataSource{} }

type approvalPoliciesDataSource struct{ tenantBinding }

type approvalPoliciesModel struct {
	TenantID      types.String         `tfsdk:"tenant_id"`
	Task          types.String         `tfsdk:"task"`
	ApproverGroup types.String         `tfsdk:"approver_group"`
	Policies      []approvalPolicyItem `tfsdk:"policies"`
}

type approvalPolicyItem struct {
	ID            types.String `tfsdk:"id"`
	Task          types.String `tfsdk:"task"`
	ApprovalType  types.String `tfsdk:"approval_type"`
	ApproverGroup types.String `tfsdk:"approver_group"`
}

func policyItem(p pamtenant.ApprovalPolicy) approvalPolicyItem {
	return approvalPolicyItem{
		ID:            types.StringValue(p.Identity),
		Task:          types.StringValue(p.Task),
		ApprovalType:  types.StringValue(p.ApprovalType),
		ApproverGroup: types.StringValue(p.ApproverGroup),
	}
}

// selectPolicies keeps the policies that pass the filters, ordered by task.
func selectPolicies(policies []pamtenant.ApprovalPolicy, task, group types.String) []approvalPolicyItem {
	items := []approvalPolicyItem{}
	for _, p := range policies {
		if matchesFilter(task, p.Task) && matchesFilter(group, p.ApproverGroup) {
			items = append(items, policyItem(p))
		}
	}
	sort.Slice(items, func(i, j int) bool {
		return strings.ToLower(items[i].Task.ValueString()) < strings.ToLower(items[j].Task.ValueString())
	})
	return items
}

func (d *approvalPoliciesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approval_policies"
}

func (d *approvalPoliciesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's approval policies, optionally filtered. With Terraform 1.7 or later, use " +
			"it with `for_each` in an `import` block to adopt the policies of an existing tenant.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": dataTenantIDAttribute(),
			"task": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the policy for this task, as `Exchange\\<Verb>-<Noun>`. Compared without " +
					"regard to case.",
				Validators: []validator.String{taskValidator{}},
			},
			"approver_group": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only policies approved by this group (primary SMTP address). Compared without regard to case.",
				Validators:          []validator.String{addressValidator()},
			},
			"policies": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching policies, ordered by task.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             computed("The policy's GUID; the import id of `o365pam_approval_policy`."),
					"task":           computed("The Exchange task the policy guards."),
					"approval_type":  computed("`Manual` or `Auto`."),
					"approver_group": computed("Primary SMTP address of the group that approves requests."),
				}},
			},
		},
	}
}

func (d *approvalPoliciesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *approvalPoliciesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m approvalPoliciesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := d.dataTenant(ctx, "data source o365pam_approval_policies", &m.TenantID, &resp.Diagnostics)
	if c == nil {
		return
	}
	policies, err := c.tenant.ApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "list approval policies", err, "")
		return
	}
	m.Policies = selectPolicies(policies, m.Task, m.ApproverGroup)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
