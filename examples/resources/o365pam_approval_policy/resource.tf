resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  members              = ["adele.vance@contoso.onmicrosoft.com", "lee.gu@contoso.onmicrosoft.com"]
}

# Moving a mailbox needs a request that an approver approves.
resource "o365pam_approval_policy" "move_request" {
  task           = "Exchange\\New-MoveRequest"
  approval_type  = "Manual"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}

# Changing a mailbox is approved at once, but each use is requested and logged.
resource "o365pam_approval_policy" "set_mailbox" {
  task           = "Exchange\\Set-Mailbox"
  approval_type  = "Auto"
  approver_group = o365pam_approver_group.approvers.primary_smtp_address
}
