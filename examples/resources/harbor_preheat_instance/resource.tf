variable "dragonfly_token" {
  type      = string
  sensitive = true
}

# A Dragonfly manager Harbor preheats images into, the default for new preheat policies.
resource "harbor_preheat_instance" "dragonfly" {
  name      = "dragonfly-eu"
  vendor    = "dragonfly"
  endpoint  = "https://dragonfly-manager.example.com"
  auth_mode = "OAUTH"
  token     = var.dragonfly_token
  default   = true
}

# Kraken without authentication.
resource "harbor_preheat_instance" "kraken" {
  name     = "kraken"
  vendor   = "kraken"
  endpoint = "http://kraken-proxy.internal:8080"
}
