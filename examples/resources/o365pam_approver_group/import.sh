# An approver group is imported by its primary SMTP address or its Exchange GUID.
terraform import o365pam_approver_group.approvers pam-approvers@contoso.onmicrosoft.com
