# By name, or by goharbor/harbor's id (the instance's API path). Harbor never returns an
# instance's credentials: set them in the configuration, and the first apply sends them.
terraform import harbor_preheat_instance.dragonfly dragonfly-eu
terraform import harbor_preheat_instance.dragonfly /p2p/preheat/instances/dragonfly-eu
