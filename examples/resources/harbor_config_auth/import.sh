# Harbor has one set of authentication settings; any id imports them (goharbor's is /configurations).
terraform import harbor_config_auth.main /configurations
