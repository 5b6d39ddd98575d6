package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// listedObject is one object a list resource found: how `terraform query` shows it, its identity,
// and the resource attributes that config generation writes (unset ones stay null).
type listedObject struct {
	displayName string
	identity    any
	attributes  map[string]attr.Value
}

// listResults streams found objects as Terraform wants them, the resource only when it asks for
// it, and stops at the request's limit.
func listResults(ctx context.Context, req list.ListRequest, objects []listedObject) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		for i, o := range objects {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = o.displayName
			result.Diagnostics.Append(result.Identity.Set(ctx, o.identity)...)
			if req.IncludeResource {
				for name, v := range o.attributes {
					result.Diagnostics.Append(result.Resource.SetAttribute(ctx, path.Root(name), v)...)
				}
			}
			if !push(result) {
				return
			}
		}
	}
}

// listFailed ends a list with one error, as addServiceError words it.
func listFailed(stream *list.ListResultsStream, action string, err error) {
	var diags diag.Diagnostics
	addServiceError(&diags, action, err, "")
	stream.Results = list.ListResultsStreamDiagnostics(diags)
}

// listTenant is the tenant a list searches: the tenant_id of its config, else the provider's own.
// Without one it ends the list with an error and returns nil.
func listTenant(ctx context.Context, p *tenantPool, req list.ListRequest, stream *list.ListResultsStream) *tenantClient {
	var diags diag.Diagnostics
	var tenant types.String
	diags.Append(req.Config.GetAttribute(ctx, pathTenantID, &tenant)...)
	var c *tenantClient
	if !diags.HasError() {
		c = p.tenantAt(ctx, pathTenantID, "list", tenant, &diags)
	}
	if c == nil {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
	}
	return c
}

// listConfigSchema is a list's config: the tenant to search.
func listConfigSchema(description string) listschema.Schema {
	return listschema.Schema{
		MarkdownDescription: description,
		Attributes: map[string]listschema.Attribute{
			"tenant_id": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The GUID of the tenant to search. Defaults to the provider's tenant.",
				Validators:          []validator.String{tenantGUIDValidator()},
			},
		},
	}
}
