# A fleet: the same privileged access baseline in every tenant of a list, through one provider
# configuration. Each resource names its tenant (`tenant_id`), so one provider process and one
# credential serve every tenant: a multi-tenant app consented in each of them (see the guide
# "Manage many tenants").
#
# Against the tenant emulator started with `-tenants N`, after sourcing its export lines:
#
#   terraform init
#   terraform apply -var tenants_file="$O365PAM_EMULATOR_TENANTS"

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    o365pam = {
      source  = "zerostanding/o365pam"
      version = "~> 0.1"
    }
  }
}

# The app's credentials come from the environment (ARM_CLIENT_ID, ARM_CLIENT_SECRET, ...).
provider "o365pam" {}

variable "tenants_file" {
  description = "A JSON list of the tenants to manage: [{\"tenant_id\": \"<GUID>\", \"organization\": \"<initial domain>\"}, ...]. An entry may also list its tenant's \"approvers\" and \"system_accounts\". The tenant emulator writes such a file and names it in O365PAM_EMULATOR_TENANTS."
  type        = string
}

locals {
  # Keyed by initial domain, so that state addresses name the tenant:
  # module.tenant["fleet0001.onmicrosoft.com"].
  tenants = { for t in jsondecode(file(var.tenants_file)) : t.organization => t }

  # For entries that list no approvers: users every emulated tenant has.
  default_approvers = ["adele.vance", "alex.wilber", "megan.bowen"]
}

module "tenant" {
  source   = "./modules/tenant-baseline"
  for_each = local.tenants

  tenant_id       = each.value.tenant_id
  organization    = each.value.organization
  approvers       = try(each.value.approvers, [for name in local.default_approvers : "${name}@${each.value.organization}"])
  system_accounts = try(each.value.system_accounts, ["svc-sync@${each.value.organization}"])
}

output "approver_groups" {
  description = "Each tenant's approver group (Exchange GUID), by initial domain."
  value       = { for key, baseline in module.tenant : key => baseline.approver_group_id }
}

# What stops a tenant from taking the baseline: a licence without privileged access management,
# the policy limit, missing rights, or an app not consented there.
data "o365pam_tenant_readiness" "tenant" {
  for_each  = local.tenants
  tenant_id = each.value.tenant_id
}

output "tenants_not_ready" {
  description = "Tenant => what stops it taking the baseline; empty when every tenant is ready."
  value       = { for key, r in data.o365pam_tenant_readiness.tenant : key => r.problems if !r.ready }
}
