# Weekly garbage collection, Sunday 03:00, untagged artifacts included.
resource "harbor_garbage_collection" "main" {
  schedule        = "0 0 3 * * 0"
  delete_untagged = true
  workers         = 2
}
