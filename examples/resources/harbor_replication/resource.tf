variable "dr_robot_secret" {
  type      = string
  sensitive = true
}

resource "harbor_registry" "dr" {
  provider_name = "harbor"
  name          = "harbor-dr"
  endpoint_url  = "https://harbor-dr.example.com"
  access_id     = "robot$replication-push"
  access_secret = var.dr_robot_secret
}

# Every push to a release tag of apps/* is copied to the DR Harbor as it happens.
resource "harbor_replication" "apps_to_dr" {
  name        = "apps-to-dr"
  description = "Release images to the DR Harbor"
  action      = "push"
  registry_id = harbor_registry.dr.registry_id
  schedule    = "event_based"

  filters {
    name = "apps/**"
    tag  = "v*"
  }
}

# A nightly catch-up of everything, at 02:00 (six fields, seconds first), excluding snapshots.
resource "harbor_replication" "nightly_to_dr" {
  name        = "nightly-to-dr"
  action      = "push"
  registry_id = harbor_registry.dr.registry_id
  schedule    = "0 0 2 * * *"
  speed       = 51200 # KB/s per task

  filters {
    name = "**"
  }
  filters {
    tag        = "*-SNAPSHOT"
    decoration = "excludes"
  }
}
