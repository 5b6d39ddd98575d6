package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identities (Terraform 1.12+) name each object by what never changes while it exists, so
// that `import { identity = {...} }` and `terraform query` can name it: an approver group by its
// Exchange GUID (its address can change in place), privileged access by the tenant, and an approval
// policy by its task (its GUID changes whenever a change of settings re-creates it). Each carries
// the tenant's GUID, since a task name or a privileged access setting exists in every tenant; an
// import block that gives it must name the provider's tenant.

var (
	_ resource.ResourceWithIdentity = (*approverGroupResource)(nil)
	_ resource.ResourceWithIdentity = (*privilegedAccessResource)(nil)
	_ resource.ResourceWithIdentity = (*approvalPolicyResource)(nil)
)

type approverGroupIdentity struct {
	ID       types.String `tfsdk:"id"`
	TenantID types.String `tfsdk:"tenant_id"`
}

type privilegedAccessIdentity struct {
	TenantID types.String `tfsdk:"tenant_id"`
}

type approvalPolicyIdentity struct {
	Task     types.String `tfsdk:"task"`
	TenantID types.String `tfsdk:"tenant_id"`
}

// identityTenant is the tenant_id of every identity: optional in an import block, where it must
// name the provider's tenant.
var identityTenant = identityschema.StringAttribute{OptionalForImport: true,
	Description: "The GUID of the tenant the object belongs to. Optional in an import block; when given it must " +
		"name the tenant the provider is configured for (its GUID or initial domain)."}

func (r *approverGroupResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true, Description: "The group's Exchange GUID. An " +
			"import block may give the group's primary SMTP address instead; the identity then records the GUID."},
		"tenant_id": identityTenant,
	}}
}

func (r *privilegedAccessResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"tenant_id": identityschema.StringAttribute{RequiredForImport: true,
			Description: "The tenant id (GUID) or initial domain of the tenant the provider is configured for."},
	}}
}

func (r *approvalPolicyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"task": identityschema.StringAttribute{RequiredForImport: true,
			Description: "The task the policy guards, as Exchange\\<Verb>-<Noun>; a tenant has one policy per task."},
		"tenant_id": identityTenant,
	}}
}

// recordIdentity stores an object's identity unless it has one already. Terraform refuses an
// identity that changes, so the first one stored stays, whatever spelling later reads show.
func recordIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, value any, diags *diag.Diagnostics) {
	if identity == nil || !identity.Raw.IsFullyNull() {
		return
	}
	diags.Append(identity.Set(ctx, value)...)
}

// importKey is what an import names the object by: the id of `terraform import` or of an import
// block, or else the named attribute of an import block's identity.
func importKey(ctx context.Context, req resource.ImportStateRequest, attr string, diags *diag.Diagnostics) string {
	if req.ID != "" || req.Identity == nil {
		return strings.TrimSpace(req.ID)
	}
	var v types.String
	diags.Append(req.Identity.GetAttribute(ctx, path.Root(attr), &v)...)
	return strings.TrimSpace(v.ValueString())
}

// importTarget is the tenant and the key an import names the object by. An id (of `terraform
// import` or an import block) may start with the tenant's GUID and a slash; an identity names the
// tenant in its tenant_id. Either way, no tenant named means the provider's own. It returns a nil
// tenant after a diagnostic.
func (p *tenantPool) importTarget(ctx context.Context, req resource.ImportStateRequest, attr string, diags *diag.Diagnostics) (*tenantClient, string) {
	if req.ID != "" || req.Identity == nil {
		tenant, key := splitTenantPrefix(strings.TrimSpace(req.ID))
		return p.tenantAt(ctx, pathTenantID, "object to import", tenant, diags), key
	}
	key := importKey(ctx, req, attr, diags)
	var tenant types.String
	diags.Append(req.Identity.GetAttribute(ctx, pathTenantID, &tenant)...)
	if diags.HasError() {
		return nil, ""
	}
	named := strings.TrimSpace(tenant.ValueString())
	switch {
	case tenant.IsNull() || (p.home != nil && p.home.namesThisTenant(named)):
		tenant = types.StringNull()
	case !tenantGUIDPattern.MatchString(strings.ToLower(named)):
		home := "The provider names no tenant of its own"
		if p.home != nil {
			home = fmt.Sprintf("The provider is configured for tenant %s (%s)", p.home.tenantID, p.home.organization)
		}
		diags.AddAttributeError(pathTenantID, "Import identity names another tenant",
			fmt.Sprintf("The import block's identity names tenant %q. %s. Name another tenant by its GUID in "+
				"the identity's tenant_id, or import the object through a provider configured for that tenant.", named, home))
		return nil, ""
	default:
		tenant = types.StringValue(strings.ToLower(named))
	}
	return p.tenantAt(ctx, pathTenantID, "object to import", tenant, diags), key
}

// splitTenantPrefix splits "<tenant GUID>/<key>" into the tenant and the key; an id without the
// prefix names the provider's tenant (null).
func splitTenantPrefix(id string) (types.String, string) {
	tenant, key, found := strings.Cut(id, "/")
	if !found || !tenantGUIDPattern.MatchString(strings.ToLower(tenant)) {
		return types.StringNull(), id
	}
	return types.StringValue(strings.ToLower(tenant)), strings.TrimSpace(key)
}

// setIdentity replaces an identity, for an import that found the object the user named in
// another spelling.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, value any, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, value)...)
	}
}

func (r *privilegedAccessResource) identity() privilegedAccessIdentity {
	return privilegedAccessIdentity{TenantID: types.StringValue(r.client.tenantID)}
}

func (r *approverGroupResource) identity(id types.String) approverGroupIdentity {
	return approverGroupIdentity{ID: id, TenantID: types.StringValue(r.client.tenantID)}
}

func (r *approvalPolicyResource) identity(task types.String) approvalPolicyIdentity {
	return approvalPolicyIdentity{Task: task, TenantID: types.StringValue(r.client.tenantID)}
}
