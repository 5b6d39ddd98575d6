package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// maxApprovalPolicies is Exchange's documented limit of approval policies per organization.
const maxApprovalPolicies = 30

var (
	_ resource.ResourceWithImportState = (*approvalPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*approvalPolicyResource)(nil)
)

func newApprovalPolicyResource() resource.Resource { return &approvalPolicyResource{} }

type approvalPolicyResource struct{ tenantBinding }

// approvalPolicyModel is the resource as Terraform stores it. Role and Role Group policies can
// join later as an optional `type` attribute defaulting to "Task", without breaking configs.
type approvalPolicyModel struct {
	ID            types.String   `tfsdk:"id"`
	Task          types.String   `tfsdk:"task"`
	ApprovalType  types.String   `tfsdk:"approval_type"`
	ApproverGroup types.String   `tfsdk:"approver_group"`
	TenantID      types.String   `tfsdk:"tenant_id"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

// policyObject names a policy in diagnostics.
func policyObject(m approvalPolicyModel) string {
	return fmt.Sprintf("o365pam_approval_policy for task %s", m.Task.ValueString())
}

// policyModel converts the service's policy to the Terraform model, keeping the prior spelling of
// values the service only changed in case.
func policyModel(p pamtenant.ApprovalPolicy, prior approvalPolicyModel) approvalPolicyModel {
	return approvalPolicyModel{
		ID:            types.StringValue(p.Identity),
		Task:          keepSpelling(prior.Task, p.Task),
		ApprovalType:  keepSpelling(prior.ApprovalType, p.ApprovalType),
		ApproverGroup: keepSpelling(prior.ApproverGroup, p.ApproverGroup),
		TenantID:      prior.TenantID,
		Timeouts:      prior.Timeouts,
	}
}

func newPolicyInput(m approvalPolicyModel) pamtenant.NewPolicy {
	return pamtenant.NewPolicy{
		Task:          m.Task.ValueString(),
		ApprovalType:  m.ApprovalType.ValueString(),
		ApproverGroup: m.ApproverGroup.ValueString(),
	}
}

func (r *approvalPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approval_policy"
}

func (r *approvalPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An approval policy: the named Exchange task can only run after a just-in-time " +
			"request for it is approved (`Manual`) or is approved automatically and logged (`Auto`). " +
			"A tenant holds at most 30 policies, one per task.\n\n" +
			"Only task policies are supported. The admin center also offers Role and Role Group policies, but " +
			"no public documentation names their cmdlet parameters, so this resource cannot create them; " +
			"manage those by hand.\n\n" +
			"Exchange has no cmdlet to change a policy, so changing `approval_type` or `approver_group` " +
			"removes the policy and creates it again inside one apply; if the new policy cannot be created, " +
			"the old one is put back before the error is reported, so the task is not left unguarded (the error says " +
			"which policy guards the task when another admin replaced it meanwhile). " +
			"The policy's `id` changes when that happens.\n\n" +
			"Creating a policy for a task that already has one fails with the existing policy's id and the import " +
			"block that brings it under Terraform, also when it has exactly the configured settings (as an apply " +
			"stopped before it saved its state leaves it): Terraform never takes over a policy it did not create. " +
			"Two resources for one task (compared without regard to case) in one configuration are refused at plan.\n\n" +
			"A plan that would leave the tenant with more than 30 policies fails, counting the policies the same " +
			"plan creates and removes. Terraform plans resources in no set order, so when the count depends on " +
			"removals of policies the plan has not reached yet, the plan warns instead, and the apply refuses a " +
			"create that would pass the limit. Destroying policies is never refused.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The policy's GUID, as Exchange reports it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"task": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Exchange cmdlet the policy guards, as `Exchange\\<Verb>-<Noun>`, for example " +
					"`\"Exchange\\\\New-MoveRequest\"` in HCL. Compared without regard to case. Changing it replaces the policy. " +
					"The plan warns when the cmdlet is not in the provider's list of Exchange cmdlets (from Microsoft's Exchange " +
					"PowerShell reference, shipped with the provider and possibly behind Microsoft's) and names close ones.",
				Validators: []validator.String{taskValidator{}},
				PlanModifiers: []planmodifier.String{keepSpellingInPlan(), stringplanmodifier.RequiresReplaceIf(
					func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
						resp.RequiresReplace = !strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString())
					},
					"Replaces the policy when the task changes other than in case.",
					"Replaces the policy when the task changes other than in case.")},
			},
			"approval_type": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(pamtenant.ApprovalManual),
				MarkdownDescription: "`Manual` (default): an approver must approve each request. `Auto`: requests are approved at once and logged. " +
					"Compared without regard to case (`auto` is `Auto`); state keeps the spelling written here.",
				Validators:    []validator.String{stringvalidator.OneOfCaseInsensitive(pamtenant.ApprovalManual, pamtenant.ApprovalAuto)},
				PlanModifiers: []planmodifier.String{keepSpellingInPlan()},
			},
			"approver_group": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Primary SMTP address of the mail-enabled security group whose members approve " +
					"requests, usually `o365pam_approver_group.<name>.primary_smtp_address`. Compared without regard to case.",
				Validators:    []validator.String{addressValidator()},
				PlanModifiers: []planmodifier.String{keepSpellingInPlan()},
			},
			"tenant_id": tenantIDAttribute(),
			"timeouts":  timeoutsAttribute(ctx),
		},
	}
}

