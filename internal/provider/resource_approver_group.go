package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

var (
	_ resource.ResourceWithImportState    = (*approverGroupResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*approverGroupResource)(nil)
	_ resource.ResourceWithValidateConfig = (*approverGroupResource)(nil)
)

func newApproverGroupResource() resource.Resource { return &approverGroupResource{} }

type approverGroupResource struct{ tenantBinding }

// approverGroupAttributes are what the resource and the data source both show of a group.
type approverGroupAttributes struct {
	ID                 types.String `tfsdk:"id"`
	ObjectID           types.String `tfsdk:"object_id"`
	Name               types.String `tfsdk:"name"`
	PrimarySMTPAddress types.String `tfsdk:"primary_smtp_address"`
	DisplayName        types.String `tfsdk:"display_name"`
	Alias              types.String `tfsdk:"alias"`
	Description        types.String `tfsdk:"description"`
	Members            types.Set    `tfsdk:"members"`
	Owners             types.Set    `tfsdk:"owners"`
}

type approverGroupModel struct {
	approverGroupAttributes
	approverGroupFindings
	TenantID types.String   `tfsdk:"tenant_id"`
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// groupObject names a group in diagnostics.
func groupObject(m approverGroupModel) string {
	return fmt.Sprintf("o365pam_approver_group %q", m.Name.ValueString())
}

// groupModel converts a snapshot, keeping prior spellings where they still name the same thing.
func groupModel(ctx context.Context, s pamtenant.GroupSnapshot, prior approverGroupModel, diags *diag.Diagnostics) approverGroupModel {
	m := approverGroupModel{
		approverGroupAttributes: approverGroupAttributes{
			ID:                 types.StringValue(s.Group.GUID),
			ObjectID:           types.StringValue(s.Group.ExternalDirectoryObjectID),
			Name:               keepSpelling(prior.Name, s.Group.Name),
			PrimarySMTPAddress: keepSpelling(prior.PrimarySMTPAddress, s.Group.PrimarySmtpAddress),
			DisplayName:        keepSpelling(prior.DisplayName, s.Group.DisplayName),
			Alias:              keepSpelling(prior.Alias, s.Group.Alias),
			Description:        types.StringNull(),
			Members:            setOfStrings(spellingsFor(s.Members, stringSet(ctx, prior.Members, diags))),
			Owners:             setOfStrings(spellingsFor(s.Owners, stringSet(ctx, prior.Owners, diags))),
		},
		approverGroupFindings: prior.approverGroupFindings,
		TenantID:              prior.TenantID,
		Timeouts:              prior.Timeouts,
	}
	if s.Group.Description != "" || (!prior.Description.IsNull() && prior.Description.ValueString() == "") {
		m.Description = types.StringValue(s.Group.Description)
	}
	return m
}

func (r *approverGroupResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_approver_group"
}

func (r *approverGroupResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	people := func(desc string, validators ...validator.Set) schema.SetAttribute {
		return schema.SetAttribute{
			Optional: true, Computed: true, ElementType: types.StringType, MarkdownDescription: desc,
			Validators:    append([]validator.Set{setvalidator.ValueStringsAre(addressValidator())}, validators...),
			PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown(), keepSpellingsInPlan()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A mail-enabled security group whose members approve privileged access requests. " +
			"Microsoft Graph cannot create or change such groups, so the provider manages them through Exchange " +
			"Online; members are read back through Microsoft Graph and compared by identity, so a member written " +
			"as a UPN and reported by its SMTP address, or in different upper and lower case, is not a change.\n\n" +
			"Exchange lets no two groups share a name or address, so `-replace` of a group that keeps them is refused " +
			"at plan (under `create_before_destroy` the create would be refused): to recreate a group, run " +
			"`terraform apply -destroy -target=<address>`, then apply. To rotate approvers, give the new group another " +
			"name and address; with `create_before_destroy` recorded on the old group, one apply moves what uses it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The group's Exchange GUID.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"object_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The group's Microsoft Entra object id.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The group's unique name, at most 64 characters (characters, not bytes).",
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, 64), notBlank()},
			},
			"primary_smtp_address": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The group's primary e-mail address, in one of the tenant's accepted domains. " +
					"Compared without regard to case.",
				Validators:    []validator.String{addressValidator()},
				PlanModifiers: []planmodifier.String{keepSpellingInPlan()},
			},
			"display_name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The name shown in address lists, at most 256 characters. Defaults to `name`, " +
					"and follows it when `name` changes; when unset, a display name changed outside Terraform is " +
					"shown in the plan and set back to `name`.",
				Validators:    []validator.String{stringvalidator.UTF8LengthBetween(1, 256), notBlank()},
				PlanModifiers: []planmodifier.String{defaultsTo(path.Root("name"), "Defaults to the planned name.")},
			},
			"alias": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The group's Exchange alias, at most 64 characters. Compared without regard to " +
					"case. Exchange derives one when unset; then the alias is not watched: one changed outside " +
					"Terraform is taken into state without a plan showing it.",
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 64), aliasValidator()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), keepSpellingInPlan()},
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "A description of the group (Exchange's `Description`).",
			},
			"members": people("UPNs or SMTP addresses of the approvers. Each must be an existing user. A member deleted " +
				"from the directory leaves the group; while it is still listed here the plan warns, shows it as drift and " +
				"an apply is refused: remove it from `members`. Members of " +
				"every kind are read back: a group or mail contact added outside Terraform shows by its SMTP address, " +
				"and the plan removes it; to keep it, list that address here. When unset, Terraform does not manage membership " +
				"and reports the members the group has, without a plan showing changes made outside Terraform."),
			"owners": people("UPNs or SMTP addresses of the group's owners (Exchange's `ManagedBy`). Exchange requires "+
				"a group to have at least one owner, so an empty list is refused. When unset, owners are not managed "+
				"or watched: the group keeps the owners Exchange assigned or someone set, and owners changed outside "+
				"Terraform are taken into state without a plan showing it. Removing `owners` from the configuration "+
				"therefore stops managing them and leaves the current owners in place; to change owners, list the new ones.",
				setvalidator.SizeAtLeast(1)),
			"approver_count": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "How many members the group has: the planned count when `members` is known at plan " +
					"time. Policy tools reading `terraform show -json` can require a minimum (the plan warns below two).",
			},
			"unlicensed_members": schema.SetAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Members without a licence that includes privileged access management, who " +
					"therefore cannot approve requests; known at plan time when `members` is. Licences are read for " +
					"members the plan adds or that joined outside Terraform; the others keep their earlier finding. " +
					"Null when the licences could not be read.",
			},
			"tenant_id": tenantIDAttribute(),
			"timeouts":  timeoutsAttribute(ctx),
		},
	}
}

