data "harbor_system_info" "this" {}

output "harbor_version" {
  value = data.harbor_system_info.this.harbor_version
}
