package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

const (
	defaultRequestHours    = 4 // the service's default, documented
	defaultApprovalTimeout = 30 * time.Minute
)

var _ ephemeral.EphemeralResourceWithConfigure = (*accessRequestEphemeral)(nil)

func newAccessRequestEphemeral() ephemeral.EphemeralResource { return &accessRequestEphemeral{} }

type accessRequestEphemeral struct{ tenantBinding }

type accessRequestModel struct {
	TenantID        types.String `tfsdk:"tenant_id"`
	Task            types.String `tfsdk:"task"`
	Reason          types.String `tfsdk:"reason"`
	DurationHours   types.Number `tfsdk:"duration_hours"`
	FileRequest     types.Bool   `tfsdk:"file_request"`
	WaitForApproval types.Bool   `tfsdk:"wait_for_approval"`
	ApprovalTimeout types.String `tfsdk:"approval_timeout"`
	ID              types.String `tfsdk:"id"`
	Status          types.String `tfsdk:"status"`
	Expires         types.String `tfsdk:"expires"`
	Filed           types.Bool   `tfsdk:"filed"`
}

// requestNone is the status reported when no request is open and none was filed.
const requestNone = "None"

func (e *accessRequestEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_request"
}

func (e *accessRequestEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A just-in-time privileged access request for an Exchange task, for the identity the " +
			"provider signs in as. Nothing is written to the plan or the state. Needs Terraform 1.10 or later, or " +
			"OpenTofu 1.11 or later.\n\n" +
			"Terraform opens an ephemeral resource every time a run needs it, in plan and again in apply. Each " +
			"opening first looks for a request of the signed-in identity for the same task that is still open " +
			"(`Pending`) or `Approved` and not yet ended, and reuses it: a plan followed by an apply, or a " +
			"scheduled plan that runs again while the request is open, asks the approvers only once. A reused " +
			"request keeps the reason and duration it was filed with.\n\n" +
			"A new request (`New-ElevatedAccessRequest`) is filed only when none can be reused **and** " +
			"`file_request` is `true`. Otherwise nothing is filed and `status` is `None`, so a configuration that " +
			"merely contains this resource, such as one checked for drift on a schedule, never files requests.\n\n" +
			"When it is a user, the requester needs a licence that includes privileged access management.\n\n" +
			"With Terraform 1.14 or later, the action `o365pam_request_access` files a request only when it is " +
			"invoked (`terraform apply -invoke=...`), never during plan; approvers answer with the actions " +
			"`o365pam_approve_access_request` and `o365pam_deny_access_request`.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The GUID of the tenant to act in. Defaults to the provider's tenant.", Validators: []validator.String{tenantGUIDValidator()}},
			"task": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Exchange task to request, as `Exchange\\<Verb>-<Noun>`, for example " +
					"`\"Exchange\\\\New-MoveRequest\"` in HCL. It needs an approval policy. Compared without regard to case.",
				Validators: []validator.String{taskValidator{}},
			},
			"reason": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Why the access is needed; approvers see it. Used when a new request is filed.",
				Validators:          []validator.String{notBlank()},
			},
			"duration_hours": schema.NumberAttribute{
				Optional: true,
				MarkdownDescription: "For how many hours an approval grants the task, a whole number, at least 1; " +
					"Microsoft documents no upper limit. Defaults to `4`. Used when a new request is filed.",
				Validators: []validator.Number{wholeNumberAtLeast{min: 1}},
			},
			"file_request": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "File a new request when the signed-in identity has no open or approved request " +
					"for the task. Defaults to `false`: nothing is filed, and `status` is `None` when there is no " +
					"request to reuse. A new request is read back until Exchange shows it (it replicates for " +
					"seconds to minutes) before the run goes on, so the next run finds and reuses it.",
			},
			"wait_for_approval": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Wait until the request is approved. A denied or expired request, no " +
					"request at all, or no answer within `approval_timeout`, is an error. Defaults to `false`: the " +
					"request's status is reported at once.",
			},
			"approval_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long to wait for an approval, as a duration such as `\"30m\"` or " +
					"`\"1h30m\"`. Defaults to `\"30m\"`. Used with `wait_for_approval`.",
				Validators: []validator.String{durationValidator{}},
			},
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The request's GUID; null when there is none.",
			},
			"status": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The request's status when it was last read: `Pending` or `Approved`, or `None` " +
					"when there is no request to reuse and `file_request` is not `true`.",
			},
			"filed": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether this opening filed the request; `false` when it reused one or filed none.",
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
	e.configure(req.ProviderData, &resp.Diagnostics)
}

