# An OIDC group (type 3); LDAP groups (type 1) need Harbor in LDAP mode and an ldap_group_dn.
resource "harbor_group" "storage" {
  group_name = "storage-group"
  group_type = 3
}
