# By identity (Terraform 1.12 or later), as `terraform query` writes it: the task the policy guards.
import {
  to = o365pam_approval_policy.move_request
  identity = {
    task = "Exchange\\New-MoveRequest"
  }
}
