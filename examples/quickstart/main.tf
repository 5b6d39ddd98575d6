# Quickstart: zero standing privileges for Exchange administration.
#
# 1. An approver group: a mail-enabled security group whose members approve requests.
# 2. Privileged access turned on for the tenant, with that group as the default approvers and a
#    sync service account left out of the control.
# 3. Approval policies: these Exchange tasks run only after a just-in-time request is approved.
#
# The provider reads its sign-in settings from the environment (ARM_TENANT_ID, ARM_CLIENT_ID,
# ARM_CLIENT_SECRET, ...). `make demo` runs this configuration against the tenant emulator.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    o365pam = {
      source  = "zerostanding/o365pam"
      version = "~> 0.1"
    }
  }
}

provider "o365pam" {}

variable "domain" {
  description = "The tenant's domain for the approver group's address and its members."
  type        = string
  default     = "contoso.onmicrosoft.com"
}

resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@${var.domain}"
  description          = "Approves privileged Exchange tasks"
  members = [
    "adele.vance@${var.domain}",
    "alex.wilber@${var.domain}",
    "megan.bowen@${var.domain}",
  ]

  # Rotating to a new approver group later then takes one apply (see the privileged access page).
  lifecycle {
    create_before_destroy = true
  }
}

resource "o365pam_privileged_access" "this" {
  default_approver_group = o365pam_approver_group.approvers.primary_smtp_address
  system_accounts        = ["svc-sync@${var.domain}"]
}

locals {
  # Task => approval type. Manual needs an approver; Auto approves at once but leaves an audit trail.
  guarded_tasks = {
    "Exchange\\New-MoveRequest"       = "Manual"
    "Exchange\\Add-MailboxPermission" = "Manual"
    "Exchange\\Set-Mailbox"           = "Auto"
  }
}

resource "o365pam_approval_policy" "tasks" {
  for_each = local.guarded_tasks

  task           = each.key
  approval_type  = each.value
  approver_group = o365pam_approver_group.approvers.primary_smtp_address

  # Policies only take effect once privileged access is on.
  depends_on = [o365pam_privileged_access.this]
}

output "approver_group_id" {
  value = o365pam_approver_group.approvers.id
}
