# By identity (Terraform 1.12 or later), as `terraform query` writes it: the group's Exchange GUID,
# or its primary SMTP address.
import {
  to = o365pam_approver_group.approvers
  identity = {
    id = "pam-approvers@contoso.onmicrosoft.com"
  }
}
