# The robot accounts of project "apps"; without `project`, the system robots.
list "harbor_robot_account" "apps" {
  provider = harbor
  config {
    project = "apps"
  }
}
