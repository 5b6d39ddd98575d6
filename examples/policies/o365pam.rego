# Rules a security team can start from when reviewing plans of the o365pam provider. They read
# the JSON of a saved plan (`terraform show -json tfplan`):
#
#   deny  - a change that must not be applied as planned;
#   warn  - a change a reviewer should look at before approving.
#
# Settings live in data.json beside this file (o365pam_settings). Exceptions for one change live in
# a data document of their own (o365pam_exceptions, see examples/policy-exceptions/exceptions.json), reviewed with it.
package o365pam

import rego.v1

default settings := {}

settings := data.o365pam_settings

# Tasks whose policies may approve automatically (approval_type "Auto").
auto_approval_allowed_tasks := object.get(settings, "auto_approval_allowed_tasks", [])

# The fewest licensed members an approver group may have.
min_licensed_approvers := object.get(settings, "min_licensed_approvers", 2)

# The fewest members an approver group may have, licensed or not.
min_approver_members := object.get(settings, "min_approver_members", 2)

default exceptions := {}

exceptions := data.o365pam_exceptions

# Tasks whose approval policy this change may remove, leaving the task unguarded.
removable_policy_tasks := {lower(t) | some t in object.get(exceptions, "remove_approval_policies", [])}

# Whether this change may turn privileged access off (destroying o365pam_privileged_access does).
may_disable_privileged_access := object.get(exceptions, "disable_privileged_access", false)

# Resource changes of one type that leave the resource in place (created, updated or kept).
kept(type) := [rc |
	some rc in input.resource_changes
	rc.type == type
	rc.change.after != null
]

deny contains msg if {
	some rc in kept("o365pam_approval_policy")
	lower(rc.change.after.approval_type) != "manual"
	not lower(rc.change.after.task) in {lower(t) | some t in auto_approval_allowed_tasks}
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

# Tasks guarded by a policy before the plan and after it, compared without regard to case as
# Exchange does. A policy moved to another task leaves its old task unguarded too.
guarded_before := {lower(rc.change.before.task) |
	some rc in input.resource_changes
	rc.type == "o365pam_approval_policy"
	rc.change.before != null
}

guarded_after := {lower(rc.change.after.task) | some rc in kept("o365pam_approval_policy")}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "o365pam_approval_policy"
	rc.change.before != null
	task := lower(rc.change.before.task)
	not task in guarded_after
	not task in removable_policy_tasks
	msg := sprintf(
		"%s: the plan removes the approval policy for %s, which leaves the task unguarded; to allow it, list the task in remove_approval_policies of o365pam_exceptions",
		[rc.address, rc.change.before.task],
	)
}

deny contains msg if {
	some rc in input.resource_changes
	rc.type == "o365pam_privileged_access"
	"delete" in rc.change.actions
	not may_disable_privileged_access
	msg := sprintf(
		"%s: the plan destroys privileged access, which turns it off for the whole tenant; to stop managing it without turning it off, use a removed block with destroy = false; to turn it off on purpose, set disable_privileged_access in o365pam_exceptions",
		[rc.address],
	)
}

deny contains msg if {
	some rc in kept("o365pam_approver_group")
	members := object.get(rc.change.after, "members", null)
	members != null
	count(members) < min_approver_members
	msg := sprintf(
		"%s: %s has %d member(s); an approver group needs at least %d, so that no one approves alone",
		[rc.address, rc.change.after.primary_smtp_address, count(members), min_approver_members],
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
