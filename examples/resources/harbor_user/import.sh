# By goharbor/harbor's API path, the numeric id, or the username. Harbor never returns a
# password: it is null in state, and a configured `password` plans one in-place update.
terraform import harbor_user.main /users/19
terraform import harbor_user.main 19
terraform import harbor_user.main john
