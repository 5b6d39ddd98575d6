# Ask for just-in-time access to an Exchange task and wait until it is approved (Terraform 1.10 or
# later, OpenTofu 1.11 or later). Nothing is written to the plan or the state. Terraform opens the
# resource in plan and again in apply; an open or approved request of the signed-in identity for
# the task is reused, so the approvers are asked once. Without file_request = true, no request is
# ever filed.
ephemeral "o365pam_access_request" "move" {
  task              = o365pam_approval_policy.move.task
  reason            = "Move the finance mailboxes (change CHG-1234, policy ${o365pam_approval_policy.move.id})"
  duration_hours    = 2
  file_request      = true
  wait_for_approval = true
  approval_timeout  = "45m"

  # A request needs the task's policy and privileged access turned on. The policy's id in the
  # reason is known only once the policy exists, so Terraform opens the request after creating it
  # (depends_on alone would not delay the opening in plan).
  depends_on = [o365pam_privileged_access.this]
}

# What the request needs, so that this example applies on its own. The policy is Auto, which
# approves at once and logs the request; with Manual, an approver must approve within
# approval_timeout.
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  members = [
    "adele.vance@contoso.onmicrosoft.com",
    "alex.wilber@contoso.onmicrosoft.com",
  ]
}

resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
}

resource "o365pam_approval_policy" "move" {
  task           = "Exchange\\New-MoveRequest"
  approval_type  = "Auto"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}

# Use the approval where ephemeral values are accepted, for example in a provider block or a
# write-only argument of another provider.
locals {
  move_request_id = ephemeral.o365pam_access_request.move.id
}
