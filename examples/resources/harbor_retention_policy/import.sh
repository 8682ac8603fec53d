# By the policy's API path (goharbor/harbor's form) or its numeric id; a project's policy id is
# its `retention_id` metadata.
terraform import harbor_retention_policy.apps /retentions/10
