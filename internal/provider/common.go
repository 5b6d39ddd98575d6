package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
	"github.com/zerostanding/terraform-provider-o365pam/internal/auth"
	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant"
)

// Default operation timeouts. Exchange says new objects "may take a few minutes" to be ready,
// and a single REST cmdlet may run up to 15 minutes, so creates and reads get the most room.
const (
	defaultReadTimeout   = 15 * time.Minute
	defaultCreateTimeout = 15 * time.Minute
	defaultUpdateTimeout = 15 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
	// settleTimeout bounds how long a read right after a write waits for the service to show it.
	settleTimeout = 5 * time.Minute
)

// timeoutsAttribute is every resource's `timeouts`, an attribute rather than a block, with its
// defaults written out for the docs.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	duration := func(op string, def time.Duration) string {
		return fmt.Sprintf("How long %s may take, as a duration such as `30m` or `1h`. Defaults to `%s`.", op, shortDuration(def))
	}
	a, ok := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true, Read: true, Update: true, Delete: true,
		CreateDescription: duration("creating", defaultCreateTimeout),
		ReadDescription:   duration("a refresh, in every plan, apply and import,", defaultReadTimeout),
		UpdateDescription: duration("an in-place update", defaultUpdateTimeout),
		DeleteDescription: duration("destroying", defaultDeleteTimeout) + " It takes effect from the value in " +
			"state, so apply a change to it before the destroy.",
	}).(schema.SingleNestedAttribute)
	if !ok {
		panic("terraform-plugin-framework-timeouts no longer gives a single nested attribute")
	}
	a.MarkdownDescription = "Operation timeouts. This is an attribute, written with `=`: " +
		"`timeouts = { create = \"30m\" }`. The block form some providers take (`timeouts { ... }`) is " +
		"refused with \"Unsupported block type\"."
	return a
}

// shortDuration writes a duration as users write it: 15m rather than 15m0s, 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// startOperation bounds an operation by the user's `timeouts` value for it, or by def, and
// collects the warnings Exchange gives while it runs. finish ends the operation and shows those
// warnings to the user.
func startOperation(ctx context.Context, configured func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics,
) (opCtx context.Context, finish func()) {
	timeout, d := configured(ctx, def)
	diags.Append(d...)
	ctx, warnings := pamtenant.CollectWarnings(ctx)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, func() {
		cancel()
		addServiceWarnings(diags, warnings)
	}
}

// addServiceWarnings shows each warning Exchange gave, with the cmdlet that gave it.
func addServiceWarnings(diags *diag.Diagnostics, warnings *pamtenant.Warnings) {
	for _, w := range warnings.List() {
		diags.AddWarning("Exchange Online warning",
			fmt.Sprintf("Exchange Online answered %s with a warning: %s", w.Cmdlet, w.Text))
	}
}

// addServiceError reports a failed service call: what the provider was doing, the service's own
// message and request ids (inside err), and what the user can do next. A refused sign-in is told
// in full by one diagnostic of the run only (the credential lives as long as the configured
// provider, which Terraform starts once for a plan's refresh and planning); the others point at it.
func addServiceError(diags *diag.Diagnostics, action string, err error, hint string) {
	var signIn *auth.SignInError
	if errors.As(err, &signIn) {
		if !signIn.FirstReport() {
			diags.AddError("Unable to "+action, signInPointer)
			return
		}
		diags.AddError("Sign-in failed", signInDetail(signIn, action))
		return
	}
	detail := err.Error()
	if hint == "" {
		hint = serviceErrorHint(err)
	}
	if hint != "" {
		detail += "\n\n" + hint
	}
	diags.AddError("Unable to "+action, detail)
}

// readHint is the hint for a failed refresh. A refresh takes timeouts.read from the state, not
// from the configuration, so a raised value counts only once it has been applied.
func readHint(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("The refresh ran out of time (timeouts.read, %.0f minutes unless set). A refresh uses the value "+
			"saved in state: to give it more time, raise timeouts.read and apply once with -refresh=false, "+
			"or try again when the service is less busy.", defaultReadTimeout.Minutes())
	}
	return ""
}

// notFoundHint is hint when err says the object is gone, else no hint.
func notFoundHint(err error, hint string) string {
	if apierr.IsNotFound(err) {
		return hint
	}
	return ""
}

// signInPointer stands for a refused sign-in that another diagnostic of this run tells in full.
// Terraform sorts diagnostics before showing them, so the full one need not come first.
const signInPointer = `Sign-in failed; the error titled "Sign-in failed" tells it in full: what to set, what was configured and tried, and the answer.`

