# By identity (Terraform 1.12 or later), as `terraform query` writes it: the tenant id (GUID) or
# the tenant's initial domain.
import {
  to = o365pam_privileged_access.this
  identity = {
    tenant_id = "contoso.onmicrosoft.com"
  }
}
