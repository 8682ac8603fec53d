data "harbor_groups" "storage" {
  group_name = "storage-group"
}

output "storage_group_id" {
  value = one(data.harbor_groups.storage.groups[*].id)
}
