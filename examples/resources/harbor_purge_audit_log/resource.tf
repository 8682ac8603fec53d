# Keep audit records for 90 days; purge artifact events nightly.
resource "harbor_purge_audit_log" "main" {
  schedule             = "Daily"
  audit_retention_hour = 2160
  include_event_types  = "create_artifact,delete_artifact,pull_artifact"
}
