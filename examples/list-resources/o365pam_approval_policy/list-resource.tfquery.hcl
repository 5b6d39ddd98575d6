# In a .tfquery.hcl file, next to the configuration's provider block (Terraform 1.14 or later):
#
#   terraform query                                   # lists what the tenant has
#   terraform query -generate-config-out=adopted.tf   # writes resource and import blocks for it
list "o365pam_approval_policy" "all" {
  provider         = o365pam
  include_resource = true
}
