# For approvers, signed in as themselves (for example `az login`, with no application settings):
# one action per pending request for moving mailboxes. Invoke the one to approve (Terraform 1.14 or
# later):
#
#   terraform apply -invoke='action.o365pam_approve_access_request.move["<request GUID>"]'
data "o365pam_access_requests" "pending_moves" {
  status = "Pending"
  task   = "Exchange\\New-MoveRequest"
}

action "o365pam_approve_access_request" "move" {
  for_each = toset(data.o365pam_access_requests.pending_moves.requests[*].id)

  config {
    request_id = each.key
    comment    = "Approved for change CHG-1234"
  }
}
