# One user by username (leave the filters out to list every user).
data "harbor_users" "john" {
  username = "john"
}

output "john_is_admin" {
  value = one(data.harbor_users.john.users[*].admin)
}
