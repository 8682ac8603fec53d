# System robots whose name contains "ci".
data "harbor_robot_accounts" "ci" {
  name  = "ci"
  level = "system"
}

output "ci_robots" {
  value = [for r in data.harbor_robot_accounts.ci.robot_accounts : r.name]
}
