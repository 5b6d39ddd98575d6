package provider

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
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

// listReady reports whether a list can run; without a client (the provider block could not be
// configured) it ends the list with an error.
func listReady(c *tenantClient, stream *list.ListResultsStream) bool {
	if c != nil {
		return true
	}
	var diags diag.Diagnostics
	diags.AddError("Provider not configured", "The o365pam provider must be configured before a list runs; "+
		"see the errors about its configuration.")
	stream.Results = list.ListResultsStreamDiagnostics(diags)
	return false
}
