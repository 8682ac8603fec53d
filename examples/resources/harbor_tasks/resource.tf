# Deprecated: use harbor_interrogation_services. Kept so goharbor/harbor configurations still apply.
resource "harbor_tasks" "main" {
  vulnerability_scan_policy = "daily"
}
