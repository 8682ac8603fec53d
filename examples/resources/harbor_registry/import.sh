# By numeric registry id, or by goharbor/harbor's API path.
terraform import harbor_registry.dr 3
terraform import harbor_registry.dr /registries/3