func (r *approverGroupResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses a person listed twice in different case, which a set would keep as two.
func (r *approverGroupResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	for _, attr := range []string{"members", "owners"} {
		var set types.Set
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attr), &set)...)
		seen := map[string]string{}
		for _, v := range stringSet(ctx, set, &resp.Diagnostics) {
			key := strings.ToLower(v)
			if first, dup := seen[key]; dup {
				resp.Diagnostics.AddAttributeError(path.Root(attr), "Person listed twice",
					fmt.Sprintf("%q and %q name the same person; list each once.", first, v))
			}
			seen[key] = v
		}
	}
}

// ModifyPlan checks at plan time that every newly listed member and owner exists and that no two
// entries name the same person, so that a typo fails the plan, not the apply. The people the plan
// adds are looked up together, many per Graph call.
func (r *approverGroupResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan, state approverGroupModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if !req.Plan.Raw.IsNull() {
		resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	object := groupObject(state)
	if !req.Plan.Raw.IsNull() {
		object = groupObject(plan)
	}
	if r = planIn(ctx, r, req, resp, object, state.TenantID); r == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		if !req.State.Raw.IsNull() {
			checkGroupRemoval(ctx, r.client, state.PrimarySMTPAddress.ValueString(), &resp.Diagnostics)
		}
		return
	}
	if req.State.Raw.IsNull() {
		checkGroupReplacement(ctx, r.client, plan, privateJSON[replacedGroup](ctx, req.Private, privatePlannedGroup, &resp.Diagnostics), &resp.Diagnostics)
	} else {
		setPrivateJSON(ctx, resp.Private, privatePlannedGroup, replacedGroup{ID: state.ID.ValueString(),
			ObjectID: state.ObjectID.ValueString(), Name: state.Name.ValueString(), Address: state.PrimarySMTPAddress.ValueString()},
			&resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	people, err := r.client.tenant.UsersByName(ctx, newPeople(ctx, plan, state, &resp.Diagnostics))
	if err != nil {
		addServiceError(&resp.Diagnostics, "look up the members and owners of "+plan.Name.ValueString(), err, "")
		return
	}
	departed := foldSet(loadDeparted(ctx, req.Private, &resp.Diagnostics))
	checkPeople("members", groupObject(plan), stringSet(ctx, plan.Members, &resp.Diagnostics), stringSet(ctx, state.Members, &resp.Diagnostics), people, departed, &resp.Diagnostics)
	checkPeople("owners", groupObject(plan), stringSet(ctx, plan.Owners, &resp.Diagnostics), stringSet(ctx, state.Owners, &resp.Diagnostics), people, departed, &resp.Diagnostics)
	findings := checkApproverGroupPlan(ctx, r.client, plan, state, req.State.Raw.IsNull(), people, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("approver_count"), findings.ApproverCount)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("unlicensed_members"), findings.UnlicensedMembers)...)
}

