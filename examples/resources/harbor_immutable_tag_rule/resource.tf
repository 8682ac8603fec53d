resource "harbor_project" "apps" {
  name = "apps"
}

# Release tags of every repository can be neither pushed over nor deleted.
resource "harbor_immutable_tag_rule" "releases" {
  project_id    = harbor_project.apps.id
  repo_matching = "**"
  tag_matching  = "v*"
}
