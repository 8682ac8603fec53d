# By the label's API path (goharbor/harbor's form) or its numeric id.
terraform import harbor_label.release /labels/12
