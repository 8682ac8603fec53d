resource "harbor_project" "main" {
  name = "main"
}

# The complete member list: anyone added by hand in Harbor's UI is removed on the next apply.
resource "harbor_project_members" "main" {
  project_id = harbor_project.main.id

  # The project's creator is a member too; list it or it is removed.
  member {
    user_name = "admin"
    role      = "projectadmin"
  }
  member {
    user_name = "dev"
    role      = "developer"
  }
  member {
    group_name = "readers"
    type       = "oidc"
    role       = "guest"
  }
}
