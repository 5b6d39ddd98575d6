package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ datasource.DataSourceWithConfigure = (*tenantReadinessDataSource)(nil)

func newTenantReadinessDataSource() datasource.DataSource { return &tenantReadinessDataSource{} }

type tenantReadinessDataSource struct{ tenantBinding }

type tenantReadinessModel struct {
	TenantID                types.String `tfsdk:"tenant_id"`
	Organization            types.String `tfsdk:"organization"`
	PrivilegedAccessEnabled types.Bool   `tfsdk:"privileged_access_enabled"`
	ApprovalPolicies        types.Int64  `tfsdk:"approval_policies"`
	ApprovalPolicyLimit     types.Int64  `tfsdk:"approval_policy_limit"`
	Licensed                types.Bool   `tfsdk:"licensed"`
	Licences                types.Set    `tfsdk:"licences"`
	RoleManagement          types.Bool   `tfsdk:"role_management"`
	Ready                   types.Bool   `tfsdk:"ready"`
	Problems                types.List   `tfsdk:"problems"`
}

// tenantReadiness converts what the tenant showed. A part that could not be read is null and
// becomes a problem; so does every check that failed, in a fixed order. Privileged access being
// off is no problem: the baseline turns it on.
func tenantReadiness(r pamtenant.Readiness, tenantID, organization string) tenantReadinessModel {
	m := unreadReadiness(tenantID)
	m.Organization = types.StringValue(organization)
	var problems []string
	if r.PrivilegedAccessErr != nil {
		problems = append(problems, unreadable("Whether privileged access is on (Exchange's organization configuration)", r.PrivilegedAccessErr))
	} else {
		m.PrivilegedAccessEnabled = types.BoolValue(r.PrivilegedAccess.Enabled)
	}

	if r.SubscribedErr != nil {
		problems = append(problems, unreadable("The tenant's subscriptions (Microsoft Graph)", r.SubscribedErr))
	} else {
		qualifying := pamtenant.PAMSkus(r.Subscribed)
		m.Licensed = types.BoolValue(len(qualifying) > 0)
		m.Licences = setOfStrings(skuPartNumbers(qualifying))
		if len(qualifying) == 0 {
			problems = append(problems, fmt.Sprintf("No subscription of the tenant includes privileged access management "+
				"(it has: %s). Subscribe to a qualifying licence (%s) and assign it to the people who request or approve "+
				"access, then plan again.", skuNames(r.Subscribed), pamtenant.PAMLicenceNames))
		}
	}

	if r.PoliciesErr != nil {
		problems = append(problems, unreadable("The tenant's approval policies", r.PoliciesErr))
	} else {
		m.ApprovalPolicies = types.Int64Value(int64(r.Policies))
		if r.Policies >= maxApprovalPolicies {
			problems = append(problems, fmt.Sprintf("The tenant holds %d approval policies, the most Exchange allows in "+
				"one organization (%d), so no policy can be added. Remove policies it no longer needs, then plan again.",
				r.Policies, maxApprovalPolicies))
		}
	}

	switch {
	case r.RoleErr != nil:
		problems = append(problems, unreadable("Whether the signed-in identity holds the Exchange role Role Management", r.RoleErr))
	case !r.Role.Known:
		problems = append(problems, fmt.Sprintf("Whether the app %s may manage privileged access cannot be told: its "+
			"token lists no Entra roles, and Exchange lists no assignment of the role Role Management for it. Assign the "+
			"app the Entra role Exchange Administrator (it also needs the Exchange.ManageAsApp permission), then plan again.",
			r.Role.Caller))
	default:
		m.RoleManagement = types.BoolValue(r.Role.Held)
		if !r.Role.Held {
			problems = append(problems, roleMissing(r.Role))
		}
	}

	m.Ready = types.BoolValue(len(problems) == 0)
	m.Problems = problemList(problems)
	return m
}

func problemList(problems []string) types.List {
	elems := make([]attr.Value, len(problems))
	for i, p := range problems {
		elems[i] = types.StringValue(p)
	}
	return types.ListValueMust(types.StringType, elems)
}

// unreadable is the problem of a part that could not be read: the service's answer (with its
// request id) and what to check.
func unreadable(what string, err error) string {
	text := fmt.Sprintf("%s could not be read: %s.", what, strings.TrimSuffix(err.Error(), "."))
	if hint := serviceErrorHint(err); hint != "" {
		text += " " + hint
	}
	return text
}

// roleMissing says what the caller lacks to manage privileged access, and how to grant it.
func roleMissing(h pamtenant.RoleHolding) string {
	if h.App {
		return fmt.Sprintf("The app %s holds neither the Entra role Exchange Administrator (or Global Administrator) nor "+
			"an Exchange assignment of the role Role Management, which managing privileged access needs. Assign the app "+
			"the Entra role Exchange Administrator, then plan again.", h.Caller)
	}
	return fmt.Sprintf("%s does not hold the Exchange role Role Management, which managing privileged access needs. "+
		"Add the account to the Organization Management role group in the Exchange admin center (or give it the Entra "+
		"role Exchange Administrator), then plan again.", h.Caller)
}

func skuPartNumbers(skus []pamtenant.Sku) []string {
	out := make([]string, len(skus))
	for i, sku := range skus {
		out[i] = sku.SkuPartNumber
	}
	return out
}

