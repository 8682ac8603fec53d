resource "harbor_project" "main" {
  name = "main"
}

resource "harbor_group" "readers" {
  group_name = "readers"
  group_type = 3
}

# Everyone in the OIDC group "readers" may pull from the project.
resource "harbor_project_member_group" "readers" {
  project_id = harbor_project.main.id
  group_id   = harbor_group.readers.group_id
  type       = "oidc"
  role       = "guest"
}
