# One region of the platform: scanning, projects, CI robots, housekeeping, audit and replication
# for one Harbor. Call it once per region with that region's provider (see ../main.tf).

# ---------------------------------------------------------------- scanning

# The region's Trivy adapter, Harbor's default scanner.
resource "harbor_scanner" "trivy" {
  name        = var.scanner_name
  description = "Trivy adapter of ${var.region}"
  url         = var.scanner_url
  default     = true
}

# Every artifact is scanned on schedule, with the Trivy adapter as the default scanner.
resource "harbor_interrogation_services" "scan_all" {
  default_scanner           = harbor_scanner.trivy.name
  vulnerability_scan_policy = var.scan_all_schedule
}

# ---------------------------------------------------------------- projects and CI

# Every project is scanned on push and has a quota; production projects also refuse pulls of
# images with critical vulnerabilities.
resource "harbor_project" "this" {
  for_each = var.projects

  name                   = each.key
  vulnerability_scanning = true
  deployment_security    = each.value.production ? "critical" : null
  storage_quota          = each.value.storage_quota

  # Created once audit forwarding is on (and deleted before it is turned off), so the syslog
  # server sees every project's creation and deletion.
  depends_on = [harbor_config_system.audit]
}

# One robot per CI pipeline, allowed to push to and pull from its project only.
resource "harbor_robot_account" "ci" {
  for_each = var.ci_pipelines

  name        = "ci-${each.key}"
  description = "CI pipeline ${each.key} (${var.region})"
  level       = "project"

  permissions {
    kind      = "project"
    namespace = harbor_project.this[each.value].name

    access {
      action   = "push"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
  }
}

# ---------------------------------------------------------------- housekeeping and audit

resource "harbor_garbage_collection" "weekly" {
  schedule        = var.gc_schedule
  delete_untagged = true
}

# Audit logs go to the central syslog server; the database keeps them for audit_retention_days.
resource "harbor_config_system" "audit" {
  audit_log_forward_endpoint = var.audit_log_endpoint
}

resource "harbor_purge_audit_log" "retention" {
  schedule             = "Daily"
  audit_retention_hour = var.audit_retention_days * 24
  include_operations   = "create,delete,pull"
}

# ---------------------------------------------------------------- replication

# The robot the other region logs in with to push replicated images here.
resource "harbor_robot_account" "replication" {
  name        = "replication-inbound"
  description = "The other region pushes replicated images with it (${var.region})"
  level       = "system"

  permissions {
    kind      = "project"
    namespace = "*"

    access {
      action   = "push"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
  }
}

# The other region, as seen from this one. Harbor checks that it is reachable.
resource "harbor_registry" "peer" {
  count = var.replicate_to_peer ? 1 : 0

  name          = "peer-region"
  provider_name = "harbor"
  endpoint_url  = var.peer_url
  access_id     = var.peer_robot_name
  access_secret = var.peer_robot_secret
}

# Each project is copied to the other region as images are pushed (the other region has the
# same projects: it is called with the same `projects`).
resource "harbor_replication" "to_peer" {
  for_each = var.replicate_to_peer ? var.projects : {}

  name        = "${each.key}-to-peer"
  action      = "push"
  registry_id = harbor_registry.peer[0].registry_id
  schedule    = "event_based"
  description = "Copy ${each.key} to the other region as images are pushed"

  filters {
    name = "${harbor_project.this[each.key].name}/**"
  }
}
