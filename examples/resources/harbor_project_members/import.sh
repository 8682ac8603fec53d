# By the project's id (with or without `/members`), numeric id or name.
terraform import harbor_project_members.main /projects/10/members
terraform import harbor_project_members.main /projects/10
