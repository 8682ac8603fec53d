# The quota of a project created outside this configuration (by another team, or by hand).
resource "harbor_project_quota" "team_a" {
  project       = "team-a"
  storage_quota = 500 # GiB; -1 is unlimited
}
