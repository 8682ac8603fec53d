# CVEs every project using the system allowlist may ship with, until the end of 2026.
resource "harbor_config_security" "main" {
  cve_allowlist = ["CVE-2024-0001", "CVE-2024-0002"]
  expires_at    = 1798761600
}
