resource "harbor_project" "main" {
  name                   = "main"
  public                 = false
  vulnerability_scanning = true
  storage_quota          = 100 # GiB; -1 is unlimited
  deployment_security    = "critical"
  cve_allowlist          = ["CVE-2023-44487"]
  auto_sbom_generation   = true
  force_destroy          = true
}

# A proxy cache of Docker Hub: pulls of library/nginx become pulls of dockerhub-proxy/library/nginx.
resource "harbor_registry" "docker_hub" {
  provider_name = "docker-hub"
  name          = "docker-hub"
}

resource "harbor_project" "dockerhub_proxy" {
  name           = "dockerhub-proxy"
  registry_id    = harbor_registry.docker_hub.registry_id
  proxy_speed_kb = 10240
}
