# Privileged access is imported by the tenant id (GUID) or the tenant's initial domain.
terraform import o365pam_privileged_access.this contoso.onmicrosoft.com
