package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ list.ListResourceWithConfigure = (*privilegedAccessList)(nil)

// privilegedAccessList finds privileged access when it is on: one object per tenant, or none.
type privilegedAccessList struct{ privilegedAccessResource }

func newPrivilegedAccessList() list.ListResource { return &privilegedAccessList{} }

func (l *privilegedAccessList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listConfigSchema("Finds privileged access management of the configured tenant when it is on, for " +
		"`terraform query` (Terraform 1.14 or later), with one Exchange call; nothing when it is off. Exchange " +
		"is not known to report the default approver group or the system accounts, so configuration generated " +
		"from the result leaves them unset, which keeps the settings in place (see `o365pam_privileged_access`).")
}

func (l *privilegedAccessList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	c := listTenant(ctx, l.tenants, req, stream)
	if c == nil {
		return
	}
	status, err := c.tenant.PrivilegedAccess(ctx)
	if err != nil {
		listFailed(stream, "read whether privileged access is enabled", err)
		return
	}
	var objects []listedObject
	if status.Enabled {
		objects = append(objects, listedObject{
			displayName: "privileged access of " + c.organization,
			identity:    inTenant(&l.privilegedAccessResource, c).identity(),
			attributes: map[string]attr.Value{
				"id":        types.StringValue(c.tenantID),
				"tenant_id": types.StringValue(c.tenantID),
				"enabled":   types.BoolValue(true),
			},
		})
	}
	stream.Results = listResults(ctx, req, objects)
}
