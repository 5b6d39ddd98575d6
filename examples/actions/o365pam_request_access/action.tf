# Files a just-in-time request for an Exchange task when invoked (Terraform 1.14 or later):
#
#   terraform apply -invoke=action.o365pam_request_access.move_mailbox
#
# Plans and applies never run it. Terraform 1.10 to 1.13 and OpenTofu use the ephemeral resource
# o365pam_access_request instead.
action "o365pam_request_access" "move_mailbox" {
  config {
    task              = "Exchange\\New-MoveRequest"
    reason            = "Move the finance mailboxes (change CHG-1234)"
    duration_hours    = 2
    wait_for_approval = true
    approval_timeout  = "45m"
  }
}
