package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Values the services compare without regard to case (tasks, addresses, people) are planned as
// they are in state when the configuration changes only their case: nothing would be sent, so the
// plan shows no change. Terraform accepts a planned value equal to the prior one in place of the
// configured value for exactly this. The framework's semantic equality does not help here: it
// runs on reads and applies, never on plans.

// keepSpellingInPlan plans a string as it is in state when the configuration differs only in case.
func keepSpellingInPlan() planmodifier.String { return spellingModifier{} }

// keepSpellingsInPlan plans a set of strings as it is in state when the configuration holds the
// same strings apart from case.
func keepSpellingsInPlan() planmodifier.Set { return spellingModifier{} }

type spellingModifier struct{}

const spellingDescription = "A value that differs only in upper and lower case is not a change."

func (spellingModifier) Description(context.Context) string         { return spellingDescription }
func (spellingModifier) MarkdownDescription(context.Context) string { return spellingDescription }

func (spellingModifier) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !known(req.StateValue) || !known(req.PlanValue) {
		return
	}
	if strings.EqualFold(req.StateValue.ValueString(), req.PlanValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

func (spellingModifier) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if !known(req.StateValue) || !known(req.PlanValue) {
		return
	}
	for _, e := range req.PlanValue.Elements() {
		if e.IsUnknown() {
			return
		}
	}
	var diags diag.Diagnostics
	if sameFold(stringSet(ctx, req.StateValue, &diags), stringSet(ctx, req.PlanValue, &diags)) && !diags.HasError() {
		resp.PlanValue = req.StateValue
	}
}

// known reports whether a value is neither null nor unknown.
func known(v interface {
	IsNull() bool
	IsUnknown() bool
},
) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// defaultsTo plans an unset string as the planned value of another attribute, so that a default
// such as "display name defaults to name" follows that attribute when it changes.
func defaultsTo(source path.Path, description string) planmodifier.String {
	return defaultFrom{source: source, description: description}
}

type defaultFrom struct {
	source      path.Path
	description string
}

func (d defaultFrom) Description(context.Context) string         { return d.description }
func (d defaultFrom) MarkdownDescription(context.Context) string { return d.description }

func (d defaultFrom) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	var source types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, d.source, &source)...)
	resp.PlanValue = source
}
