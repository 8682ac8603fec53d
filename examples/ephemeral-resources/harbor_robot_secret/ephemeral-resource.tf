resource "harbor_robot_account" "ci" {
  name  = "ci"
  level = "system"

  permissions {
    kind      = "project"
    namespace = "*"

    access {
      action   = "push"
      resource = "repository"
    }
  }
}

# Rotates the robot's secret on every run that opens it, and hands the new one to a
# write-only attribute, here another Harbor's registry endpoint credential.
ephemeral "harbor_robot_secret" "ci" {
  robot_id = tonumber(harbor_robot_account.ci.robot_id)
}

resource "harbor_registry" "primary" {
  name                     = "primary"
  provider_name            = "harbor"
  endpoint_url             = "https://harbor.example.com"
  access_id                = harbor_robot_account.ci.full_name
  access_secret_wo         = ephemeral.harbor_robot_secret.ci.secret
  access_secret_wo_version = 1
}
