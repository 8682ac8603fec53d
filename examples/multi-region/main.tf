# Multi-region disaster recovery: CI pushes to the primary Harbor, replication copies every
# image to the replica, and the replica can pull hot fixes back. Apply it against two real
# Harbors, or against two emulators (`scripts/demo.sh` does exactly that).

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

# ---------------------------------------------------------------- the primary region

# Application images: scanned on push, critical vulnerabilities block pulls, 50 GiB quota.
resource "harbor_project" "apps" {
  provider               = harbor.primary
  name                   = "apps"
  vulnerability_scanning = true
  deployment_security    = "critical"
  storage_quota          = 50
}

# Base images, shared by every team.
resource "harbor_project" "base" {
  provider      = harbor.primary
  name          = "base"
  public        = true
  storage_quota = 20
}

# The robot CI pipelines push with (its secret is in state, marked sensitive).
resource "harbor_robot_account" "ci_push" {
  provider    = harbor.primary
  name        = "ci-push"
  description = "CI pipelines push application images"
  level       = "project"

  permissions {
    kind      = "project"
    namespace = harbor_project.apps.name

    access {
      action   = "push"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
    access {
      action   = "list"
      resource = "tag"
    }
  }
}

# The replica, as seen from the primary. Harbor checks that it is reachable when it is created.
resource "harbor_registry" "replica" {
  provider      = harbor.primary
  name          = "replica"
  provider_name = "harbor"
  endpoint_url  = var.replica_url
  access_id     = harbor_robot_account.replica_sync.full_name
  access_secret = harbor_robot_account.replica_sync.secret
}

# Every push to `apps` is copied to the replica at once.
resource "harbor_replication" "apps_to_replica" {
  provider    = harbor.primary
  name        = "apps-to-replica"
  action      = "push"
  registry_id = harbor_registry.replica.registry_id
  schedule    = "event_based"
  description = "Copy application images to the replica as they are pushed"

  filters {
    name = "apps/**"
  }
}

# Base images are copied nightly, released tags only.
resource "harbor_replication" "base_nightly" {
  provider    = harbor.primary
  name        = "base-nightly"
  action      = "push"
  registry_id = harbor_registry.replica.registry_id
  schedule    = "0 0 2 * * *"
  override    = true

  filters {
    name = "base/**"
    tag  = "v*"
  }
  filters {
    resource = "image"
  }
}

# ---------------------------------------------------------------- the replica region

# The destination projects must exist on the replica.
resource "harbor_project" "replica_apps" {
  provider               = harbor.replica
  name                   = "apps"
  vulnerability_scanning = true
  deployment_security    = "critical"
  storage_quota          = 50
}

resource "harbor_project" "replica_base" {
  provider      = harbor.replica
  name          = "base"
  public        = true
  storage_quota = 20
}

# The system robot the primary's push policies log in to the replica with.
resource "harbor_robot_account" "replica_sync" {
  provider    = harbor.replica
  name        = "replica-sync"
  description = "Used by the primary region to push replicated images"
  level       = "system"

  permissions {
    kind      = "project"
    namespace = "*"

    access {
      action   = "push"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
  }
}

# The primary, as seen from the replica: active-active pulls of hot fixes made in the primary.
resource "harbor_registry" "primary" {
  provider      = harbor.replica
  name          = "primary"
  provider_name = "harbor"
  endpoint_url  = var.primary_url
  access_id     = var.primary_username
  access_secret = var.primary_password
}

# Pull (not event-based push) on the replica side: two event-based push policies pointing at
# each other, with `deletion`, would bounce every change back and forth.
resource "harbor_replication" "hotfix_pull" {
  provider       = harbor.replica
  name           = "hotfix-pull"
  action         = "pull"
  registry_id    = harbor_registry.primary.registry_id
  schedule       = "0 */30 * * * *"
  dest_namespace = harbor_project.replica_apps.name

  filters {
    name = "apps/hotfix-*"
  }
}
