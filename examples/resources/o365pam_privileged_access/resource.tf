resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  members = [
    "adele.vance@contoso.onmicrosoft.com",
    "alex.wilber@contoso.onmicrosoft.com",
  ]
}

# Turns privileged access management on for the tenant. Destroying it turns PAM off.
resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  system_accounts        = ["svc-sync@contoso.onmicrosoft.com"]
}