func (e *accessRequestEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessRequestModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e = atTenant(ctx, e, "ephemeral o365pam_access_request", m.TenantID, &resp.Diagnostics); e == nil {
		return
	}
	task := m.Task.ValueString()
	ctx, warnings := pamtenant.CollectWarnings(ctx)
	defer addServiceWarnings(&resp.Diagnostics, warnings)
	request, err := e.reusableRequest(ctx, task)
	if err != nil {
		addServiceError(&resp.Diagnostics, "look for an open access request for "+task, err, "")
		return
	}
	m.Filed = types.BoolValue(false)
	if request == nil && m.FileRequest.ValueBool() {
		request, err = e.client.tenant.NewAccessRequest(ctx, task, m.Reason.ValueString(), requestedHours(m.DurationHours))
		if err != nil {
			hint := ""
			if pamtenant.IsAmbiguous(err) {
				hint = "The request may have been filed although its answer was lost. Running again reuses it if it was."
			}
			addServiceError(&resp.Diagnostics, "file an access request for "+task, err, hint)
			return
		}
		// Exchange lists a new request only once it has replicated, and the next run (the apply
		// after this plan, say) finds requests to reuse by listing them: reading the request back
		// waits out the replication, so that run reuses it instead of filing another.
		request, err = e.client.tenant.AccessRequest(ctx, request.Identity)
		if err != nil {
			addServiceError(&resp.Diagnostics, "read back the access request just filed for "+task, err,
				"The request was filed. Running again reuses it once Exchange lists it.")
			return
		}
		m.Filed = types.BoolValue(true)
	}
	if request == nil {
		if m.WaitForApproval.ValueBool() {
			resp.Diagnostics.AddAttributeError(path.Root("file_request"), "No access request to wait for",
				fmt.Sprintf("The signed-in identity has no open or approved request for %s, and file_request is not "+
					"true, so none was filed. Set file_request = true to file one, or file it in the admin center.", task))
			return
		}
		m.ID, m.Status, m.Expires = types.StringNull(), types.StringValue(requestNone), types.StringNull()
		resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
		return
	}
	if m.WaitForApproval.ValueBool() {
		if request = e.client.waitForApproval(ctx, *request, m.ApprovalTimeout, &resp.Diagnostics); request == nil {
			return
		}
	}
	m.ID = types.StringValue(request.Identity)
	m.Status = types.StringValue(request.RequestStatus)
	m.Expires = timestamp(request.ExpirationTimeUTC)
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
}

// reusableRequest finds the signed-in identity's request for the task that still counts, or nil.
func (e *accessRequestEphemeral) reusableRequest(ctx context.Context, task string) (*pamtenant.AccessRequest, error) {
	me, err := e.client.tenant.SignedInAs(ctx)
	if err != nil {
		return nil, err
	}
	requests, err := e.client.tenant.AccessRequests(ctx)
	if err != nil {
		return nil, err
	}
	return pickReusable(requests, me, task, e.client.tenant.Clock().Now()), nil
}

