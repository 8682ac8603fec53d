# By the registration's API path (the uuid Harbor gave it), the bare uuid, or its name. Harbor
# never returns the credential: set it in the configuration, and the first apply sends it.
terraform import harbor_scanner.trivy /scanners/9f5b2c3e-1a2b-4c5d-8e9f-0a1b2c3d4e5f
terraform import harbor_scanner.trivy trivy-external
