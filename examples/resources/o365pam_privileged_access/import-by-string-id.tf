# By the tenant's initial domain; the tenant id (GUID) works too.
import {
  to = o365pam_privileged_access.this
  id = "contoso.onmicrosoft.com"
}
