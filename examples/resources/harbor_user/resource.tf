# A local user with the password in state (sensitive).
resource "harbor_user" "main" {
  username  = "john"
  password  = "Password12345!"
  full_name = "John Smith"
  email     = "john@smith.com"
}

# Terraform 1.11+: a write-only password, never stored; bump the version to set a new one.
resource "harbor_user" "ops" {
  username            = "ops"
  password_wo         = var.ops_password
  password_wo_version = 1
  full_name           = "Operations"
  email               = "ops@example.com"
  admin               = true
  comment             = "on call"
}

variable "ops_password" {
  type      = string
  sensitive = true
}
