# Every registered scanner whose name contains "trivy", and which one is the default.
data "harbor_scanners" "trivy" {
  name = "trivy"
}

output "trivy_scanners" {
  value = { for s in data.harbor_scanners.trivy.scanners : s.name => s.url }
}

output "default_scanner" {
  value = data.harbor_scanners.trivy.default_scanner
}
