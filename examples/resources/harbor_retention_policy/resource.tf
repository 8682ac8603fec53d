resource "harbor_project" "apps" {
  name = "apps"
}

# Every night: keep the 10 most recently pushed release tags and whatever was pulled in the
# last 30 days; everything else goes (tags an immutable rule protects excepted).
resource "harbor_retention_policy" "apps" {
  scope    = harbor_project.apps.id
  schedule = "Daily"

  rule {
    most_recently_pushed = 10
    repo_matching        = "**"
    tag_matching         = "v*"
  }

  rule {
    n_days_since_last_pull = 30
    repo_matching          = "**"
    tag_matching           = "**"
    untagged_artifacts     = false
  }
}
