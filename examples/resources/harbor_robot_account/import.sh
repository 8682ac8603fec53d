# By numeric robot id, or by goharbor/harbor's API path. The secret cannot be read back:
# it is null in state until `secret` is set or a rotation trigger changes.
terraform import harbor_robot_account.ci_push 12
terraform import harbor_robot_account.ci_push /robots/12