func (r *approvalPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan marks the id as changing when the update will remove and re-create the policy, so the
// plan does not promise an id that apply cannot keep, and runs the plan-time safety checks.
func (r *approvalPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	creating := req.State.Raw.IsNull()
	var plan, state approvalPolicyModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if !req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.Plan.Raw.IsNull() && !plan.Task.IsUnknown() {
		warnUnknownCmdlet("o365pam_approval_policy", path.Root("task"), plan.Task.ValueString(), &resp.Diagnostics)
	}
	object := policyObject(state)
	if !req.Plan.Raw.IsNull() {
		object = policyObject(plan)
	}
	if r = planIn(ctx, r, req, resp, object, state.TenantID); r == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		r.client.policies.noteRemoved(state.ID.ValueString())
		return
	}
	if !creating && policyNeedsRecreate(state, plan) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
	}
	// Terraform plans a replacement twice: with the policy in state, then as a creation that gets the
	// first plan's private data. The policy id kept there ties the two together.
	var replaces replacedPolicy
	if creating {
		replaces = privateJSON[replacedPolicy](ctx, req.Private, privatePlannedPolicy, &resp.Diagnostics)
	} else {
		setPrivateJSON(ctx, resp.Private, privatePlannedPolicy,
			replacedPolicy{ID: state.ID.ValueString(), Task: state.Task.ValueString()}, &resp.Diagnostics)
	}
	checkApprovalPolicyPlan(ctx, r.client, plan, state, replaces, &resp.Diagnostics)
}

// privatePlannedPolicy is the private data key holding the policy a plan started from.
const privatePlannedPolicy = "planned_policy"

// replacedPolicy is the policy a planned creation replaces; empty when it replaces none.
type replacedPolicy struct{ ID, Task string }

// policyNeedsRecreate reports whether the service-side policy must change. Unknown planned values
// (an approver group created in the same apply) count as a change.
func policyNeedsRecreate(state, plan approvalPolicyModel) bool {
	differs := func(a, b types.String) bool {
		return b.IsUnknown() || !pamtenant.SameSetting(a.ValueString(), b.ValueString())
	}
	return differs(state.ApprovalType, plan.ApprovalType) || differs(state.ApproverGroup, plan.ApproverGroup)
}

func (r *approvalPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan approvalPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, policyObject(plan), plan.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer finish()
	action := fmt.Sprintf("create an approval policy for %s", plan.Task.ValueString())

	policies, err := r.client.tenant.ApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, action, err, "")
		return
	}
	if existing := pamtenant.PolicyForTask(policies, plan.Task.ValueString()); existing != nil {
		// Never taken over, even with the same settings: nothing proves that this configuration made it.
		taskHasPolicyFinding(*existing, replacedPolicy{}).addTo(&resp.Diagnostics)
		return
	}
	if limit := policyLimitFinding(len(policies)+1, plan.Task.ValueString()); limit != nil {
		limit.addTo(&resp.Diagnostics)
		return
	}

	created, err := r.client.tenant.CreateApprovalPolicy(ctx, newPolicyInput(plan))
	if err != nil {
		addServiceError(&resp.Diagnostics, action, err, "")
		return
	}
	plan.TenantID = types.StringValue(r.client.tenantID)
	state := policyModel(*created, plan)
	recordIdentity(ctx, resp.Identity, r.identity(state.Task), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	if err := r.waitUntilVisible(ctx, created.Identity); err != nil {
		resp.Diagnostics.AddWarning("Approval policy not yet visible",
			fmt.Sprintf("Policy %s was created, but reading it back did not succeed yet: %s. Exchange says new "+
				"policies may take a few minutes to be active; the next plan will read it again.", created.Identity, err))
	}
}

