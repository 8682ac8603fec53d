resource "harbor_project" "apps" {
  name = "apps"
}

resource "harbor_retention_policy" "apps" {
  scope = harbor_project.apps.id

  rule {
    most_recently_pushed = 5
    repo_matching        = "**"
    tag_matching         = "**"
  }
}

# What the policy would delete now, without deleting anything.
data "harbor_retention_dry_run" "apps" {
  retention_id = harbor_retention_policy.apps.retention_id
}

output "would_delete" {
  value = {
    for r in data.harbor_retention_dry_run.apps.repositories : r.repository => r.deleted_tags
  }
}
