# goharbor/harbor's form: the project id and the member id (see GET /projects/<id>/members).
terraform import harbor_project_member_group.readers /projects/10/members/201
