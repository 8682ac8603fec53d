# By goharbor/harbor's id (the policy's API path), or as <project id or name>/<webhook id>.
terraform import harbor_project_webhook.ci /projects/5/webhook/policies/3
terraform import harbor_project_webhook.ci shop/3