func (r *approvalPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state approvalPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = refreshIn(ctx, r, policyObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	state.TenantID = types.StringValue(r.client.tenantID)
	ctx, finish := startOperation(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer finish()
	// One list of every policy (at most 30) serves all the policies of this run.
	policies, err := r.client.tenant.ApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read approval policy "+state.ID.ValueString(), err, readHint(err))
		return
	}
	policy := pamtenant.PolicyByID(policies, state.ID.ValueString())
	if policy != nil && state.Task.IsNull() {
		state.Task = types.StringValue(policy.Task) // imported by id: the task names it from now on
	}
	recordIdentity(ctx, resp.Identity, r.identity(state.Task), &resp.Diagnostics)
	if policy == nil {
		// A policy for the same task under another id was put there by hand in place of ours: show its
		// settings as drift rather than planning a create that the service would refuse.
		policy = pamtenant.PolicyForTask(policies, state.Task.ValueString())
	}
	if policy == nil {
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, policyModel(*policy, state))...)
}

// Update removes the policy and creates it again with the new values, since Exchange has no cmdlet
// to change one. If the create fails, the old policy is put back before the error is returned.
func (r *approvalPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state approvalPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, policyObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	plan.TenantID = types.StringValue(r.client.tenantID)
	recordIdentity(ctx, resp.Identity, r.identity(state.Task), &resp.Diagnostics)
	ctx, finish := startOperation(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer finish()
	action := fmt.Sprintf("update the approval policy for %s", state.Task.ValueString())

	// The plan may be older than the tenant (a saved plan applied later): act only on the policy
	// the plan was made from, as it is now.
	policies, err := r.client.tenant.FreshApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, action, err, "")
		return
	}
	if pamtenant.PolicyByID(policies, state.ID.ValueString()) == nil {
		changedSincePlan(&resp.Diagnostics, state, pamtenant.PolicyForTask(policies, state.Task.ValueString()))
		return
	}
	if !policyNeedsRecreate(state, plan) {
		plan.ID = state.ID
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}

	err = r.client.tenant.RemoveApprovalPolicy(ctx, state.ID.ValueString())
	if err != nil && !apierr.IsNotFound(err) {
		addServiceError(&resp.Diagnostics, action, err, "The old policy is still in place; nothing was changed.")
		return
	}
	in := newPolicyInput(plan)
	in.Replaces = state.ID.ValueString()
	created, createErr := r.client.tenant.CreateApprovalPolicy(ctx, in)
	if createErr == nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, policyModel(*created, plan))...)
		// Until the new policy shows, reads still show the old one, and the next plan would undo this.
		if err := r.waitUntilVisible(ctx, created.Identity); err != nil {
			resp.Diagnostics.AddWarning("Approval policy not yet visible",
				fmt.Sprintf("Policy %s was created, but reading it back did not succeed yet: %s. The next plan will "+
					"read it again.", created.Identity, err))
		}
		return
	}

	// Put the old policy back with a context of its own: the update's may be what ran out.
	restoreCtx, cancelRestore := context.WithTimeout(context.WithoutCancel(ctx), defaultCreateTimeout)
	defer cancelRestore()
	old := newPolicyInput(state)
	old.Replaces = state.ID.ValueString()
	restored, restoreErr := r.client.tenant.RestoreApprovalPolicy(restoreCtx, old)
	if restoreErr == nil {
		// Exchange replicates the restored policy; wait until reads show it, so the next plan
		// finds it instead of planning a second one.
		if err := r.waitUntilVisible(restoreCtx, restored.Identity); err != nil {
			resp.Diagnostics.AddWarning("Approval policy not yet visible",
				fmt.Sprintf("Policy %s was created, but reading it back did not succeed yet: %s. The next plan will "+
					"read it again.", restored.Identity, err))
		}
	}
	if restoreErr == nil && pamtenant.HasSettings(*restored, plan.ApprovalType.ValueString(), plan.ApproverGroup.ValueString()) {
		// The create went through after all, though its answer said otherwise.
		resp.Diagnostics.Append(resp.State.Set(ctx, policyModel(*restored, plan))...)
		return
	}
	if restoreErr != nil {
		resp.State.RemoveResource(ctx)
		addServiceError(&resp.Diagnostics, action, errors.Join(createErr, restoreErr),
			fmt.Sprintf("The old policy was removed, the new one could not be created, and putting the old one "+
				"back failed too: task %s has NO approval policy now. Run apply again as soon as the cause is fixed.",
				state.Task.ValueString()))
		return
	}
	if !pamtenant.HasSettings(*restored, state.ApprovalType.ValueString(), state.ApproverGroup.ValueString()) {
		// Someone else's policy holds the task now: say what it is, and do not take it over.
		resp.State.RemoveResource(ctx)
		addServiceError(&resp.Diagnostics, action, createErr,
			fmt.Sprintf("The new policy could not be created, and the old one was not put back: task %s is guarded now by "+
				"policy %s (approval type %s, approver group %s), which this apply did not create; another admin may "+
				"have replaced the policy since the plan. It is not recorded in state. Review it, then import it to "+
				"manage it:\n\n%s\nor remove it in the tenant and apply again.", restored.Task, restored.Identity,
				restored.ApprovalType, restored.ApproverGroup, importBlock("o365pam_approval_policy", restored.Identity)))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, policyModel(*restored, state))...)
	addServiceError(&resp.Diagnostics, action, createErr,
		fmt.Sprintf("The new policy could not be created. Task %s is guarded by policy %s with the old settings "+
			"(approval type %s, approver group %s).", restored.Task, restored.Identity, restored.ApprovalType, restored.ApproverGroup))
}

