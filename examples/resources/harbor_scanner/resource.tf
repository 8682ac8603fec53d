variable "grype_api_key" {
  type      = string
  sensitive = true
}

# An external Trivy adapter, made Harbor's default scanner. Harbor asks the adapter for its
# metadata before registering it, so it must be running.
resource "harbor_scanner" "trivy" {
  name        = "trivy-external"
  description = "Trivy adapter of the platform team"
  url         = "http://harbor-scanner-trivy:8080"
  default     = true
}

# Grype behind an API key, kept out of state (Terraform 1.11 and later).
resource "harbor_scanner" "grype" {
  name                         = "grype"
  url                          = "https://grype-adapter.internal:8443"
  auth                         = "APIKey"
  access_credential_wo         = var.grype_api_key
  access_credential_wo_version = 1
}
