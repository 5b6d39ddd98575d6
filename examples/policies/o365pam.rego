# Rules a security team can start from when reviewing plans of the o365pam provider. They read
# the JSON of a saved plan (`terraform show -json tfplan`):
#
#   deny  - a change that must not be applied as planned;
#   warn  - a change a reviewer should look at before approving.
#
# Settings live in data.json beside this file (o365pam_settings).
package o365pam

import rego.v1

default settings := {}

settings := data.o365pam_settings

# Tasks whose policies may approve automatically (approval_type "Auto").
auto_approval_allowed_tasks := object.get(settings, "auto_approval_allowed_tasks", [])

# The fewest licensed members an approver group may have.
min_licensed_approvers := object.get(settings, "min_licensed_approvers", 2)

# Resource changes of one type that leave the resource in place (created, updated or kept).
kept(type) := [rc |
	some rc in input.resource_changes
	rc.type == type
	rc.change.after != null
]

deny contains msg if {
	some rc in kept("o365pam_approval_policy")
	rc.change.after.approval_type != "Manual"
	not rc.change.after.task in auto_approval_allowed_tasks
	msg := sprintf(
		"%s: the policy for %s approves %s; every approval policy must be Manual unless its task is in auto_approval_allowed_tasks",
		[rc.address, rc.change.after.task, rc.change.after.approval_type],
	)
}

deny contains msg if {
	some rc in kept("o365pam_approver_group")
	licensed := rc.change.after.approver_count - count(rc.change.after.unlicensed_members)
	licensed < min_licensed_approvers
	msg := sprintf(
		"%s: %s has %d licensed approver(s); every approver group needs at least %d (unlicensed: %v)",
		[rc.address, rc.change.after.primary_smtp_address, licensed, min_licensed_approvers, rc.change.after.unlicensed_members],
	)
}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "o365pam_privileged_access"
	"delete" in rc.change.actions
	msg := sprintf(
		"%s: the plan destroys privileged access, which turns it off for the whole tenant; to stop managing it without turning it off, use a removed block with destroy = false",
		[rc.address],
	)
}

# Findings not known until apply (members that depend on another resource) cannot be checked.
warn contains msg if {
	some rc in kept("o365pam_approver_group")
	some attr in ["approver_count", "unlicensed_members"]
	object.get(rc.change.after_unknown, attr, false) == true
	msg := sprintf("%s: %s is known only after apply, so the approver rules could not check it", [rc.address, attr])
}

warn contains msg if {
	some rc in kept("o365pam_approver_group")
	rc.change.after.unlicensed_members == null
	msg := sprintf("%s: the provider could not read the members' licences; check them by hand", [rc.address])
}

# System accounts are exempt from privileged access: every change to the list needs a reviewer.
warn contains msg if {
	some rc in kept("o365pam_privileged_access")
	old := system_accounts(rc.change.before)
	new := system_accounts(rc.change.after)
	old != new
	msg := sprintf(
		"%s: system accounts change (added: %v, removed: %v); they are exempt from approval",
		[rc.address, sort(new - old), sort(old - new)],
	)
}

system_accounts(values) := {lower(a) | some a in object.get(values, "system_accounts", [])} if values != null

system_accounts(null) := set()
