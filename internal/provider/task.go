package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

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
