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

  # Lets a later apply move privileged access and policies to a new group and remove this one in
  # one go: Terraform then updates what uses a group before it removes the group.
  lifecycle {
    create_before_destroy = true
  }
}
