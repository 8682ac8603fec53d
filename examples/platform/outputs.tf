# What the platform hands to CI: each pipeline's robot on the primary.

output "ci_robots" {
  description = "CI pipeline => the robot it pushes to the primary with"
  value       = module.primary.ci_robots
}

output "ci_robot_secrets" {
  description = "CI pipeline => its robot's secret (terraform output -json ci_robot_secrets)"
  value       = module.primary.ci_robot_secrets
  sensitive   = true
}

output "default_scanners" {
  description = "UUID of each region's default scanner"
  value = {
    primary = module.primary.default_scanner
    replica = module.replica.default_scanner
  }
}
