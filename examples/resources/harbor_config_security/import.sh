# Harbor has one system CVE allowlist; any id imports it.
terraform import harbor_config_security.main /system/CVEAllowlist
