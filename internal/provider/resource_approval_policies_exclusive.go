package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

var (
	_ resource.ResourceWithImportState = (*exclusivePoliciesResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*exclusivePoliciesResource)(nil)
)

func newExclusivePoliciesResource() resource.Resource { return &exclusivePoliciesResource{} }

// exclusivePoliciesResource makes the configuration authoritative over which tasks have approval
// policies, as aws_iam_role_policies_exclusive does for a role's inline policies: a policy for a task
// it does not list shows as drift, and applying removes it.
type exclusivePoliciesResource struct{ tenantBinding }

type exclusivePoliciesModel struct {
	ID       types.String `tfsdk:"id"`
	TenantID types.String `tfsdk:"tenant_id"`
	Tasks    types.Set    `tfsdk:"tasks"`
}

// exclusiveObject names the resource in diagnostics.
const exclusiveObject = "exclusive approval policies"

// recordedTenant is the tenant of the state: its tenant_id, or for state written before that
// attribute, its id (the tenant's GUID).
func (m exclusivePoliciesModel) recordedTenant() types.String {
	if m.TenantID.IsNull() || m.TenantID.ValueString() == "" {
		return m.ID
	}
	return m.TenantID
}

// privateSeenPolicies is the private data key holding, by lower-case task, the id of the policy each
// task of the state had when it was last read: apply removes only those, the ones the plan showed.
const privateSeenPolicies = "seen_policies"

func (r *exclusivePoliciesResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approval_policies_exclusive"
}

func (r *exclusivePoliciesResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opt-in authoritative management of the tenant's approval policies: `tasks` lists every " +
			"task that may have an approval policy. A policy for a task it does not list (one an admin added by " +
			"hand, say an `Auto` policy for a sensitive task) is read into `tasks` and shows in the plan as drift, " +
			"and applying removes it. Apply removes only the policies the plan showed, by their id: one added or " +
			"replaced after the plan waits for the next plan.\n\n" +
			"It creates no policy: manage each with `o365pam_approval_policy` and list their tasks here, for example " +
			"`tasks = [for p in [o365pam_approval_policy.move, o365pam_approval_policy.mailbox] : p.task]`, so that " +
			"this resource is planned after them. Creating it removes nothing; policies for other tasks show as drift " +
			"from the next plan. Destroying it, or removing it from the configuration, removes nothing either.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's GUID, as `tenant_id`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"tenant_id": tenantIDAttribute(),
			"tasks": schema.SetAttribute{
				Required: true, ElementType: types.StringType,
				MarkdownDescription: "Every task that may have an approval policy, as `Exchange\\<Verb>-<Noun>`. Compared " +
					"without regard to case. Applying removes the policy of every other task that the plan shows. The plan warns " +
					"of a task whose cmdlet is not in the provider's list of Exchange cmdlets, as `o365pam_approval_policy` does.",
				Validators:    []validator.Set{setvalidator.ValueStringsAre(taskValidator{})},
				PlanModifiers: []planmodifier.Set{keepSpellingsInPlan()},
			},
		},
	}
}

func (r *exclusivePoliciesResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan warns of tasks naming cmdlets the provider does not know and, on creation, names the
// policies that the next plan will show as drift.
func (r *exclusivePoliciesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.tenants == nil {
		return
	}
	var plan, state exclusivePoliciesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if r = planIn(ctx, r, req, resp, exclusiveObject, state.recordedTenant()); r == nil {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), r.client.tenantID)...)
	tasks, known := knownStrings(ctx, plan.Tasks, &resp.Diagnostics)
	if !known {
		return
	}
	for _, task := range tasks {
		warnUnknownCmdlet("o365pam_approval_policies_exclusive", path.Root("tasks"), task, &resp.Diagnostics)
	}
	if !req.State.Raw.IsNull() {
		return
	}
	policies, err := r.client.tenant.ApprovalPolicies(ctx)
	if err != nil {
		checkSkipped(&resp.Diagnostics, "the tenant's approval policies", err)
		return
	}
	var others []string
	for _, p := range policies {
		if !containsFold(tasks, p.Task) {
			others = append(others, fmt.Sprintf("%s (%s)", p.Task, p.Identity))
		}
	}
	if len(others) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("tasks"), "Policies for tasks not listed",
			fmt.Sprintf("The tenant has policies for tasks that tasks does not list: %s. Creating this resource removes "+
				"nothing; the next plan shows them as drift, and applying it removes them.", strings.Join(others, ", ")))
	}
}

