# An approval policy is imported by its task or by its GUID (from Get-ElevatedAccessApprovalPolicy).
terraform import o365pam_approval_policy.move_request 'Exchange\New-MoveRequest'
