# The region module's provider requirement: the caller passes the Harbor of this region as the
# module's default `harbor` provider (`providers = { harbor = harbor.<region> }`).
terraform {
  required_providers {
    harbor = {
      source = "openova/harbor"
    }
  }
}