func (r *approverGroupResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan approverGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, groupObject(plan), plan.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer finish()

	in := pamtenant.NewGroup{
		Name:               plan.Name.ValueString(),
		PrimarySmtpAddress: plan.PrimarySMTPAddress.ValueString(),
		DisplayName:        plan.DisplayName.ValueString(),
		Alias:              plan.Alias.ValueString(),
		Description:        plan.Description.ValueString(),
		Members:            stringSet(ctx, plan.Members, &resp.Diagnostics),
		ManagedBy:          stringSet(ctx, plan.Owners, &resp.Diagnostics),
	}
	created, err := r.client.tenant.CreateGroup(ctx, in)
	if err != nil {
		addServiceError(&resp.Diagnostics, fmt.Sprintf("create approver group %q", in.Name), err, r.existingGroupHint(ctx, in, err))
		return
	}
	// Record the group at once, so that nothing is lost if reading it back fails.
	plan.ID = types.StringValue(created.GUID)
	plan.ObjectID = types.StringValue(created.ExternalDirectoryObjectID)
	plan.TenantID = types.StringValue(r.client.tenantID)
	recordIdentity(ctx, resp.Identity, r.identity(plan.ID), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)

	snap, err := r.readSettled(ctx, created.GUID, plan, created, &resp.Diagnostics)
	if err != nil {
		// The group exists: record it as created rather than fail, which would taint it and make the
		// next apply replace it.
		resp.Diagnostics.Append(resp.State.Set(ctx, r.client.withFindings(ctx, createdGroupModel(ctx, *created, plan, &resp.Diagnostics), plan, &resp.Diagnostics))...)
		resp.Diagnostics.AddWarning("Approver group created but not read back yet",
			fmt.Sprintf("Group %q was created (id %s), but reading it back did not succeed yet: %s\n\nIt is recorded in "+
				"state as configured; the next plan reads it again.", in.Name, created.GUID, err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, r.client.withFindings(ctx, groupModel(ctx, *snap, plan, &resp.Diagnostics), plan, &resp.Diagnostics))...)
}

// privatePlannedGroup is the private data key holding the group a plan started from.
const privatePlannedGroup = "planned_group"

// replacedGroup is the group a planned creation replaces; empty when it replaces none.
type replacedGroup struct{ ID, ObjectID, Name, Address string }

// existingGroupHint explains a create refused because the name or address is taken. A mail-enabled
// security group of that name is not taken over, even if an apply stopped before saving its state
// made it: nothing proves it is this configuration's. The hint gives the import block instead.
func (r *approverGroupResource) existingGroupHint(ctx context.Context, in pamtenant.NewGroup, err error) string {
	if !apierr.Is(err, apierr.KindAlreadyExists) {
		return ""
	}
	for _, key := range []string{in.PrimarySmtpAddress, in.Name} {
		group, lookupErr := r.client.tenant.LookupGroup(ctx, key)
		if lookupErr != nil || !group.IsSecurityGroup() || !strings.EqualFold(group.Name, in.Name) {
			continue
		}
		return fmt.Sprintf("A mail-enabled security group %q (%s, id %s) exists already, and Terraform does not take "+
			"over a group it did not create in this apply. %s If it is not in state (for example made by an apply "+
			"that was stopped before it saved its state) and this resource stands for it, import it, then plan "+
			"again:\n\n%s\nOtherwise choose another name and address.", group.Name, group.PrimarySmtpAddress,
			group.GUID, replacedInStateHint, importBlock("o365pam_approver_group", group.PrimarySmtpAddress))
	}
	// Exchange may not show a group made seconds ago (an apply stopped just after creating it), so
	// the import block is offered for the planned address too.
	return fmt.Sprintf("Another recipient of the tenant uses this name, alias or address. If it is a group that "+
		"exists already for this resource (for example made by an apply that was stopped before it saved its "+
		"state, which Exchange may not show for a few minutes), import it, then plan again:\n\n%s\n"+
		"Otherwise choose another name, alias and address.", importBlock("o365pam_approver_group", in.PrimarySmtpAddress))
}

// createdGroupModel is the state of a group that New-DistributionGroup made but the services do not
// show yet: the plan's values, with what the plan left to the service taken from the create's answer.
func createdGroupModel(ctx context.Context, created pamtenant.DistributionGroup, plan approverGroupModel, diags *diag.Diagnostics) approverGroupModel {
	m := plan
	m.ID = types.StringValue(created.GUID)
	m.ObjectID = types.StringValue(created.ExternalDirectoryObjectID)
	if m.DisplayName.IsUnknown() {
		m.DisplayName = types.StringValue(created.DisplayName)
	}
	if m.Alias.IsUnknown() {
		m.Alias = types.StringValue(created.Alias)
	}
	if m.Members.IsUnknown() {
		m.Members = setOfStrings(stringSet(ctx, plan.Members, diags))
	}
	if m.Owners.IsUnknown() {
		m.Owners = setOfStrings(created.ManagedBy)
	}
	return m
}

func (r *approverGroupResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state approverGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = refreshIn(ctx, r, groupObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	state.TenantID = types.StringValue(r.client.tenantID)
	recordIdentity(ctx, resp.Identity, r.identity(state.ID), &resp.Diagnostics)
	ctx, finish := startOperation(ctx, state.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer finish()
	snap, err := r.client.tenant.GroupSnapshot(ctx, state.ID.ValueString(), state.ObjectID.ValueString())
	if apierr.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "read approver group "+state.Name.ValueString(), err, readHint(err))
		return
	}
	read := groupModel(ctx, *snap, state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateDeparted, r.departed(ctx, req.Private, state, read, &resp.Diagnostics))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, r.client.withFindings(ctx, read, state, &resp.Diagnostics))...)
}

