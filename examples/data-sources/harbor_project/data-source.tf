data "harbor_project" "main" {
  name = "main"
}

output "main_project_id" {
  value = data.harbor_project.main.project_id
}