func (r *exclusivePoliciesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan exclusivePoliciesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if r = atTenant(ctx, r, exclusiveObject, plan.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	plan.ID = types.StringValue(r.client.tenantID)
	plan.TenantID = plan.ID
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Read adds to the tasks in state the task of every policy of the tenant they do not list, so that
// the plan shows it going, and keeps the ids of the policies it saw for the apply.
func (r *exclusivePoliciesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state exclusivePoliciesModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// Read through another tenant, that tenant's policies would show as drift and be removed.
	if resp.Diagnostics.HasError() {
		return
	}
	if r = refreshIn(ctx, r, exclusiveObject, state.recordedTenant(), &resp.Diagnostics); r == nil {
		return
	}
	policies, err := r.client.tenant.ApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read the approval policies", err, readHint(err))
		return
	}
	tasks := stringSet(ctx, state.Tasks, &resp.Diagnostics)
	seen := map[string]string{}
	for _, p := range policies {
		if !containsFold(tasks, p.Task) {
			tasks = append(tasks, p.Task)
		}
		seen[strings.ToLower(p.Task)] = p.Identity
	}
	setPrivateJSON(ctx, resp.Private, privateSeenPolicies, seen, &resp.Diagnostics)
	state.ID = types.StringValue(r.client.tenantID)
	state.TenantID = state.ID
	state.Tasks = setOfStrings(tasks)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update removes the policy of each task the plan drops, as the plan's read saw it.
func (r *exclusivePoliciesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state exclusivePoliciesModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	seen := privateJSON[map[string]string](ctx, req.Private, privateSeenPolicies, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, exclusiveObject, state.recordedTenant(), &resp.Diagnostics); r == nil {
		return
	}
	planned := stringSet(ctx, plan.Tasks, &resp.Diagnostics)
	kept := stringSet(ctx, state.Tasks, &resp.Diagnostics)
	for _, task := range stringSet(ctx, state.Tasks, &resp.Diagnostics) {
		id := seen[strings.ToLower(task)]
		if containsFold(planned, task) || id == "" {
			continue
		}
		err := r.client.tenant.RemoveApprovalPolicy(ctx, id)
		if err != nil && !apierr.IsNotFound(err) {
			addServiceError(&resp.Diagnostics, fmt.Sprintf("remove approval policy %s of %s", id, task), err,
				"The policies removed before this one stay removed; the next plan shows the rest again.")
			break
		}
		kept = removeFold(kept, task)
	}
	r.warnReplacedMeanwhile(ctx, planned, seen, &resp.Diagnostics)
	plan.ID = types.StringValue(r.client.tenantID)
	plan.TenantID = plan.ID
	if resp.Diagnostics.HasError() {
		plan.Tasks = setOfStrings(kept)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// warnReplacedMeanwhile names the policies for tasks not planned that the plan did not show (added or
// replaced after its read), which this apply leaves for the next plan.
func (r *exclusivePoliciesResource) warnReplacedMeanwhile(ctx context.Context, planned []string, seen map[string]string, diags *diag.Diagnostics) {
	policies, err := r.client.tenant.FreshApprovalPolicies(ctx)
	if err != nil {
		return
	}
	var left []string
	for _, p := range policies {
		if !containsFold(planned, p.Task) && !strings.EqualFold(seen[strings.ToLower(p.Task)], p.Identity) {
			left = append(left, fmt.Sprintf("%s (%s)", p.Task, p.Identity))
		}
	}
	if len(left) > 0 {
		diags.AddWarning("Policies the plan did not show were left",
			fmt.Sprintf("These policies for tasks that tasks does not list appeared after the plan read the tenant, so "+
				"this apply did not remove them: %s. The next plan shows them.", strings.Join(left, ", ")))
	}
}

// Delete forgets the resource; no policy is removed.
func (r *exclusivePoliciesResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// ImportState takes the tenant's GUID (or the provider's tenant's initial domain); the next read
// lists every task that has a policy.
func (r *exclusivePoliciesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if home := r.tenants.home; home != nil && home.namesThisTenant(id) {
		id = home.tenantID
	}
	if !tenantGUIDPattern.MatchString(strings.ToLower(id)) {
		resp.Diagnostics.AddError("Import id is not a tenant",
			fmt.Sprintf("The import id is %q. Import the exclusive approval policies by their tenant's GUID, or by the "+
				"initial domain of the provider's own tenant.", req.ID))
		return
	}
	id = strings.ToLower(id)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathTenantID, id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("tasks"), types.SetValueMust(types.StringType, nil))...)
}

// removeFold is list without the entries equal to s other than in case.
func removeFold(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if !strings.EqualFold(v, s) {
			out = append(out, v)
		}
	}
	return out
}
