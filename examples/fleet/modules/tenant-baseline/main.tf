# The privileged access baseline of one tenant: an approver group, privileged access turned on
# with that group as the default approvers, and approval policies for sensitive Exchange tasks.
# examples/fleet calls it once per tenant.

terraform {
  required_providers {
    o365pam = {
      source = "zerostanding/o365pam"
    }
  }
}

variable "tenant_id" {
  description = "The tenant's GUID. Null: the tenant of the provider configuration the module is given."
  type        = string
  default     = null
}

variable "organization" {
  description = "The tenant's initial domain (*.onmicrosoft.com), for the approver group's address."
  type        = string
}

variable "approvers" {
  description = "The approver group's members: licensed users of the tenant."
  type        = list(string)
}

variable "system_accounts" {
  description = "Accounts left out of privileged access, such as a sync service. Null: none."
  type        = list(string)
  default     = null
}

variable "guarded_tasks" {
  description = "Exchange task => approval type. Manual needs an approver; Auto approves at once but leaves an audit trail."
  type        = map(string)
  default = {
    "Exchange\\New-MoveRequest"       = "Manual"
    "Exchange\\Add-MailboxPermission" = "Manual"
    "Exchange\\Set-Mailbox"           = "Auto"
  }
}

resource "o365pam_approver_group" "approvers" {
  tenant_id            = var.tenant_id
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@${var.organization}"
  description          = "Approves privileged Exchange tasks"
  members              = var.approvers

  lifecycle {
    create_before_destroy = true
  }
}

resource "o365pam_privileged_access" "this" {
  tenant_id              = var.tenant_id
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  system_accounts        = var.system_accounts
}

resource "o365pam_approval_policy" "tasks" {
  for_each = var.guarded_tasks

  tenant_id      = var.tenant_id
  task           = each.key
  approval_type  = each.value
  approver_group = o365pam_approver_group.approvers.primary_smtp_address

  # Policies only take effect once privileged access is on.
  depends_on = [o365pam_privileged_access.this]
}

output "approver_group_id" {
  description = "The approver group's Exchange GUID."
  value       = o365pam_approver_group.approvers.id
}
