terraform {
  required_providers {
    harbor = {
      source = "openova/harbor"
    }
  }
}

# The goharbor/harbor provider block works unchanged. Prefer the environment variables
# HARBOR_URL, HARBOR_USERNAME and HARBOR_PASSWORD over credentials written in HCL.
provider "harbor" {
  url      = "https://harbor.aceme_corpartion.com"
  username = "insert_admin_username_here"
  password = "insert_password_here"
}
