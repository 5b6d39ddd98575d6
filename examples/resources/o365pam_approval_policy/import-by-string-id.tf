# By task; the policy's GUID works too.
import {
  to = o365pam_approval_policy.move_request
  id = "Exchange\\New-MoveRequest"
}
