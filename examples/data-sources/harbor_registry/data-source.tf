data "harbor_registry" "dr" {
  name = "harbor-dr"
}

output "dr_registry_id" {
  value = data.harbor_registry.dr.registry_id
}