func (d *tenantReadinessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_tenant_readiness"
}

func (d *tenantReadinessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Whether a tenant can take privileged access management, read before a configuration " +
			"changes it: its subscriptions, its approval policies against Exchange's limit, and the rights of the " +
			"identity the provider signs in as. A check that cannot be read (a permission refused, a service error) is " +
			"one of `problems`, not an error, so that a plan over many tenants reports each of them; a failed sign-in " +
			"is an error. It costs the same few reads whatever the tenant's size, and shares them with the resources " +
			"of the same tenant.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The tenant's GUID, in lower case. Unset, the tenant the provider is configured " +
					"for; it must be that tenant for now.",
				Validators: []validator.String{tenantGUIDValidator()},
			},
			"organization": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's initial domain, such as `contoso.onmicrosoft.com`.",
			},
			"privileged_access_enabled": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether privileged access management is on. Off is not a problem: " +
					"`o365pam_privileged_access` turns it on. Null when it could not be read.",
			},
			"approval_policies": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "How many approval policies the tenant holds. Null when they could not be read.",
			},
			"approval_policy_limit": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The most approval policies Exchange allows in one organization. A tenant that " +
					"holds this many is not ready: no policy can be added.",
			},
			"licensed": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the tenant subscribes to a licence that includes privileged access " +
					"management (" + pamtenant.PAMLicenceNames + "). Who holds the licences is not read here: the " +
					"approver group's `unlicensed_members` tells it for approvers. Null when the subscriptions could not be read.",
			},
			"licences": schema.SetAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "SKU part numbers of the tenant's subscriptions that include privileged access " +
					"management, such as `SPE_E5`. Null when the subscriptions could not be read.",
			},
			"role_management": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the identity the provider signs in as may manage privileged access: it " +
					"holds the Entra role Exchange Administrator or Global Administrator (as its token lists them), or " +
					"Exchange lists an assignment of the role Role Management for it, directly or through a role group " +
					"such as Organization Management. Null when that cannot be told, for example for an app whose token " +
					"lists no Entra roles and that Exchange does not know.",
			},
			"ready": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether every check passed, so `problems` is empty.",
			},
			"problems": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Each check that failed or could not be read, in a sentence that says what to do: " +
					"no qualifying subscription, the policy limit reached, the signed-in identity without the rights, " +
					"or a read that failed (with the service's answer). Empty when the tenant is ready.",
			},
		},
	}
}

func (d *tenantReadinessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.configure(req.ProviderData, &resp.Diagnostics)
}

func (d *tenantReadinessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config tenantReadinessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.tenants == nil {
		resp.Diagnostics.AddError("Provider not configured", "The o365pam provider must be configured before this data source is read.")
		return
	}
	requested := ""
	if !config.TenantID.IsNull() && !config.TenantID.IsUnknown() {
		requested = config.TenantID.ValueString()
	}
	// A tenant that cannot be signed in to is not ready, which is what a fleet's readiness report
	// must say of it; only a configuration naming no tenant at all is an error.
	c, err := d.tenants.client(ctx, requested)
	if errors.Is(err, errNoTenant) {
		d.tenants.tenantAt(ctx, pathTenantID, "data source o365pam_tenant_readiness", config.TenantID, &resp.Diagnostics)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, unreachableTenant(requested, err))...)
		return
	}
	r := c.tenant.Readiness(ctx)
	for _, err := range []error{r.PrivilegedAccessErr, r.SubscribedErr, r.PoliciesErr, r.RoleErr} {
		var signIn *auth.SignInError
		if errors.As(err, &signIn) {
			resp.Diagnostics.Append(resp.State.Set(ctx, unreachableTenant(c.tenantID, err))...)
			return
		}
		if err != nil && ctx.Err() != nil {
			addServiceError(&resp.Diagnostics, "read whether tenant "+c.tenantID+" is ready for privileged access", err, "")
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tenantReadiness(r, c.tenantID, c.organization))...)
}

// unreachableTenant is the readiness of a tenant the provider cannot sign in to: not ready, with
// the sign-in error as its problem and nothing else known.
func unreachableTenant(tenantID string, err error) tenantReadinessModel {
	m := unreadReadiness(tenantID)
	m.Ready = types.BoolValue(false)
	m.Problems = problemList([]string{fmt.Sprintf("The provider cannot sign in to tenant %s: consent the app in the "+
		"tenant and give it its Exchange role there (see the guide \"Manage many tenants\"), or correct the "+
		"credentials. %s", tenantID, err)})
	return m
}

// unreadReadiness is a tenant's readiness before anything is read: every finding null.
func unreadReadiness(tenantID string) tenantReadinessModel {
	return tenantReadinessModel{
		TenantID:                types.StringValue(strings.ToLower(tenantID)),
		Organization:            types.StringNull(),
		PrivilegedAccessEnabled: types.BoolNull(),
		ApprovalPolicies:        types.Int64Null(),
		ApprovalPolicyLimit:     types.Int64Value(maxApprovalPolicies),
		Licensed:                types.BoolNull(),
		Licences:                types.SetNull(types.StringType),
		RoleManagement:          types.BoolNull(),
	}
}
