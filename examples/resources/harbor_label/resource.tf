# A global label, available in every project.
resource "harbor_label" "release" {
  name        = "release"
  color       = "#0065AB"
  description = "Artifacts that went to production"
}

resource "harbor_project" "apps" {
  name = "apps"
}

# A label of one project.
resource "harbor_label" "reviewed" {
  name       = "reviewed"
  color      = "#00AA00"
  project_id = harbor_project.apps.id
}
