resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  members              = ["adele.vance@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com"]
}

resource "o365pam_approval_policy" "move_request" {
  task           = "Exchange\\New-MoveRequest"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}

resource "o365pam_approval_policy" "set_mailbox" {
  task           = "Exchange\\Set-Mailbox"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}

# Only these tasks may have approval policies: a policy for any other task shows as drift in the
# plan, and applying removes it.
resource "o365pam_approval_policies_exclusive" "all" {
  tasks = [for p in [o365pam_approval_policy.move_request, o365pam_approval_policy.set_mailbox] : p.task]
}
