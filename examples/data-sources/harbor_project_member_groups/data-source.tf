data "harbor_project_member_groups" "main" {
  project_id = "/projects/5"
}

output "group_roles" {
  value = { for m in data.harbor_project_member_groups.main.project_member_groups : m.group_name => m.role }
}
