# The whole platform in two regions: the same region module (./region) for the primary and the
# replica, each with its own Harbor, Trivy adapter and audit log endpoint. The primary pushes its
# images to the replica. Apply it against two real Harbors, or against two emulators (the
# acceptance test does, with a Trivy-speaking adapter and a syslog receiver it starts).

terraform {
  required_providers {
    harbor = {
      source = "openova/harbor"
    }
  }
}

provider "harbor" {
  alias    = "primary"
  url      = var.primary_url
  username = var.primary_username
  password = var.primary_password
}

provider "harbor" {
  alias    = "replica"
  url      = var.replica_url
  username = var.replica_username
  password = var.replica_password
}

locals {
  # Both regions hold the same projects: the replica receives the primary's images.
  projects = {
    apps    = { production = true, storage_quota = 100 }
    base    = { production = true, storage_quota = 20 }
    sandbox = { production = false, storage_quota = 10 }
  }
}

module "primary" {
  source    = "./region"
  providers = { harbor = harbor.primary }

  region             = "primary"
  scanner_url        = var.primary_scanner_url
  audit_log_endpoint = var.audit_log_endpoint
  projects           = local.projects
  ci_pipelines = {
    web     = "apps"
    api     = "apps"
    images  = "base"
    scratch = "sandbox"
  }

  replicate_to_peer = true
  peer_url          = var.replica_url
  peer_robot_name   = module.replica.replication_robot_name
  peer_robot_secret = module.replica.replication_robot_secret
}

module "replica" {
  source    = "./region"
  providers = { harbor = harbor.replica }

  region             = "replica"
  scanner_url        = var.replica_scanner_url
  audit_log_endpoint = var.audit_log_endpoint
  projects           = local.projects

  # The replica only receives; it would push back to the primary after a fail-over.
  replicate_to_peer = false
  peer_url          = var.primary_url
  peer_robot_name   = module.primary.replication_robot_name
  peer_robot_secret = module.primary.replication_robot_secret
}
