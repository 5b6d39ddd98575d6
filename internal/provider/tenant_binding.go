package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every object lives in one tenant: the one its tenant_id names, or the provider's own. Resources
// record the tenant's GUID in state and reach the object only through that tenant, so a state can
// never act on another tenant's objects, and an object never moves between tenants: a new
// tenant_id replaces it.

var pathTenantID = path.Root("tenant_id")

// tenantGUIDPattern is a GUID as Entra writes tenant ids: the only name of a tenant that no other
// tenant can ever hold, which state needs to tell where an object lives.
var tenantGUIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func tenantGUIDValidator() validator.String {
	return stringvalidator.RegexMatches(tenantGUIDPattern, "must be the tenant's GUID in lower case, "+
		"such as 7f3c2a51-0d4e-4b8a-9c61-2e5f8d9b1a47 (Entra admin center, Overview, Tenant ID)")
}

// tenantIDDescription says what every tenant_id of a resource, data source, list, ephemeral
// resource and action means.
const tenantIDDescription = "The GUID of the tenant this object lives in. Defaults to the provider's tenant. " +
	"One provider configuration can so manage many tenants with one credential (an app consented in each " +
	"tenant); see the guide \"Manage many tenants\"."

// tenantIDAttribute is every resource's tenant_id.
func tenantIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		Computed: true,
		MarkdownDescription: tenantIDDescription + " State records the GUID also when the provider names its tenant " +
			"by a domain. Changing it replaces the object: the old one is removed from its own tenant and a new one " +
			"created in the other. While the configuration leaves it unset, an object recorded in another tenant than " +
			"the provider's is refused, so a provider pointed at the wrong tenant changes nothing.",
		Validators: []validator.String{tenantGUIDValidator()},
		PlanModifiers: []planmodifier.String{
			stringplanmodifier.UseStateForUnknown(),
			stringplanmodifier.RequiresReplaceIf(tenantChanged, "A new tenant_id replaces the object.",
				"A new `tenant_id` replaces the object."),
		},
	}
}

// tenantChanged reports a configured tenant_id other than the one state records. An unset one is
// settled by the resource's plan (tenantForPlan), which refuses rather than replaces.
func tenantChanged(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.ConfigValue.IsNull() && !req.StateValue.IsNull() && req.StateValue.ValueString() != "" &&
		!strings.EqualFold(req.ConfigValue.ValueString(), req.StateValue.ValueString())
}

// recordedTenant is the tenant a state belongs to: the GUID it records, or empty (the provider's
// own tenant) for state written before tenant_id existed.
func recordedTenant(recorded types.String) types.String {
	if recorded.IsUnknown() || recorded.ValueString() == "" {
		return types.StringNull()
	}
	return recorded
}

// tenantOf is the tenant an object's state or settled plan records, for creates, updates and
// destroys, whatever the provider points at now.
func (p *tenantPool) tenantOf(ctx context.Context, object string, recorded types.String, diags *diag.Diagnostics) *tenantClient {
	return p.tenantAt(ctx, pathTenantID, object, recordedTenant(recorded), diags)
}

// tenantForPlan settles the tenant of a planned object and writes its GUID into the plan's
// tenant_id: the configured one, else the one state records, else the provider's own. With
// tenant_id unset, a state recorded in another tenant than the provider's is refused: the provider
// probably points at the wrong tenant, and nothing is sent. A destroy goes to the recorded tenant.
// recorded is the state's tenant_id (null when there is no state). A tenant that cannot be reached
// is reported as a refresh reports it (tenantToRefresh).
func (p *tenantPool) tenantForPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, object string, recorded types.String) *tenantClient {
	var configured types.String
	recorded = recordedTenant(recorded)
	if req.Plan.Raw.IsNull() {
		return p.tenantToRefresh(ctx, object, recorded, &resp.Diagnostics)
	}
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, pathTenantID, &configured)...)
	if resp.Diagnostics.HasError() || configured.IsUnknown() {
		return nil
	}
	tenant := configured
	if tenant.IsNull() {
		tenant = recorded
		if !recorded.IsNull() && p.home != nil && !strings.EqualFold(recorded.ValueString(), p.home.tenantID) {
			p.refuseOtherTenant(object, recorded.ValueString(), &resp.Diagnostics)
			return nil
		}
	}
	c := p.tenantToRefresh(ctx, object, tenant, &resp.Diagnostics)
	if c != nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, pathTenantID, c.tenantID)...)
	}
	return c
}

// refuseOtherTenant refuses a state of another tenant than the provider's for an object whose
// configuration names no tenant.
func (p *tenantPool) refuseOtherTenant(object, recorded string, diags *diag.Diagnostics) {
	home := p.home
	diags.AddAttributeError(pathTenantID, "Object belongs to another tenant",
		fmt.Sprintf("The %s in state belongs to tenant %s, but the provider is configured for tenant %s (%s) and the "+
			"configuration names no tenant_id. Terraform does not move an object between tenants, so nothing was sent.\n\n"+
			"If the provider points at the wrong tenant, correct its tenant_id (or ARM_TENANT_ID) and credentials, then plan "+
			"again. If the object is meant to stay in tenant %s, set tenant_id = %q on it. If this configuration is meant "+
			"to manage tenant %s now, take the object out of this state without destroying it (a `removed` block with "+
			"`lifecycle { destroy = false }`, or `terraform state rm`), then import the object of tenant %s.",
			object, recorded, home.tenantID, home.organization, recorded, recorded, home.tenantID, home.tenantID))
}

// namesThisTenant reports whether s names this tenant: its GUID, its initial domain or the tenant
// as the configuration named it.
func (c *tenantClient) namesThisTenant(s string) bool {
	for _, name := range []string{c.tenantID, c.organization, c.configuredTenant} {
		if name != "" && strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// dataTenantIDAttribute is the tenant_id of every data source.
func dataTenantIDAttribute() dsschema.StringAttribute {
	return dsschema.StringAttribute{
		Optional: true, Computed: true,
		MarkdownDescription: tenantIDDescription + " Read back as the GUID.",
		Validators:          []validator.String{tenantGUIDValidator()},
	}
}
