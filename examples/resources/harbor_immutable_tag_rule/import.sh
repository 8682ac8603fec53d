# /projects/<project_id>/immutabletagrules/<rule_id> (goharbor/harbor's form), or <project_id>/<rule_id>.
terraform import harbor_immutable_tag_rule.releases /projects/4/immutabletagrules/25