func (r *approverGroupResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state approverGroupModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, groupObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	plan.TenantID = types.StringValue(r.client.tenantID)
	recordIdentity(ctx, resp.Identity, r.identity(state.ID), &resp.Diagnostics)
	ctx, finish := startOperation(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer finish()
	id := state.ID.ValueString()
	action := "update approver group " + state.Name.ValueString()

	// The plan may be older than the tenant (a saved plan applied later, another admin at work):
	// changes are computed against the group as it is now, so that the apply converges on the plan.
	live, err := r.client.tenant.FreshGroupSnapshot(ctx, id, nil)
	if err != nil {
		addServiceError(&resp.Diagnostics, action+": read it as it is now", err, notFoundHint(err,
			"The group was removed after the plan was made. Plan again: Terraform then plans to create it."))
		return
	}
	if r.refuseDeparted(ctx, req.Private, plan, &resp.Diagnostics) {
		return
	}
	current := groupModel(ctx, *live, state, &resp.Diagnostics)
	if change, ok := groupChanges(ctx, id, current, plan, &resp.Diagnostics); ok {
		err := r.client.tenant.UpdateGroup(ctx, state.ObjectID.ValueString(), change)
		if err != nil {
			addServiceError(&resp.Diagnostics, action, err, "")
			return
		}
	}
	planned := stringSet(ctx, plan.Members, &resp.Diagnostics)
	if !plan.Members.IsUnknown() && !sameFold(spellingsFor(live.Members, planned), planned) {
		err := r.client.tenant.ReplaceGroupMembers(ctx, id, state.ObjectID.ValueString(), planned)
		if err != nil {
			addServiceError(&resp.Diagnostics, action+": set members", err,
				"The group's other settings were updated; its members were not changed.")
			return
		}
	}
	// The plan lists no one who left the directory (refused above): there is nothing left to warn about.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateDeparted, nil)...)
	snap, err := r.readSettled(ctx, id, plan, nil, &resp.Diagnostics)
	if err != nil {
		addServiceError(&resp.Diagnostics, action+": read it back", err, "")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, r.client.withFindings(ctx, groupModel(ctx, *snap, plan, &resp.Diagnostics), plan, &resp.Diagnostics))...)
}

