# Only these settings are written; every other system setting stays as Harbor has it.
resource "harbor_config_system" "main" {
  project_creation_restriction = "adminonly"
  robot_token_expiration       = 90
  robot_name_prefix            = "robot$"
  storage_per_project          = 100

  banner_message {
    message = "Maintenance window: Sunday 02:00-04:00 UTC"
    type    = "warning"
  }
}
