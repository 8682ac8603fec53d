# Harbor has one set of system settings; any id imports them.
terraform import harbor_config_system.main configuration/system
