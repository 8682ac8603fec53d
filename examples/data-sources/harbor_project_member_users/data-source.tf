data "harbor_project_member_users" "main" {
  project_id = "/projects/5"
}

output "developers" {
  value = [for m in data.harbor_project_member_users.main.project_member_users : m.user_name if m.role == "developer"]
}
