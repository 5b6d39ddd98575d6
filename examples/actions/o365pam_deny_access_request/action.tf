# For approvers, signed in as themselves: deny requests with the reason the requester will see
# (Terraform 1.14 or later):
#
#   terraform apply -invoke='action.o365pam_deny_access_request.these["<request GUID>"]' \
#     -var 'deny={"<request GUID>" = "No change is scheduled for these mailboxes"}'
variable "deny" {
  description = "The requests to deny: request GUID => the comment the requester sees."
  type        = map(string)
  default     = {}
}

action "o365pam_deny_access_request" "these" {
  for_each = var.deny

  config {
    request_id = each.key
    comment    = each.value
  }
}
