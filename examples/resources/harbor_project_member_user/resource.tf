resource "harbor_project" "main" {
  name = "main"
}

resource "harbor_user" "dev" {
  username  = "dev"
  password  = "Password12345!"
  full_name = "A Developer"
  email     = "dev@example.com"
}

# The user may push and pull, but not delete the project or manage its members.
resource "harbor_project_member_user" "dev" {
  project_id = harbor_project.main.id
  user_name  = harbor_user.dev.username
  role       = "developer"
}
