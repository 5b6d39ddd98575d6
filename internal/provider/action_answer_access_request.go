package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var _ action.ActionWithConfigure = (*answerAccessRequestAction)(nil)

// requestIDPattern is a request's GUID, as Get-ElevatedAccessRequest shows it.
var requestIDPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// answerAccessRequestAction approves or denies a request as the signed-in approver, when invoked.
type answerAccessRequestAction struct {
	tenantBinding
	approve bool
}

func newApproveAccessRequestAction() action.Action { return &answerAccessRequestAction{approve: true} }
func newDenyAccessRequestAction() action.Action    { return &answerAccessRequestAction{} }

type answerAccessRequestModel struct {
	TenantID  types.String `tfsdk:"tenant_id"`
	RequestID types.String `tfsdk:"request_id"`
	Comment   types.String `tfsdk:"comment"`
}

// verb is the answer this action gives, as the admin center words it.
func (a *answerAccessRequestAction) verb() string {
	if a.approve {
		return "approve"
	}
	return "deny"
}

// verbForms are the verb's third person ("denies") and past participle ("denied"), which English
// does not form alike for both answers.
func (a *answerAccessRequestAction) verbForms() (thirdPerson, past string) {
	if a.approve {
		return "approves", "approved"
	}
	return "denies", "denied"
}

func (a *answerAccessRequestAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.verb() + "_access_request"
}

func (a *answerAccessRequestAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	cmdlet := "Deny-ElevatedAccessRequest"
	if a.approve {
		cmdlet = "Approve-ElevatedAccessRequest"
	}
	answers, answered := a.verbForms()
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("For approvers: %s a pending privileged access request by its id, with a "+
			"comment (`%s`). Needs Terraform 1.14 or later. It runs only when invoked, with "+
			"`terraform apply -invoke=action.o365pam_%s_access_request.<name>`, never during plan.\n\n"+
			"Exchange lets only a member of the approver group of the task's policy answer a request, and not the "+
			"person who filed it, so the provider must sign in as that approver: for example with the Azure CLI "+
			"(`az login` as the approver, and no application settings, so that `use_cli` applies). An app's "+
			"sign-in is refused. Find pending requests with the `o365pam_access_requests` data source.",
			answers, cmdlet, a.verb()),
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The GUID of the tenant to act in. Defaults to the provider's tenant.", Validators: []validator.String{tenantGUIDValidator()}},
			"request_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The request's GUID, as the `o365pam_access_requests` data source or the admin center shows it.",
				Validators: []validator.String{stringvalidator.RegexMatches(requestIDPattern,
					"must be the request's GUID, such as 0f8fad5b-d9cb-469f-a165-70867728950e")},
			},
			"comment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A comment for the requester and the audit log, such as why the request was " + answered + ".",
				Validators:          []validator.String{notBlank()},
			},
		},
	}
}

func (a *answerAccessRequestAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.configure(req.ProviderData, &resp.Diagnostics)
}

func (a *answerAccessRequestAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m answerAccessRequestModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a = atTenant(ctx, a, "action o365pam_"+a.verb()+"_access_request", m.TenantID, &resp.Diagnostics); a == nil {
		return
	}
	id := m.RequestID.ValueString()
	ctx, warnings := pamtenant.CollectWarnings(ctx)
	defer addServiceWarnings(&resp.Diagnostics, warnings)
	answer := a.client.tenant.DenyAccessRequest
	if a.approve {
		answer = a.client.tenant.ApproveAccessRequest
	}
	if err := answer(ctx, id, m.Comment.ValueString()); err != nil {
		addServiceError(&resp.Diagnostics, a.verb()+" access request "+id, err, answerHint(err))
		return
	}
	_, answered := a.verbForms()
	progress(resp, fmt.Sprintf("Access request %s was %s.", id, answered))
}

// answerHint explains the refusals an approver meets.
func answerHint(err error) string {
	if apierr.IsNotFound(err) {
		return "No request has this id. List the requests with the o365pam_access_requests data source."
	}
	if apierr.Is(err, apierr.KindInvalidInput) {
		return "Only a member of the approver group of the task's policy can answer a request, signed in as " +
			"themselves (not as an app) and not the person who filed it, and only while the request is Pending. " +
			"Sign in as such an approver (for example `az login`, with no application settings in the provider " +
			"block or the environment) and check the request's status with the o365pam_access_requests data source."
	}
	return ""
}