// pickReusable chooses among requester's requests for the task the one that still counts at now:
// approved with access not yet ended, else pending and not yet expired; the newest of each kind.
func pickReusable(requests []pamtenant.AccessRequest, requester, task string, now time.Time) *pamtenant.AccessRequest {
	rank := map[string]int{pamtenant.RequestPending: 1, pamtenant.RequestApproved: 2}
	var best *pamtenant.AccessRequest
	for i := range requests {
		r := &requests[i]
		if rank[r.RequestStatus] == 0 || !strings.EqualFold(r.RequestorUPN, requester) || !strings.EqualFold(r.Task, task) ||
			(!r.ExpirationTimeUTC.IsZero() && !r.ExpirationTimeUTC.After(now)) {
			continue
		}
		if best == nil || rank[r.RequestStatus] > rank[best.RequestStatus] ||
			(rank[r.RequestStatus] == rank[best.RequestStatus] && r.CreationTimeUTC.After(best.CreationTimeUTC)) {
			best = r
		}
	}
	return best
}

// waitForApproval waits until the request is answered or the timeout (a validated duration, null for
// the default) passes. It returns the approved request, or nil after reporting why there is none.
func (c *tenantClient) waitForApproval(ctx context.Context, request pamtenant.AccessRequest, timeoutSetting types.String, diags *diag.Diagnostics) *pamtenant.AccessRequest {
	timeout := defaultApprovalTimeout
	if !timeoutSetting.IsNull() {
		timeout, _ = time.ParseDuration(timeoutSetting.ValueString()) // checked by durationValidator
	}
	answered, err := c.awaitDecision(ctx, request, timeout)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		diags.AddError("Access request not approved in time", approvalTimeoutDetail(*answered, timeout))
		return nil
	}
	if err != nil {
		addServiceError(diags, "read access request "+request.Identity, err, "")
		return nil
	}
	if summary, detail := decisionProblem(*answered); summary != "" {
		diags.AddError(summary, detail)
		return nil
	}
	return answered
}

// awaitDecision reads the request until it is no longer pending or the timeout passes, and returns
// the latest reading either way.
func (c *tenantClient) awaitDecision(ctx context.Context, request pamtenant.AccessRequest, timeout time.Duration) (*pamtenant.AccessRequest, error) {
	latest := &request
	err := c.tenant.WaitFor(ctx, timeout, func(ctx context.Context) (bool, error) {
		if latest.RequestStatus != pamtenant.RequestPending {
			return true, nil
		}
		r, err := c.tenant.AccessRequest(ctx, request.Identity)
		if err != nil {
			return false, err
		}
		latest = r
		return r.RequestStatus != pamtenant.RequestPending, nil
	})
	return latest, err
}

// decisionProblem explains a request that was not approved, or returns empty strings.
func decisionProblem(r pamtenant.AccessRequest) (summary, detail string) {
	switch r.RequestStatus {
	case pamtenant.RequestApproved:
		return "", ""
	case pamtenant.RequestDenied:
		comment := ""
		if r.Comment != "" {
			comment = fmt.Sprintf(" with the comment %q", r.Comment)
		}
		return "Access request denied", fmt.Sprintf("Access request %s for %s was denied by %s%s. File a new request "+
			"with a reason the approvers accept, or ask them why they denied it.", r.Identity, r.Task, r.ApprovedBy, comment)
	case pamtenant.RequestExpired:
		return "Access request expired", fmt.Sprintf("Access request %s for %s expired before an approver answered "+
			"it. Ask the approvers of the task's policy to watch for requests, then run again to file a new one.",
			r.Identity, r.Task)
	}
	return "Access request not approved", fmt.Sprintf("Access request %s for %s has the status %q, not %q. Check "+
		"it in the admin center, then run again.", r.Identity, r.Task, r.RequestStatus, pamtenant.RequestApproved)
}

func approvalTimeoutDetail(r pamtenant.AccessRequest, timeout time.Duration) string {
	return fmt.Sprintf("Access request %s for %s was still %s after %s. It stays open until an approver answers it "+
		"or it expires 24 hours after it was filed, and running again waits for it rather than filing another. Ask "+
		"an approver to approve it, or raise approval_timeout.", r.Identity, r.Task, r.RequestStatus, timeout)
}
