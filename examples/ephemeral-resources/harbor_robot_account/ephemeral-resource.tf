# A robot that exists only while this run needs it: pull credentials for a deploy step,
# handed to another provider block and never written to plan or state.
ephemeral "harbor_robot_account" "deploy" {
  level       = "project"
  name_prefix = "deploy"
  duration    = 1

  permissions {
    kind      = "project"
    namespace = "apps"

    access {
      action   = "pull"
      resource = "repository"
    }
  }
}

# Any provider block may log in with it, for example a second Harbor provider.
provider "harbor" {
  alias    = "deployer"
  url      = "https://harbor.example.com"
  username = ephemeral.harbor_robot_account.deploy.full_name
  password = ephemeral.harbor_robot_account.deploy.secret
}
