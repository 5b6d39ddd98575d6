package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ list.ListResourceWithConfigure = (*approverGroupList)(nil)

// approverGroupList finds the tenant's mail-enabled security groups for `terraform query`. It
// borrows the resource's name and client.
type approverGroupList struct{ approverGroupResource }

func newApproverGroupList() list.ListResource { return &approverGroupList{} }

func (l *approverGroupList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listConfigSchema("Finds the tenant's mail-enabled security groups, the kind of group that can approve " +
		"privileged access requests, for `terraform query` (Terraform 1.14 or later). One Exchange call lists " +
		"them (one per page of the answer), at most the list block's `limit`.\n\n" +
		"Members and owners come from Microsoft Graph and are not read here, so configuration generated from the " +
		"results (`-generate-config-out`) leaves `members` and `owners` unset: Terraform then reports them without " +
		"managing them. Add them to the generated blocks to manage them.")
}

func (l *approverGroupList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	c := listTenant(ctx, l.tenants, req, stream)
	if c == nil {
		return
	}
	groups, err := c.tenant.SecurityGroups(ctx, int(req.Limit))
	if err != nil {
		listFailed(stream, "list the mail-enabled security groups", err)
		return
	}
	objects := make([]listedObject, 0, len(groups))
	for _, g := range groups {
		objects = append(objects, listedGroup(g, c.tenantID))
	}
	stream.Results = listResults(ctx, req, objects)
}

// listedGroup is a group as the list shows it, with the attributes Exchange's listing holds.
func listedGroup(g pamtenant.DistributionGroup, tenantID string) listedObject {
	return listedObject{
		displayName: fmt.Sprintf("%s <%s>", g.DisplayName, g.PrimarySmtpAddress),
		identity:    approverGroupIdentity{ID: types.StringValue(g.GUID), TenantID: types.StringValue(tenantID)},
		attributes: map[string]attr.Value{
			"id":                   types.StringValue(g.GUID),
			"object_id":            optionalText(g.ExternalDirectoryObjectID),
			"name":                 types.StringValue(g.Name),
			"primary_smtp_address": types.StringValue(g.PrimarySmtpAddress),
			"display_name":         types.StringValue(g.DisplayName),
			"alias":                types.StringValue(g.Alias),
			"description":          optionalText(g.Description),
			"tenant_id":            types.StringValue(tenantID),
		},
	}
}
