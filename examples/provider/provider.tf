terraform {
  required_providers {
    o365pam = {
      source  = "zerostanding/o365pam"
      version = "~> 0.1"
    }
  }
}

# Configured from the environment: ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_SECRET (or another
# sign-in method below) and O365PAM_ORGANIZATION. Keep secrets out of configuration files.
provider "o365pam" {}

# App-only sign-in with a client secret (from ARM_CLIENT_SECRET):
#
# provider "o365pam" {
#   tenant_id    = "00000000-0000-0000-0000-000000000000"
#   client_id    = "11111111-1111-1111-1111-111111111111"
#   organization = "contoso.onmicrosoft.com"
# }

# App-only sign-in with a certificate (PFX or PEM holding the certificate and its private key):
#
# provider "o365pam" {
#   tenant_id                   = "00000000-0000-0000-0000-000000000000"
#   client_id                   = "11111111-1111-1111-1111-111111111111"
#   organization                = "contoso.onmicrosoft.com"
#   client_certificate_path     = "/secrets/o365pam.pfx"
#   client_certificate_password = var.certificate_password
# }

# Workload identity federation (OIDC), for example in GitHub Actions with `id-token: write`:
#
# provider "o365pam" {
#   tenant_id    = "00000000-0000-0000-0000-000000000000"
#   client_id    = "11111111-1111-1111-1111-111111111111"
#   organization = "contoso.onmicrosoft.com"
#   use_oidc     = true
# }

# A managed identity, on an Azure virtual machine or runner:
#
# provider "o365pam" {
#   tenant_id    = "00000000-0000-0000-0000-000000000000"
#   client_id    = "11111111-1111-1111-1111-111111111111" # a user-assigned identity's client id
#   organization = "contoso.onmicrosoft.com"
#   use_msi      = true
# }

# Delegated sign-in as the admin signed in to the Azure CLI (`az login`). Leave the client
# settings unset; use_cli is the last method tried and is on by default.
#
# provider "o365pam" {
#   tenant_id    = "00000000-0000-0000-0000-000000000000"
#   organization = "contoso.onmicrosoft.com"
# }

# A national cloud: usgovernment (GCC High), dod or china.
#
# provider "o365pam" {
#   environment = "usgovernment"
# }
