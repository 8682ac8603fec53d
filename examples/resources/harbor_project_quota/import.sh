# By project name (or numeric project id).
terraform import harbor_project_quota.team_a team-a
