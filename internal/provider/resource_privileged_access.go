package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var (
	_ resource.ResourceWithImportState = (*privilegedAccessResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*privilegedAccessResource)(nil)
)

// accessObject names the resource in diagnostics.
const accessObject = "o365pam_privileged_access"

func newPrivilegedAccessResource() resource.Resource { return &privilegedAccessResource{} }

type privilegedAccessResource struct{ tenantBinding }

type privilegedAccessModel struct {
	ID                   types.String   `tfsdk:"id"`
	TenantID             types.String   `tfsdk:"tenant_id"`
	DefaultApproverGroup types.String   `tfsdk:"default_approver_group"`
	SystemAccounts       types.Set      `tfsdk:"system_accounts"`
	Enabled              types.Bool     `tfsdk:"enabled"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// accessModel converts what the service reports. Exchange is not known to expose the default
// approver group or the system accounts, so where it reports nothing the prior values stay.
func accessModel(ctx context.Context, status pamtenant.PrivilegedAccessStatus, tenantID string, prior privilegedAccessModel) privilegedAccessModel {
	m := prior
	m.ID = types.StringValue(tenantID)
	m.TenantID = types.StringValue(tenantID)
	m.Enabled = types.BoolValue(status.Enabled)
	if status.AdminGroup != "" {
		m.DefaultApproverGroup = keepSpelling(prior.DefaultApproverGroup, status.AdminGroup)
	}
	if len(status.SystemAccounts) > 0 {
		var priorAccounts []string
		if !prior.SystemAccounts.IsNull() && !prior.SystemAccounts.IsUnknown() {
			_ = prior.SystemAccounts.ElementsAs(ctx, &priorAccounts, false)
		}
		if !sameFold(priorAccounts, status.SystemAccounts) {
			m.SystemAccounts = setOfStrings(status.SystemAccounts)
		}
	}
	return m
}

// recordedTenant is the tenant the state belongs to. State written before tenant_id existed names
// it by its id: the tenant id or the domain the provider was configured with then.
func (r *privilegedAccessResource) recordedTenant(state privilegedAccessModel) types.String {
	home := r.tenants.home
	if state.TenantID.IsNull() && !state.ID.IsNull() && (home == nil || !home.namesThisTenant(state.ID.ValueString())) {
		return state.ID
	}
	return state.TenantID
}

func (r *privilegedAccessResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_privileged_access"
}

func (r *privilegedAccessResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Turns on privileged access management for the tenant, with a default approver " +
			"group and optional system accounts that the control does not apply to. There is one per tenant.\n\n" +
			"**Destroying this resource, or removing its block, turns privileged access management OFF for the " +
			"whole tenant.** Approval policies and approver groups stay, but no task needs approval until it is " +
			"enabled again. Protect it with `lifecycle { prevent_destroy = true }`; to stop managing it without " +
			"turning it off, use a `removed` block with `lifecycle { destroy = false }` (Terraform 1.7+).\n\n" +
			"Exchange reports whether privileged access is on, but is not known to report the default approver " +
			"group or the system accounts. The provider therefore detects PAM being turned off out of band, but " +
			"keeps the configured `default_approver_group` and `system_accounts` as they were last applied: a change " +
			"to them made outside Terraform is not shown in a plan.\n\n" +
			"After an import both are unknown. Leave `default_approver_group` unset (as `-generate-config-out` writes " +
			"it) to keep the settings in place untouched. Once it is set, the next apply sends the default approver " +
			"group and the system accounts as configured, replacing whatever the tenant has; the plan warns about " +
			"each value it sends without knowing the one it replaces. An unset `system_accounts` is sent as none, " +
			"so list every service account that must stay outside the control.\n\n" +
			"Changing the settings of an enabled tenant may turn privileged access off and on again within the apply, " +
			"because Exchange is not known to accept new settings while it is on.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The tenant's GUID, as `tenant_id`. Use it (or the tenant's initial domain) to import an already enabled tenant.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"tenant_id": tenantIDAttribute(),
			"default_approver_group": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Primary SMTP address of the mail-enabled security group that approves requests " +
					"by default, usually `o365pam_approver_group.<name>.primary_smtp_address`. Compared without regard to " +
					"case. Required to enable privileged access. When unset on an existing (imported) resource, the " +
					"settings in place are kept and nothing is sent.",
				Validators:    []validator.String{addressValidator()},
				PlanModifiers: []planmodifier.String{keepWhenUnset{}, keepSpellingInPlan()},
			},
			"system_accounts": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "UPNs of service accounts that privileged access does not apply to, so that " +
					"automation keeps running. Each must be an existing user. Compared without regard to case. Exchange " +
					"is not known to report the current list, so every apply that sends settings sends exactly this " +
					"list: unset sends none.",
				Validators:    []validator.Set{setvalidator.ValueStringsAre(addressValidator()), setvalidator.SizeAtLeast(1)},
				PlanModifiers: []planmodifier.Set{keepSpellingsInPlan()},
			},
			"enabled": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the service reports privileged access as enabled.",
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx),
		},
	}
}

func (r *privilegedAccessResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan refuses settings it cannot send, warns about values sent without knowing the ones they
// replace, and runs the safety checks.
func (r *privilegedAccessResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	creating := req.State.Raw.IsNull()
	var plan, state privilegedAccessModel
	if !creating {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if r.tenants == nil {
		return
	}
	if r = planIn(ctx, r, req, resp, accessObject, r.recordedTenant(state)); r == nil || req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !state.DefaultApproverGroup.IsNull() && r.client.notePAMGroup(state.DefaultApproverGroup.ValueString()) {
		groupInUseFinding(state.DefaultApproverGroup.ValueString(), []string{"the default approver group of privileged access"}).addTo(&resp.Diagnostics)
	}
	sends := creating || settingsSent(ctx, state, plan, &resp.Diagnostics)
	if sends && plan.DefaultApproverGroup.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("default_approver_group"), "Default approver group not set",
			"Enabling privileged access, or changing its system accounts, sends the default approver group too, "+
				"and Exchange is not known to report the one in place. Set default_approver_group.")
		return
	}
	if !creating && sends {
		for _, f := range sentSettingsFindings(ctx, state, plan, &resp.Diagnostics) {
			f.addTo(&resp.Diagnostics)
		}
	}
	checkPrivilegedAccessPlan(ctx, r.client, plan, state, creating, &resp.Diagnostics)
}

// keepWhenUnset plans the value in state for an unset attribute: unset means "leave it as it is",
// also when the value in state is not known (null after an import).
type keepWhenUnset struct{}

func (keepWhenUnset) Description(context.Context) string {
	return "When unset, the value in state is kept and nothing is sent."
}

func (m keepWhenUnset) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (keepWhenUnset) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.ConfigValue.IsNull() {
		resp.PlanValue = req.StateValue
	}
}

func (r *privilegedAccessResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan privilegedAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, accessObject, plan.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer finish()

	status, err := r.client.tenant.PrivilegedAccess(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read whether privileged access is enabled", err, "")
		return
	}
	if status.Enabled {
		resp.Diagnostics.AddError("Privileged access is already enabled",
			fmt.Sprintf("Privileged access management is already on in tenant %s, so Terraform will not take it over "+
				"silently: it may have been enabled by hand, or by an apply that was stopped before it could save its "+
				"state. To manage it, import it, then plan again:\n\n%s\nAn import cannot read the settings in place; "+
				"the plan after it warns about each value it would send.",
				r.client.tenantID, importBlock("o365pam_privileged_access", r.client.tenantID)))
		return
	}
	if err := r.enable(ctx, plan, false, &resp.Diagnostics); err != nil {
		addServiceError(&resp.Diagnostics, "enable privileged access", err, "")
		return
	}
	plan.ID = types.StringValue(r.client.tenantID)
	plan.TenantID = types.StringValue(r.client.tenantID)
	plan.Enabled = types.BoolValue(true)
	recordIdentity(ctx, resp.Identity, r.identity(), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	err = r.client.tenant.WaitFor(ctx, settleTimeout, func(ctx context.Context) (bool, error) {
		status, err := r.client.tenant.FreshPrivilegedAccess(ctx)
		return err == nil && status.Enabled, err
	})
	if err != nil {
		resp.Diagnostics.AddWarning("Privileged access not yet shown as enabled",
			fmt.Sprintf("Privileged access was enabled, but the organization config did not show it "+
				"yet: %s. The next plan reads it again.", err))
	}
}

func (r *privilegedAccessResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state privilegedAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = refreshIn(ctx, r, accessObject, r.recordedTenant(state), &resp.Diagnostics); r == nil {
		return
	}
	recordIdentity(ctx, resp.Identity, r.identity(), &resp.Diagnostics)
	ctx, finish := startOperation(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer finish()
	status, err := r.client.tenant.PrivilegedAccess(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read whether privileged access is enabled", err, readHint(err))
		return
	}
	if !status.Enabled {
		// Someone turned PAM off: the enablement this resource stands for is gone.
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, accessModel(ctx, status, r.client.tenantID, state))...)
}

// Update runs Enable-ElevatedAccessControl with the new settings. If the service refuses to run it
// while PAM is on, it turns PAM off and on again; should the new settings then fail, it puts the old
// ones back, so PAM is never left off by a failed apply that could be avoided.
func (r *privilegedAccessResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state privilegedAccessModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, accessObject, r.recordedTenant(state), &resp.Diagnostics); r == nil {
		return
	}
	recordIdentity(ctx, resp.Identity, r.identity(), &resp.Diagnostics)
	ctx, finish := startOperation(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer finish()
	plan.ID = types.StringValue(r.client.tenantID)
	plan.TenantID = types.StringValue(r.client.tenantID)
	plan.Enabled = types.BoolValue(true)
	// The plan may be older than the tenant (a saved plan applied later): it was made with
	// privileged access on, and turning it on again is not what it shows.
	if status, err := r.client.tenant.FreshPrivilegedAccess(ctx); err != nil {
		addServiceError(&resp.Diagnostics, "read whether privileged access is enabled", err, "")
		return
	} else if !status.Enabled {
		resp.Diagnostics.AddError("Privileged access was turned off after the plan",
			"The plan was made with privileged access management on, and it is off in the tenant now (turned off "+
				"outside Terraform). Nothing was sent. Plan again: the plan then shows turning it on.")
		return
	}
	if !settingsSent(ctx, state, plan, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}

	firstErr := r.enable(ctx, plan, true, &resp.Diagnostics)
	if firstErr == nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	// Only a refusal may mean "not while it is on"; a throttle, a timeout or a missing permission
	// would fail the same way after turning PAM off.
	if !apierr.Is(firstErr, apierr.KindInvalidInput) {
		addServiceError(&resp.Diagnostics, "change privileged access settings", firstErr,
			"Privileged access is still on with its previous settings.")
		return
	}
	// Turning PAM off briefly is only worth the risk when the new settings are sound.
	if err := r.checkSettings(ctx, plan); err != nil {
		addServiceError(&resp.Diagnostics, "change privileged access settings", errors.Join(firstErr, err),
			"Privileged access is still on with its previous settings.")
		return
	}
	err := r.client.tenant.DisablePrivilegedAccess(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "change privileged access settings", errors.Join(firstErr, err),
			"Privileged access is still on with its previous settings.")
		return
	}
	secondErr := r.enable(ctx, plan, false, &resp.Diagnostics)
	if secondErr == nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
		return
	}
	restoreCtx, cancelRestore := context.WithTimeout(context.WithoutCancel(ctx), defaultCreateTimeout)
	defer cancelRestore()
	if state.DefaultApproverGroup.IsNull() {
		resp.State.RemoveResource(ctx)
		addServiceError(&resp.Diagnostics, "change privileged access settings", secondErr,
			"The new settings were refused after privileged access was turned off to change them, and the previous "+
				"settings are not known (the resource was imported): privileged access management is OFF for the tenant. "+
				"Fix the settings and run apply again at once.")
		return
	}
	if err := r.enable(restoreCtx, state, false, &resp.Diagnostics); err != nil {
		resp.State.RemoveResource(ctx)
		addServiceError(&resp.Diagnostics, "change privileged access settings", errors.Join(secondErr, err),
			"The new settings were refused and turning privileged access back on with the old settings failed "+
				"too: privileged access management is OFF for the tenant. Run apply again as soon as the cause is fixed.")
		return
	}
	addServiceError(&resp.Diagnostics, "change privileged access settings", secondErr,
		"The new settings were refused; privileged access was turned back on with the previous settings.")
}

func (r *privilegedAccessResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state privilegedAccessModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, accessObject, r.recordedTenant(state), &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer finish()
	err := r.client.tenant.DisablePrivilegedAccess(ctx)
	if err == nil {
		return
	}
	// Already off (turned off by hand, or by an earlier try whose answer was lost): the resource is gone.
	if status, readErr := r.client.tenant.FreshPrivilegedAccess(ctx); readErr == nil && !status.Enabled {
		return
	}
	addServiceError(&resp.Diagnostics, "disable privileged access", err, "")
}

// ImportState takes the tenant's GUID, its initial domain or the tenant as the provider's tenant_id
// names it, as an id or an identity's tenant_id; there is nothing else to import. State records the
// GUID.
func (r *privilegedAccessResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := importKey(ctx, req, "tenant_id", &resp.Diagnostics)
	if r.tenants == nil {
		resp.Diagnostics.AddError("Provider not configured", "The provider must be configured before import.")
		return
	}
	tenant := types.StringNull() // the provider's own
	if home := r.tenants.home; home == nil || !home.namesThisTenant(id) {
		if !tenantGUIDPattern.MatchString(strings.ToLower(id)) {
			resp.Diagnostics.AddError("Import id is not a tenant",
				fmt.Sprintf("The import id is %q. Import privileged access by its tenant's GUID, or by the initial domain "+
					"of the provider's own tenant.", id))
			return
		}
		tenant = types.StringValue(strings.ToLower(id))
	}
	if r = atTenant(ctx, r, accessObject, tenant, &resp.Diagnostics); r == nil {
		return
	}
	status, err := r.client.tenant.PrivilegedAccess(ctx)
	if err != nil {
		addServiceError(&resp.Diagnostics, "read whether privileged access is enabled", err, "")
		return
	}
	if !status.Enabled {
		resp.Diagnostics.AddError("Privileged access is not enabled",
			"There is nothing to import: privileged access management is off in this tenant. Remove the import "+
				"and let Terraform enable it.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), r.client.tenantID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathTenantID, r.client.tenantID)...)
	setIdentity(ctx, resp.Identity, r.identity(), &resp.Diagnostics)
}

func (r *privilegedAccessResource) enable(ctx context.Context, m privilegedAccessModel, alreadyOn bool, diags *diag.Diagnostics) error {
	accounts := stringSet(ctx, m.SystemAccounts, diags)
	return r.client.tenant.EnablePrivilegedAccess(ctx, m.DefaultApproverGroup.ValueString(), accounts, alreadyOn)
}

// checkSettings confirms that the default approver group is a mail-enabled security group and that
// every system account is a user, as Enable-ElevatedAccessControl requires.
func (r *privilegedAccessResource) checkSettings(ctx context.Context, m privilegedAccessModel) error {
	group, err := r.client.tenant.SecurityGroup(ctx, m.DefaultApproverGroup.ValueString())
	if err != nil {
		return err
	}
	if !group.IsSecurityGroup() {
		return fmt.Errorf("%s is a %s, not a mail-enabled security group", m.DefaultApproverGroup.ValueString(), group.RecipientTypeDetails)
	}
	var diags diag.Diagnostics
	for _, account := range stringSet(ctx, m.SystemAccounts, &diags) {
		if _, err := r.client.tenant.ResolveUser(ctx, account); err != nil {
			return fmt.Errorf("system account %s: %w", account, err)
		}
	}
	return nil
}

// settingsSent reports whether applying the plan sends the settings, which always go together:
// a value not known yet (a group created in the same apply) counts as a change.
func settingsSent(ctx context.Context, state, plan privilegedAccessModel, diags *diag.Diagnostics) bool {
	if plan.DefaultApproverGroup.IsUnknown() || plan.SystemAccounts.IsUnknown() {
		return true
	}
	planned, known := knownStrings(ctx, plan.SystemAccounts, diags)
	return !known || !strings.EqualFold(state.DefaultApproverGroup.ValueString(), plan.DefaultApproverGroup.ValueString()) ||
		!sameFold(stringSet(ctx, state.SystemAccounts, diags), planned)
}
