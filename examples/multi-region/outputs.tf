output "ci_push_robot" {
  description = "The name CI logs in to the primary with"
  value       = harbor_robot_account.ci_push.full_name
}

output "ci_push_secret" {
  description = "The secret CI logs in with (terraform output -raw ci_push_secret)"
  value       = harbor_robot_account.ci_push.secret
  sensitive   = true
}

output "replication_policies" {
  description = "Replication policy ids on the primary and the replica"
  value = {
    apps_to_replica = harbor_replication.apps_to_replica.replication_policy_id
    base_nightly    = harbor_replication.base_nightly.replication_policy_id
    hotfix_pull     = harbor_replication.hotfix_pull.replication_policy_id
  }
}
