package provider

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/zerostanding/terraform-provider-o365pam/internal/pamtenant/connect"
)

// Every validator of the provider's schemas lives in this file. Prefer those of
// terraform-plugin-framework-validators; add one here for a rule they cannot express.

// approvedVerbs are PowerShell's approved verbs (Get-Verb). Every Exchange cmdlet uses one, so a
// task with another verb is a typo.
var approvedVerbs = func() map[string]string {
	verbs := []string{
		// Common
		"Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock",
		"Move", "New", "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize",
		"Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
		// Communications
		"Connect", "Disconnect", "Read", "Receive", "Send", "Write",
		// Data
		"Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount",
		"Edit", "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out",
		"Publish", "Restore", "Save", "Sync", "Unpublish", "Update",
		// Diagnostic
		"Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace",
		// Lifecycle
		"Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install",
		"Invoke", "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend",
		"Uninstall", "Unregister", "Wait",
		// Security
		"Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect",
		// Other
		"Use",
	}
	m := make(map[string]string, len(verbs))
	for _, v := range verbs {
		m[strings.ToLower(v)] = v
	}
	return m
}()

var (
	taskPattern   = regexp.MustCompile(`^(?i:Exchange)\\([A-Za-z]+)-([A-Za-z0-9]+)$`)
	cmdletPattern = regexp.MustCompile(`^([A-Za-z]+)-([A-Za-z0-9]+)$`)
)

// checkTask explains what is wrong with a task name, or returns "" when it is well formed.
func checkTask(task string) string {
	if m := taskPattern.FindStringSubmatch(task); m != nil {
		if _, ok := approvedVerbs[strings.ToLower(m[1])]; !ok {
			return fmt.Sprintf("%q does not use an approved PowerShell verb (%q); Exchange cmdlets always do. "+
				"Check the spelling of the cmdlet.", task, m[1])
		}
		return ""
	}
	bare := strings.TrimSpace(task)
	for _, prefix := range []string{"Exchange/", "Exchange\\\\", "Exchange:"} {
		if len(bare) > len(prefix) && strings.EqualFold(bare[:len(prefix)], prefix) {
			bare = bare[len(prefix):]
		}
	}
	if cmdletPattern.MatchString(bare) {
		return fmt.Sprintf("%q is not in the form the service expects. Use the full task name "+
			"\"Exchange\\\\%s\" (in HCL, write the backslash twice).", task, bare)
	}
	return fmt.Sprintf("%q is not a task name. A task is an Exchange cmdlet written as "+
		"Exchange\\<Verb>-<Noun>, for example \"Exchange\\\\New-MoveRequest\" in HCL.", task)
}

// taskValidator rejects malformed task names at plan time.
type taskValidator struct{}

func (taskValidator) Description(context.Context) string {
	return `must be an Exchange cmdlet in the form Exchange\<Verb>-<Noun>`
}

func (v taskValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (taskValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := checkTask(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid task", problem)
	}
}

// addressPattern is a deliberately loose e-mail check: it catches typos at plan time and leaves
// the real rules to Exchange.
var addressPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)

// notBlank refuses a value of only white space, which the length validators let through.
func notBlank() validator.String {
	return stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must hold more than white space")
}

func addressValidator() validator.String {
	return stringvalidator.RegexMatches(addressPattern, "must be an e-mail address or UPN such as someone@contoso.com")
}

// aliasPattern is Exchange's rule for aliases: letters, digits and !#$%&'*+-/=?^_`{|}~, with
// periods only between other characters.
var aliasPattern = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+(\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+)*$")

func aliasValidator() validator.String {
	return stringvalidator.RegexMatches(aliasPattern,
		"may hold only letters, digits and !#$%&'*+-/=?^_`{|}~ characters, with periods only between them")
}

// endpointValidator runs connect.CheckEndpoint at plan time for endpoints written in the provider block.
type endpointValidator struct{}

func (endpointValidator) Description(context.Context) string {
	return "must be an https URL, or http on loopback"
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := connect.CheckEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid endpoint",
			fmt.Sprintf("%q %s.", req.ConfigValue.ValueString(), err))
	}
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

// wholeNumberBetween accepts a whole number from min to max. It reads the number itself, so that a
// fraction gets an error that says what is wrong instead of the framework's conversion error.
type wholeNumberAtLeast struct{ min int64 }

func (v wholeNumberAtLeast) Description(context.Context) string {
	return fmt.Sprintf("must be a whole number, at least %d", v.min)
}

func (v wholeNumberAtLeast) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberAtLeast) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := req.ConfigValue.ValueBigFloat()
	whole, accuracy := n.Int64()
	if !n.IsInt() || accuracy != big.Exact || whole < v.min {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid number",
			fmt.Sprintf("%s %s; got %s.", req.Path, v.Description(ctx), n.Text('g', -1)))
	}
}
