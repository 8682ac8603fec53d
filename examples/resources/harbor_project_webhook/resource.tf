resource "harbor_project" "shop" {
  name = "shop"
}

variable "ci_webhook_token" {
  type      = string
  sensitive = true
}

# CI hears about every push and delete, in CloudEvents format, with a bearer token.
resource "harbor_project_webhook" "ci" {
  name           = "ci"
  project_id     = harbor_project.shop.id
  notify_type    = "http"
  address        = "https://ci.example.com/hooks/harbor"
  payload_format = "CloudEvents"
  events_types   = ["PUSH_ARTIFACT", "DELETE_ARTIFACT"]
  auth_header    = "Bearer ${var.ci_webhook_token}"
}

# The team channel hears about quota trouble and failed scans.
resource "harbor_project_webhook" "chat" {
  name         = "team-chat"
  project_id   = harbor_project.shop.id
  notify_type  = "slack"
  address      = "https://hooks.slack.com/services/T000/B000/XXXX"
  events_types = ["QUOTA_EXCEED", "QUOTA_WARNING", "SCANNING_FAILED"]
}
