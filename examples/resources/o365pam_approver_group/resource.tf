# A mail-enabled security group whose members approve privileged access requests.
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  description          = "Approves privileged Exchange tasks"
  members = [
    "adele.vance@contoso.onmicrosoft.com",
    "alex.wilber@contoso.onmicrosoft.com",
  ]
  owners = ["megan.bowen@contoso.onmicrosoft.com"]
}
