# Look up an approver group by its address (or set id to its GUID), for example one that another
# configuration or an administrator manages. Here the group is created alongside, so that the
# example applies on its own; the reference makes Terraform read the group after creating it.
resource "o365pam_approver_group" "security_team" {
  name                 = "Security Approvers"
  primary_smtp_address = "security-approvers@contoso.onmicrosoft.com"
  members = [
    "adele.vance@contoso.onmicrosoft.com",
    "alex.wilber@contoso.onmicrosoft.com",
  ]
}

data "o365pam_approver_group" "security_team" {
  primary_smtp_address = o365pam_approver_group.security_team.primary_smtp_address
}

output "approvers" {
  value = data.o365pam_approver_group.security_team.members
}
