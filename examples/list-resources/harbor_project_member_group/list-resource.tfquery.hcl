# The group memberships of project "apps" (`project` is required; `name` picks one group).
list "harbor_project_member_group" "apps" {
  provider = harbor
  config {
    project = "apps"
    name    = "developers"
  }
}
