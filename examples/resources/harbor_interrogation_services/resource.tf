# Trivy (Harbor's built-in scanner) is the default; every artifact is scanned nightly at 02:00.
resource "harbor_interrogation_services" "main" {
  default_scanner           = "Trivy"
  vulnerability_scan_policy = "0 0 2 * * *"
}
