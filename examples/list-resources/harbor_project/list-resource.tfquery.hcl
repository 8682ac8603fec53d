# Every public project whose name contains "apps" (both filters are optional: without them,
# every project the provider's user can see). `terraform query -generate-config-out=generated.tf`
# writes an import block and a configuration for each one found.
list "harbor_project" "apps" {
  provider = harbor
  config {
    name   = "apps"
    public = true
  }
}
