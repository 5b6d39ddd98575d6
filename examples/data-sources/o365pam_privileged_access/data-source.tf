# Whether privileged access management is on in the tenant the provider is configured for.
data "o365pam_privileged_access" "this" {}

output "pam_enabled" {
  value = data.o365pam_privileged_access.this.enabled
}
