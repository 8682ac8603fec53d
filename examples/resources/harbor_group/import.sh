# By goharbor/harbor's API path or the numeric id.
terraform import harbor_group.storage /usergroups/19
terraform import harbor_group.storage 19
