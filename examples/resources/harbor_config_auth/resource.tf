# Sign in through the company's LDAP directory. Only these settings are written; every other
# authentication setting stays as Harbor has it. Harbor refuses to change the auth mode once
# users other than admin exist, so set it up before anyone signs in.
resource "harbor_config_auth" "ldap" {
  auth_mode                       = "ldap_auth"
  ldap_url                        = "ldaps://ldap.example.com:636"
  ldap_base_dn                    = "ou=people,dc=example,dc=com"
  ldap_uid                        = "uid"
  ldap_search_dn                  = "cn=harbor,ou=services,dc=example,dc=com"
  ldap_search_password_wo         = var.ldap_search_password
  ldap_search_password_wo_version = 1
  ldap_group_base_dn              = "ou=groups,dc=example,dc=com"
  ldap_group_gid                  = "cn"
  ldap_group_admin_dn             = "cn=harbor-admins,ou=groups,dc=example,dc=com"
}

variable "ldap_search_password" {
  type      = string
  sensitive = true
}