// signInDetail tells a failed sign-in in the order a reader acts on it: what to check or set, what
// was configured and tried and for what, then the identity platform's own answer, which is long.
func signInDetail(e *auth.SignInError, action string) string {
	return fmt.Sprintf("%s\n\nConfigured: %s.\nTried: %s, to %s.\n\nAnswer:\n%v", e.Hint, e.Configured, e.Tried, action, e.Cause)
}

func serviceErrorHint(err error) string {
	var signIn *auth.SignInError
	switch {
	case errors.As(err, &signIn):
		return signIn.Hint
	case apierr.HintOf(err) != "":
		return apierr.HintOf(err)
	case unreachable(err) != "":
		return unreachable(err)
	case errors.Is(err, context.DeadlineExceeded):
		return "The operation ran out of time. Raise the matching value in the resource's timeouts " +
			"attribute, or try again later."
	case apierr.Is(err, apierr.KindUnauthorized):
		return "Sign-in was refused. Check the provider's credentials (tenant_id, client_id and the secret, " +
			"certificate or token) and that they are for this tenant."
	case apierr.Is(err, apierr.KindForbidden):
		return "The signed-in identity lacks a permission. It needs Exchange.ManageAsApp and an Exchange role " +
			"with Role Management (for example Organization Management) for Exchange, and Group.Read.All, " +
			"User.Read.All and Organization.Read.All for Microsoft Graph."
	case apierr.Is(err, apierr.KindThrottled):
		return "The service kept throttling requests. Try again later, or run with fewer objects in parallel " +
			"(-parallelism)."
	}
	return ""
}

// unreachable is the hint for a service host that could not be reached, or "".
func unreachable(err error) string {
	host, ok := auth.Unreachable(err)
	if !ok {
		return ""
	}
	return "The host " + host + " could not be reached. Check graph_endpoint and exchange_endpoint " +
		"(O365PAM_GRAPH_ENDPOINT, O365PAM_EXCHANGE_ENDPOINT) or environment, the network and any proxy (HTTPS_PROXY)."
}

// stringSet converts a Terraform set of strings. A null or unknown set gives nil, and elements not
// known yet (during validation, or from resources not yet created) are left out.
func stringSet(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	var elems []types.String
	diags.Append(set.ElementsAs(ctx, &elems, false)...)
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		if !e.IsNull() && !e.IsUnknown() {
			out = append(out, e.ValueString())
		}
	}
	return out
}

// setOfStrings builds a Terraform set, sorted so that state files diff cleanly.
func setOfStrings(values []string) types.Set {
	sorted := append([]string(nil), values...)
	sort.Strings(sorted)
	elems := make([]attr.Value, len(sorted))
	for i, v := range sorted {
		elems[i] = types.StringValue(v)
	}
	return types.SetValueMust(types.StringType, elems)
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// sameFold reports whether two lists hold the same strings, ignoring case and order.
func sameFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := make(map[string]int, len(a))
	for _, s := range a {
		seen[strings.ToLower(s)]++
	}
	for _, s := range b {
		k := strings.ToLower(s)
		if seen[k] == 0 {
			return false
		}
		seen[k]--
	}
	return true
}

// matchesFilter reports whether value passes an optional filter, ignoring case.
func matchesFilter(filter types.String, value string) bool {
	return filter.IsNull() || strings.EqualFold(filter.ValueString(), value)
}

// optionalText is null for a text the service left empty.
func optionalText(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// timestamp writes a time as RFC 3339 in UTC, or null when the service gave none.
func timestamp(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// keepSpelling returns prior when it names the same thing as current apart from case, so that a
// service that changes case causes no diff.
func keepSpelling(prior types.String, current string) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && strings.EqualFold(prior.ValueString(), current) {
		return prior
	}
	return types.StringValue(current)
}

// importBlock is the import block that brings an existing object under a resource of typeName, for
// errors that refuse to take an object over silently. The provider cannot know the resource's name.
func importBlock(typeName, id string) string {
	return fmt.Sprintf("import {\n  to = %s.<name of the resource in your configuration>\n  id = %q\n}\n", typeName, id)
}

// privateJSON reads a value a plan or read kept as JSON in the resource's private data; the zero
// value when there is none.
func privateJSON[T any](ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}, key string, diags *diag.Diagnostics,
) T {
	var v T
	raw, d := private.GetKey(ctx, key)
	diags.Append(d...)
	if raw != nil {
		_ = json.Unmarshal(raw, &v)
	}
	return v
}

// setPrivateJSON stores value as JSON under key in a resource's private state, the counterpart of
// privateJSON. The values are plain structs and lists of strings, which always encode.
func setPrivateJSON(ctx context.Context, private interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}, key string, value any, diags *diag.Diagnostics,
) {
	raw, _ := json.Marshal(value)
	diags.Append(private.SetKey(ctx, key, raw)...)
}
