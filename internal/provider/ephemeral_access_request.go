package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
)

const (
	defaultRequestHours    = 4 // the service's default, documented
	defaultApprovalTimeout = 30 * time.Minute
)

var _ ephemeral.EphemeralResourceWithConfigure = (*accessRequestEphemeral)(nil)

func newAccessRequestEphemeral() ephemeral.EphemeralResource { return &accessRequestEphemeral{} }

type accessRequestEphemeral struct{ client *tenantClient }

type accessRequestModel struct {
	Task            types.String `tfsdk:"task"`
	Reason          types.String `tfsdk:"reason"`
	DurationHours   types.Int64  `tfsdk:"duration_hours"`
	WaitForApproval types.Bool   `tfsdk:"wait_for_approval"`
	ApprovalTimeout types.String `tfsdk:"approval_timeout"`
	ID              types.String `tfsdk:"id"`
	Status          types.String `tfsdk:"status"`
	Expires         types.String `tfsdk:"expires"`
}

func (e *accessRequestEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_request"
}

func (e *accessRequestEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Files a just-in-time privileged access request for an Exchange task " +
			"(`New-ElevatedAccessRequest`) and, if asked, waits until an approver approves it. Nothing is " +
			"written to the plan or the state. Needs Terraform 1.10 or later, or OpenTofu 1.11 or later.\n\n" +
			"Terraform opens an ephemeral resource every time a run needs it, in plan and again in apply, and " +
			"each opening files a new request: a plan followed by an apply files two. The identity the provider " +
			"signs in as is the requester, and needs a licence that includes privileged access management when " +
			"it is a user.",
		Attributes: map[string]schema.Attribute{
			"task": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Exchange task to request, as `Exchange\\<Verb>-<Noun>`, for example " +
					"`\"Exchange\\\\New-MoveRequest\"` in HCL. It needs an approval policy.",
				Validators: []validator.String{taskValidator{}},
			},
			"reason": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Why the access is needed; approvers see it.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"duration_hours": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "For how many hours an approval grants the task, at least 1; Microsoft documents no upper limit. Defaults to `4`.",
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"wait_for_approval": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Wait until the request is approved. A denied or expired request, or no " +
					"answer within `approval_timeout`, is an error. Defaults to `false`: the request is filed and " +
					"its status reported at once.",
			},
			"approval_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long to wait for an approval, as a duration such as `\"30m\"` or " +
					"`\"1h30m\"`. Defaults to `\"30m\"`. Used with `wait_for_approval`.",
				Validators: []validator.String{durationValidator{}},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The request's GUID.",
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The request's status when it was last read: `Pending` or `Approved`.",
			},
			"expires": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "When the approved access ends, or, for a request still pending, when the " +
					"request expires (RFC 3339, UTC).",
			},
		},
	}
}

func (e *accessRequestEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *accessRequestEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessRequestModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hours := int64(defaultRequestHours)
	if !m.DurationHours.IsNull() {
		hours = m.DurationHours.ValueInt64()
	}
	task := m.Task.ValueString()
	ctx, warnings := exchange.CollectWarnings(ctx)
	defer addServiceWarnings(&resp.Diagnostics, warnings)
	request, err := e.client.exchange.NewAccessRequest(ctx, task, m.Reason.ValueString(), int(hours))
	if err != nil {
		hint := ""
		if exchange.IsAmbiguous(err) {
			hint = "The request may have been filed although its answer was lost. Look for it with the " +
				"o365pam_access_requests data source before running again, so that approvers are not asked twice."
		}
		addServiceError(&resp.Diagnostics, "file an access request for "+task, err, hint)
		return
	}
	if m.WaitForApproval.ValueBool() {
		timeout := defaultApprovalTimeout
		if !m.ApprovalTimeout.IsNull() {
			timeout, _ = time.ParseDuration(m.ApprovalTimeout.ValueString()) // checked by durationValidator
		}
		request, err = e.awaitDecision(ctx, *request, timeout)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			resp.Diagnostics.AddError("Access request not approved in time", approvalTimeoutDetail(*request, timeout))
			return
		}
		if err != nil {
			addServiceError(&resp.Diagnostics, "read access request "+request.Identity, err, "")
			return
		}
		if summary, detail := decisionProblem(*request); summary != "" {
			resp.Diagnostics.AddError(summary, detail)
			return
		}
	}
	m.ID = types.StringValue(request.Identity)
	m.Status = types.StringValue(request.RequestStatus)
	m.Expires = timestamp(request.ExpirationTimeUTC)
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
}

// awaitDecision reads the request until it is no longer pending or the timeout passes, and returns
// the latest reading either way.
func (e *accessRequestEphemeral) awaitDecision(ctx context.Context, request exchange.AccessRequest, timeout time.Duration) (*exchange.AccessRequest, error) {
	latest := &request
	err := waitFor(ctx, timeout, func(ctx context.Context) (bool, error) {
		if latest.RequestStatus != exchange.RequestPending {
			return true, nil
		}
		r, err := e.client.exchange.AccessRequest(ctx, request.Identity)
		if err != nil {
			return false, err
		}
		latest = r
		return r.RequestStatus != exchange.RequestPending, nil
	})
	return latest, err
}

// decisionProblem explains a request that was not approved, or returns empty strings.
func decisionProblem(r exchange.AccessRequest) (summary, detail string) {
	switch r.RequestStatus {
	case exchange.RequestApproved:
		return "", ""
	case exchange.RequestDenied:
		comment := ""
		if r.Comment != "" {
			comment = fmt.Sprintf(" with the comment %q", r.Comment)
		}
		return "Access request denied", fmt.Sprintf("Access request %s for %s was denied by %s%s. File a new request "+
			"with a reason the approvers accept, or ask them why they denied it.", r.Identity, r.Task, r.ApprovedBy, comment)
	case exchange.RequestExpired:
		return "Access request expired", fmt.Sprintf("Access request %s for %s expired before an approver answered "+
			"it. Ask the approvers of the task's policy to watch for requests, then run again to file a new one.",
			r.Identity, r.Task)
	}
	return "Access request not approved", fmt.Sprintf("Access request %s for %s has the status %q, not %q. Check "+
		"it in the admin center, then run again.", r.Identity, r.Task, r.RequestStatus, exchange.RequestApproved)
}

func approvalTimeoutDetail(r exchange.AccessRequest, timeout time.Duration) string {
	return fmt.Sprintf("Access request %s for %s was still %s after %s. It stays open until an approver answers it "+
		"or it expires 24 hours after it was filed, but this run has stopped waiting, and running again files a new "+
		"request. Ask an approver to approve it, or raise approval_timeout.", r.Identity, r.Task, r.RequestStatus, timeout)
}

// durationValidator accepts a positive Go duration such as "30m" or "1h30m".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `must be a positive duration such as "30m" or "1h30m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), v.Description(ctx)))
	}
}
