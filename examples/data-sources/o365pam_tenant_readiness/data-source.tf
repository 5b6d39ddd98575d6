# Whether the tenant can take privileged access management before anything is changed: a
# subscription that includes it, room for approval policies under Exchange's limit, and the rights
# of the identity the provider signs in as.
data "o365pam_tenant_readiness" "this" {}

output "readiness_problems" {
  value = data.o365pam_tenant_readiness.this.problems
}

# Stop before the first change when the tenant is not ready, with every problem in the error.
resource "o365pam_approver_group" "approvers" {
  name                 = "PAM Approvers"
  primary_smtp_address = "pam-approvers@contoso.onmicrosoft.com"
  members = [
    "adele.vance@contoso.onmicrosoft.com",
    "alex.wilber@contoso.onmicrosoft.com",
  ]

  lifecycle {
    precondition {
      condition     = data.o365pam_tenant_readiness.this.ready
      error_message = "The tenant is not ready for privileged access management:\n${join("\n", data.o365pam_tenant_readiness.this.problems)}"
    }
  }
}
