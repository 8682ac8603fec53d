# Every proxy-cache project.
data "harbor_projects" "proxies" {
  type = "proxy_cache"
}

output "proxy_projects" {
  value = [for p in data.harbor_projects.proxies.projects : p.name]
}
