# By primary SMTP address; the group's Exchange GUID works too.
import {
  to = o365pam_approver_group.approvers
  id = "pam-approvers@contoso.onmicrosoft.com"
}
