# Every registry endpoint; set `name` to find one by its exact name.
list "harbor_registry" "all" {
  provider = harbor
}