// changedSincePlan refuses an update whose policy is no longer in the tenant: removed, or replaced
// by now (another policy for the task), after the plan was made. Nothing is sent.
func changedSincePlan(diags *diag.Diagnostics, state approvalPolicyModel, now *pamtenant.ApprovalPolicy) {
	what := "has no approval policy now"
	if now != nil {
		what = fmt.Sprintf("has policy %s now (approval type %s, approver group %s), set outside Terraform",
			now.Identity, now.ApprovalType, now.ApproverGroup)
	}
	diags.AddError("Approval policy changed after the plan",
		fmt.Sprintf("The plan was made from approval policy %s of task %s, but the task %s. Nothing was changed. "+
			"Plan again to see the tenant as it is, then apply that plan.", state.ID.ValueString(), state.Task.ValueString(), what))
}

func (r *approvalPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state approvalPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, policyObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer finish()
	err := r.client.tenant.RemoveApprovalPolicy(ctx, state.ID.ValueString())
	if err != nil && !apierr.IsNotFound(err) {
		addServiceError(&resp.Diagnostics, "remove approval policy "+state.ID.ValueString(), err, "")
		return
	}
	// The plans Terraform makes during the apply for creations after this one count it as gone.
	r.client.policies.noteRemoved(state.ID.ValueString())
}

// ImportState takes a policy GUID or a task name (an identity's task), and refuses either when the
// tenant has no such policy.
func (r *approvalPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	c, id := r.tenants.importTarget(ctx, req, "task", &resp.Diagnostics)
	if c == nil {
		return
	}
	r = inTenant(r, c)
	_, err := uuid.Parse(id)
	byID := err == nil
	if !byID {
		if problem := checkTask(id); problem != "" {
			resp.Diagnostics.AddError("Invalid import id",
				"Import an approval policy by its GUID or by its task name. "+problem)
			return
		}
	}
	policies, err := r.client.tenant.ApprovalPolicies(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "find approval policy "+id, err, "")
		return
	}
	policy := pamtenant.PolicyForTask(policies, id)
	if byID {
		policy = pamtenant.PolicyByID(policies, id)
	}
	if policy == nil {
		what := "for task " + id
		if byID {
			what = id
		}
		resp.Diagnostics.AddError("No such approval policy",
			fmt.Sprintf("The tenant has no approval policy %s. Import a policy by its GUID or its task; "+
				"data.o365pam_approval_policies lists them.", what))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), policy.Identity)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathTenantID, r.client.tenantID)...)
	setIdentity(ctx, resp.Identity, r.identity(types.StringValue(policy.Task)), &resp.Diagnostics)
}

// waitUntilVisible polls until the service lists the new policy. Each poll is a list read that
// starts after the poll does; creates running at the same time share it.
func (r *approvalPolicyResource) waitUntilVisible(ctx context.Context, id string) error {
	return r.client.tenant.WaitFor(ctx, settleTimeout, func(ctx context.Context) (bool, error) {
		policies, err := r.client.tenant.FreshApprovalPolicies(ctx)
		return err == nil && pamtenant.PolicyByID(policies, id) != nil, err
	})
}
