# Access in force right now and who approved it, for example for a daily audit report.
data "o365pam_access_authorizations" "active" {
  active = true
}

output "active_grants" {
  value = [
    for a in data.o365pam_access_authorizations.active.authorizations :
    "${a.authorized_access} until ${a.ends}, approved by ${a.authorized_by}"
  ]
}

# Grants an admin cut short.
data "o365pam_access_authorizations" "all" {}

output "revoked_grants" {
  value = [
    for a in data.o365pam_access_authorizations.all.authorizations :
    "${a.authorized_access}: revoked by ${a.revoked_by} at ${a.revoked_at} (${coalesce(a.revocation_comment, "no comment")})"
    if a.revoked
  ]
}
