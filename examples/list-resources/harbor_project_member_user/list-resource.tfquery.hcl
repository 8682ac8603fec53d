# The user memberships of project "apps" (`project` is required).
list "harbor_project_member_user" "apps" {
  provider = harbor
  config {
    project = "apps"
  }
}
