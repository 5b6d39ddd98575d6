package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every resource records the GUID of the tenant its object lives in, and refuses to read, plan,
// change or destroy it while the provider points at another tenant: a state written for one
// tenant must never act on another's objects (a CI variable mixed up is enough for that).

var pathTenantID = path.Root("tenant_id")

// tenantIDAttribute is every resource's tenant_id.
func tenantIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The GUID of the tenant this object belongs to, recorded when it is created or imported " +
			"(also when the provider's `tenant_id` names the tenant by a domain). While the provider is configured for " +
			"another tenant, every plan, apply and destroy of this resource is refused. State written by provider " +
			"versions without this attribute takes the configured tenant at the first refresh.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// stateTenant is the tenant a resource's state belongs to: the one it records, or, for state
// written before tenant_id existed (null), the provider's tenant.
func (c *tenantClient) stateTenant(recorded types.String) types.String {
	if recorded.IsNull() || recorded.IsUnknown() || recorded.ValueString() == "" {
		return types.StringValue(c.tenantID)
	}
	return recorded
}

// checkTenant refuses to act on an object whose state belongs to another tenant than the one the
// provider is configured for. object names the resource ("approver group \"PAM Approvers\"").
func (c *tenantClient) checkTenant(object string, recorded types.String, diags *diag.Diagnostics) bool {
	return c.checkTenantAt(pathTenantID, object, recorded, diags)
}

// checkTenantAt is checkTenant for a resource that records its tenant in the attribute at attr.
func (c *tenantClient) checkTenantAt(attr path.Path, object string, recorded types.String, diags *diag.Diagnostics) bool {
	if c == nil {
		return true
	}
	tenant := c.stateTenant(recorded).ValueString()
	if strings.EqualFold(tenant, c.tenantID) {
		return true
	}
	diags.AddAttributeError(attr, "Object belongs to another tenant",
		fmt.Sprintf("The %s in state belongs to tenant %s, but the provider is configured for tenant %s (%s). "+
			"Terraform does not read, change or destroy an object through another tenant, so nothing was sent.\n\n"+
			"If the provider points at the wrong tenant, correct its tenant_id (or ARM_TENANT_ID) and credentials, "+
			"then plan again. If this configuration is meant to manage tenant %s now, take the object out of this "+
			"state without destroying it (a `removed` block with `lifecycle { destroy = false }`, or `terraform state rm`), "+
			"then import the object of tenant %s.",
			object, tenant, c.tenantID, c.organization, c.tenantID, c.tenantID))
	return false
}

// namesThisTenant reports whether s names the provider's tenant: its GUID, its initial domain or
// the tenant as the configuration named it.
func (c *tenantClient) namesThisTenant(s string) bool {
	for _, name := range []string{c.tenantID, c.organization, c.configuredTenant} {
		if name != "" && strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}
