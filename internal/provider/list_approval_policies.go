package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ list.ListResourceWithConfigure = (*approvalPolicyList)(nil)

// approvalPolicyList finds the tenant's approval policies for `terraform query`.
type approvalPolicyList struct{ approvalPolicyResource }

func newApprovalPolicyList() list.ListResource { return &approvalPolicyList{} }

func (l *approvalPolicyList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listConfigSchema("Finds the tenant's approval policies (at most 30) for `terraform query` (Terraform 1.14 " +
		"or later), with one Exchange call. Configuration generated from the results (`-generate-config-out`) " +
		"holds each policy's task, approval type and approver group; replace the approver group's address with " +
		"a reference to its `o365pam_approver_group` where you manage that group too.")
}

func (l *approvalPolicyList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	c := listTenant(ctx, l.tenants, req, stream)
	if c == nil {
		return
	}
	policies, err := c.tenant.ApprovalPolicies(ctx)
	if err != nil {
		listFailed(stream, "list the approval policies", err)
		return
	}
	objects := make([]listedObject, 0, len(policies))
	for _, p := range policies {
		objects = append(objects, listedPolicy(p, c.tenantID))
	}
	stream.Results = listResults(ctx, req, objects)
}

func listedPolicy(p pamtenant.ApprovalPolicy, tenantID string) listedObject {
	return listedObject{
		displayName: fmt.Sprintf("%s (%s, %s)", p.Task, p.ApprovalType, p.ApproverGroup),
		identity:    approvalPolicyIdentity{Task: types.StringValue(p.Task), TenantID: types.StringValue(tenantID)},
		attributes: map[string]attr.Value{
			"id":             types.StringValue(p.Identity),
			"task":           types.StringValue(p.Task),
			"approval_type":  types.StringValue(p.ApprovalType),
			"approver_group": types.StringValue(p.ApproverGroup),
			"tenant_id":      types.StringValue(tenantID),
		},
	}
}
