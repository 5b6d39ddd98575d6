# Every approval policy of the tenant.
data "o365pam_approval_policies" "all" {}

# Only the policy for one task (compared without regard to case).
data "o365pam_approval_policies" "move" {
  task = "Exchange\\New-MoveRequest"
}

# Adopt the policies of an existing tenant into Terraform (Terraform 1.7 or later): one import
# block per policy, keyed by task, and a resource instance for each. After the first apply, replace
# the for_each expressions with the policies written out, if you prefer them in the configuration.
locals {
  existing_policies = { for p in data.o365pam_approval_policies.all.policies : p.task => p }
}

import {
  for_each = local.existing_policies
  to       = o365pam_approval_policy.adopted[each.key]
  id       = each.value.id
}

resource "o365pam_approval_policy" "adopted" {
  for_each       = local.existing_policies
  task           = each.value.task
  approval_type  = each.value.approval_type
  approver_group = each.value.approver_group
}
