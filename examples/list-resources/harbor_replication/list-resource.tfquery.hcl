# The replication policy named "to-replica".
list "harbor_replication" "dr" {
  provider = harbor
  config {
    name = "to-replica"
  }
}
