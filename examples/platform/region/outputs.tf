# What the region module hands back: the other region's inputs, and CI's credentials.

output "replication_robot_name" {
  description = "Full name of the robot the other region pushes replicated images with"
  value       = harbor_robot_account.replication.full_name
}

output "replication_robot_secret" {
  description = "Its secret"
  value       = harbor_robot_account.replication.secret
  sensitive   = true
}

output "ci_robots" {
  description = "CI pipeline => the robot name it logs in with"
  value       = { for k, r in harbor_robot_account.ci : k => r.full_name }
}

output "ci_robot_secrets" {
  description = "CI pipeline => its robot's secret"
  value       = { for k, r in harbor_robot_account.ci : k => r.secret }
  sensitive   = true
}

output "default_scanner" {
  description = "UUID of the Trivy registration, Harbor's default scanner"
  value       = harbor_scanner.trivy.uuid
}
