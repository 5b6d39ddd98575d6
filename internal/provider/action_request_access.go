package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ action.ActionWithConfigure = (*requestAccessAction)(nil)

func newRequestAccessAction() action.Action { return &requestAccessAction{} }

// requestAccessAction files a just-in-time access request when it is invoked, and only then.
type requestAccessAction struct{ tenantBinding }

type requestAccessModel struct {
	TenantID        types.String `tfsdk:"tenant_id"`
	Task            types.String `tfsdk:"task"`
	Reason          types.String `tfsdk:"reason"`
	DurationHours   types.Number `tfsdk:"duration_hours"`
	WaitForApproval types.Bool   `tfsdk:"wait_for_approval"`
	ApprovalTimeout types.String `tfsdk:"approval_timeout"`
}

func (a *requestAccessAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_request_access"
}

func (a *requestAccessAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Files a just-in-time privileged access request (`New-ElevatedAccessRequest`) for an " +
			"Exchange task, as the identity the provider signs in as. Needs Terraform 1.14 or later. It runs only " +
			"when invoked, with `terraform apply -invoke=action.o365pam_request_access.<name>` or from a resource's " +
			"`lifecycle { action_trigger { ... } }`, never during plan, and every invocation files a new request. " +
			"Terraform shows the request's id and status as the action's progress; nothing is written to state.\n\n" +
			"With `wait_for_approval`, the invocation waits until an approver answers: a denied or expired request, " +
			"or no answer within `approval_timeout`, fails it.\n\n" +
			"For Terraform 1.10 to 1.13 and OpenTofu, the ephemeral resource `o365pam_access_request` files and " +
			"reuses requests instead. When it is a user, the requester needs a licence that includes privileged " +
			"access management.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The GUID of the tenant to act in. Defaults to the provider's tenant.", Validators: []validator.String{tenantGUIDValidator()}},
			"task": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Exchange task to request, as `Exchange\\<Verb>-<Noun>`, for example " +
					"`\"Exchange\\\\New-MoveRequest\"` in HCL. It needs an approval policy.",
				Validators: []validator.String{taskValidator{}},
			},
			"reason": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Why the access is needed; approvers see it.",
				Validators:          []validator.String{notBlank()},
			},
			"duration_hours": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "For how many hours an approval grants the task, a whole number, at least 1; " +
					"Microsoft documents no upper limit. Defaults to `4`.",
				Validators: []validator.Number{wholeNumberAtLeast{min: 1}},
			},
			"wait_for_approval": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Wait until an approver answers the request. Defaults to `false`: the " +
					"invocation ends once the request is filed.",
			},
			"approval_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long to wait for an approval, as a duration such as `\"30m\"` or " +
					"`\"1h30m\"`. Defaults to `\"30m\"`. Used with `wait_for_approval`.",
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

func (a *requestAccessAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.configure(req.ProviderData, &resp.Diagnostics)
}

func (a *requestAccessAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m requestAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a = atTenant(ctx, a, "action o365pam_request_access", m.TenantID, &resp.Diagnostics); a == nil {
		return
	}
	task := m.Task.ValueString()
	ctx, warnings := pamtenant.CollectWarnings(ctx)
	defer addServiceWarnings(&resp.Diagnostics, warnings)
	request, err := a.client.tenant.NewAccessRequest(ctx, task, m.Reason.ValueString(), requestedHours(m.DurationHours))
	if err != nil {
		hint := ""
		if pamtenant.IsAmbiguous(err) {
			hint = "The request may have been filed although its answer was lost: look for it with the " +
				"o365pam_access_requests data source before invoking the action again."
		}
		addServiceError(&resp.Diagnostics, "file an access request for "+task, err, hint)
		return
	}
	progress(resp, fmt.Sprintf("Filed access request %s for %s (%d hours): %s.", request.Identity, task,
		request.DurationHours, request.RequestStatus))
	if !m.WaitForApproval.ValueBool() || request.RequestStatus != pamtenant.RequestPending {
		return
	}
	progress(resp, fmt.Sprintf("Waiting for an approver to answer access request %s.", request.Identity))
	if approved := a.client.waitForApproval(ctx, *request, m.ApprovalTimeout, &resp.Diagnostics); approved != nil {
		progress(resp, fmt.Sprintf("Access request %s was approved by %s; the access ends %s.", approved.Identity,
			approved.ApprovedBy, timestamp(approved.ExpirationTimeUTC).ValueString()))
	}
}

// requestedHours is duration_hours (a whole number, checked by wholeNumberAtLeast), or the
// service's default when unset.
func requestedHours(n types.Number) int {
	if n.IsNull() || n.IsUnknown() {
		return defaultRequestHours
	}
	hours, _ := n.ValueBigFloat().Int64()
	return int(hours)
}

// progress tells Terraform, and so the person who invoked the action, what happened so far.
func progress(resp *action.InvokeResponse, message string) {
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: message})
	}
}