// privateDeparted is the private state key of the people the group's reads saw leave the directory
// while members or owners (a JSON list of their spellings). The plan warns about them where it refuses
// an unknown person: Terraform also plans the configuration before a destroy, and an error there
// would leave no way to destroy the group, nor to plan at all until the configuration changes.
const privateDeparted = "departed_people"

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// loadDeparted reads the people recorded under privateDeparted.
func loadDeparted(ctx context.Context, private privateGetter, diags *diag.Diagnostics) []string {
	raw, d := private.GetKey(ctx, privateDeparted)
	diags.Append(d...)
	var out []string
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		return nil // unreadable bookkeeping only costs the warning its wording
	}
	return out
}

// departed records who left the group between prior and read and is no longer a user of the tenant,
// with those recorded earlier who are still gone from the group. Only the people who left are looked
// up, so a read without drift costs nothing more.
func (r *approverGroupResource) departed(ctx context.Context, private privateGetter, prior, read approverGroupModel, diags *diag.Diagnostics) []byte {
	present := foldSet(append(stringSet(ctx, read.Members, diags), stringSet(ctx, read.Owners, diags)...))
	var left []string
	for _, p := range append(stringSet(ctx, prior.Members, diags), stringSet(ctx, prior.Owners, diags)...) {
		if !present[strings.ToLower(p)] && !containsFold(left, p) {
			left = append(left, p)
		}
	}
	out := loadDeparted(ctx, private, diags)
	if len(left) > 0 {
		// A failed look-up records nobody: the plan's own look-up then reports the failure.
		if users, err := r.client.tenant.UsersByName(ctx, left); err == nil {
			for _, p := range left {
				if _, found := users[strings.ToLower(p)]; !found {
					out = append(out, p)
				}
			}
		}
	}
	var kept []string // those back in the group are no longer departed
	for _, p := range out {
		if !present[strings.ToLower(p)] && !containsFold(kept, p) {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	raw, _ := json.Marshal(kept)
	return raw
}

// refuseDeparted refuses, before any change, a plan that lists someone the group's reads saw leave
// the directory and who is still not a user: Exchange would refuse them, and applying the rest would
// not be what the plan showed.
func (r *approverGroupResource) refuseDeparted(ctx context.Context, private privateGetter, plan approverGroupModel, diags *diag.Diagnostics) bool {
	departed := foldSet(loadDeparted(ctx, private, diags))
	var listed [][2]string // attribute, spelling
	for _, attr := range []struct {
		name string
		set  types.Set
	}{{"members", plan.Members}, {"owners", plan.Owners}} {
		for _, p := range stringSet(ctx, attr.set, diags) {
			if departed[strings.ToLower(p)] {
				listed = append(listed, [2]string{attr.name, p})
			}
		}
	}
	if len(listed) == 0 {
		return false
	}
	names := make([]string, len(listed))
	for i, l := range listed {
		names[i] = l[1]
	}
	users, err := r.client.tenant.UsersByName(ctx, names)
	if err != nil {
		return false // Exchange has the last word on the write
	}
	refused := false
	for _, l := range listed {
		if _, found := users[strings.ToLower(l[1])]; !found {
			departedFinding(l[0], groupObject(plan), l[1], true).addTo(diags)
			refused = true
		}
	}
	return refused
}

// groupChanges lists the settings that differ other than in case, for Set-DistributionGroup.
func groupChanges(ctx context.Context, id string, state, plan approverGroupModel, diags *diag.Diagnostics) (pamtenant.SetGroup, bool) {
	change := pamtenant.SetGroup{Identity: id}
	changed := false
	setIf := func(target **string, before, after types.String, caseMatters bool) {
		if after.IsUnknown() || (after.IsNull() && before.IsNull()) {
			return
		}
		same := before.ValueString() == after.ValueString() ||
			(!caseMatters && strings.EqualFold(before.ValueString(), after.ValueString()))
		if same && before.IsNull() == after.IsNull() {
			return
		}
		v := after.ValueString()
		*target = &v
		changed = true
	}
	setIf(&change.Name, state.Name, plan.Name, true)
	setIf(&change.DisplayName, state.DisplayName, plan.DisplayName, true)
	setIf(&change.Alias, state.Alias, plan.Alias, false)
	setIf(&change.PrimarySmtpAddress, state.PrimarySMTPAddress, plan.PrimarySMTPAddress, false)
	setIf(&change.Description, state.Description, plan.Description, true)
	if !plan.Owners.IsUnknown() {
		owners := stringSet(ctx, plan.Owners, diags)
		if !sameFold(stringSet(ctx, state.Owners, diags), owners) {
			change.ManagedBy = &owners
			changed = true
		}
	}
	return change, changed
}

func (r *approverGroupResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state approverGroupModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r = atTenant(ctx, r, groupObject(state), state.TenantID, &resp.Diagnostics); r == nil {
		return
	}
	ctx, finish := startOperation(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer finish()
	err := r.client.tenant.RemoveGroup(ctx, state.ID.ValueString(), state.ObjectID.ValueString())
	if err != nil && !apierr.IsNotFound(err) {
		addServiceError(&resp.Diagnostics, "remove approver group "+state.Name.ValueString(), err,
			"Exchange does not remove a group that is still the default approver group of privileged access or the "+
				"approver group of a policy, and "+rotationRemedy)
	}
}

// ImportState takes the group's primary SMTP address or GUID (an identity's id), and refuses
// anything that is not a mail-enabled security group.
func (r *approverGroupResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	c, key := r.tenants.importTarget(ctx, req, "id", &resp.Diagnostics)
	if c == nil {
		return
	}
	r = inTenant(r, c)
	group, err := r.client.tenant.LookupGroup(ctx, key)
	if apierr.IsNotFound(err) {
		resp.Diagnostics.AddError("No such group",
			fmt.Sprintf("Exchange has no group %q. Import by the group's primary SMTP address or its GUID.", key))
		return
	}
	if err != nil {
		addServiceError(&resp.Diagnostics, "find group "+key, err, "")
		return
	}
	if !group.IsSecurityGroup() {
		resp.Diagnostics.AddError("Not a mail-enabled security group",
			fmt.Sprintf("%s is a %s, not a mail-enabled security group (%s). Only mail-enabled security groups "+
				"can approve privileged access requests; create one with o365pam_approver_group instead.",
				key, group.RecipientTypeDetails, pamtenant.RecipientTypeSecurityGroup))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), group.GUID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, pathTenantID, r.client.tenantID)...)
	setIdentity(ctx, resp.Identity, r.identity(types.StringValue(group.GUID)), &resp.Diagnostics)
}

// settingsShow reports whether a read shows the settings the plan gives: reads lag writes, and a
// read taken too early would put the old name in state and make Terraform report an inconsistent
// result.
func settingsShow(g pamtenant.DistributionGroup, plan approverGroupModel) bool {
	shows := func(planned types.String, got string) bool {
		return planned.IsUnknown() || planned.IsNull() || strings.EqualFold(planned.ValueString(), got)
	}
	return shows(plan.Name, g.Name) && shows(plan.DisplayName, g.DisplayName) && shows(plan.Alias, g.Alias) &&
		shows(plan.PrimarySMTPAddress, g.PrimarySmtpAddress) &&
		(plan.Description.IsUnknown() || plan.Description.IsNull() || plan.Description.ValueString() == g.Description)
}

// readSettled reads the group until both services show what was just written: new groups and
// membership changes can take a while to reach Microsoft Graph. Each poll reads afresh; written is
// the group as a create returned it, nil after other writes. Reading the plan's members adds to
// diags.
func (r *approverGroupResource) readSettled(ctx context.Context, id string, plan approverGroupModel, written *pamtenant.DistributionGroup, diags *diag.Diagnostics) (*pamtenant.GroupSnapshot, error) {
	var snap *pamtenant.GroupSnapshot
	want := stringSet(ctx, plan.Members, diags)
	err := r.client.tenant.WaitFor(ctx, settleTimeout, func(ctx context.Context) (bool, error) {
		s, err := r.client.tenant.FreshGroupSnapshot(ctx, id, written)
		if apierr.IsNotFound(err) || errors.Is(err, pamtenant.ErrGraphLag) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		snap = s
		return settingsShow(s.Group, plan) &&
			(plan.Members.IsUnknown() || plan.Members.IsNull() || sameFold(spellingsFor(s.Members, want), want)), nil
	})
	if errors.Is(err, context.DeadlineExceeded) && snap != nil {
		// The group exists; the read has not caught up in time. Report what is there.
		return snap, nil
	}
	return snap, err
}
