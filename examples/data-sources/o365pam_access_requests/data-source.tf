# Requests waiting for an approver, for example to report them.
data "o365pam_access_requests" "pending" {
  status = "Pending"
}

output "pending_requests" {
  value = [for r in data.o365pam_access_requests.pending.requests : "${r.requester} asks for ${r.task}: ${r.reason}"]
}

# Who answered each decided request, and what they said.
data "o365pam_access_requests" "denied" {
  status = "Denied"
}

output "denied_requests" {
  value = [for r in data.o365pam_access_requests.denied.requests : "${r.task} denied by ${r.approved_by}: ${coalesce(r.comment, "no comment")}"]
}
