# By numeric policy id, or by goharbor/harbor's API path.
terraform import harbor_replication.apps_to_dr 7
terraform import harbor_replication.apps_to_dr /replication/policies/7
