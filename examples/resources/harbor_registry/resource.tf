variable "dr_robot_secret" {
  type      = string
  sensitive = true
}

# Another Harbor, reached with a robot account of that Harbor.
resource "harbor_registry" "dr" {
  provider_name = "harbor"
  name          = "harbor-dr"
  description   = "Disaster-recovery Harbor in eu-west"
  endpoint_url  = "https://harbor-dr.example.com"
  access_id     = "robot$replication-push"
  access_secret = var.dr_robot_secret
}

# Docker Hub and GitHub need no endpoint_url: Harbor fixes it.
resource "harbor_registry" "ghcr" {
  provider_name = "github"
  name          = "ghcr"
}
