# By name, by numeric id, or by goharbor/harbor's API path.
terraform import harbor_project.main main
terraform import harbor_project.main 5
terraform import harbor_project.main /projects/5
