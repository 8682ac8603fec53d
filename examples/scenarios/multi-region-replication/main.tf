# Two Harbors, a primary and a disaster-recovery replica, managed from one configuration.
# The primary pushes `apps` to the replica as images arrive (and catches up nightly); the replica
# pulls the curated `base` images from the primary on its own schedule. Each repository set
# flows in one direction only, so nothing can bounce between the sites.
# See docs/guides/multi-region-replication.md.

terraform {
  required_providers {
    harbor = {
      source = "openova/harbor"
    }
  }
}

variable "primary_url" {
  type    = string
  default = "https://harbor.eu-central.example.com"
}

variable "replica_url" {
  type    = string
  default = "https://harbor.eu-west.example.com"
}

variable "primary_password" {
  type      = string
  sensitive = true
}

variable "replica_password" {
  type      = string
  sensitive = true
}

provider "harbor" {
  alias    = "primary"
  url      = var.primary_url
  username = "admin"
  password = var.primary_password
}

provider "harbor" {
  alias    = "replica"
  url      = var.replica_url
  username = "admin"
  password = var.replica_password
}

# The same projects on both sides.
resource "harbor_project" "apps_primary" {
  provider = harbor.primary
  name     = "apps"
}

resource "harbor_project" "apps_replica" {
  provider = harbor.replica
  name     = "apps"
}

resource "harbor_project" "base_primary" {
  provider = harbor.primary
  name     = "base"
}

resource "harbor_project" "base_replica" {
  provider = harbor.replica
  name     = "base"
}

# On the replica: the robot the primary pushes with.
resource "harbor_robot_account" "replica_push_target" {
  provider    = harbor.replica
  name        = "replication-from-primary"
  description = "Used by the primary Harbor to push apps"
  level       = "system"

  permissions {
    kind      = "system"
    namespace = "/"

    access {
      action   = "list"
      resource = "project"
    }
  }

  permissions {
    kind      = "project"
    namespace = harbor_project.apps_replica.name

    access {
      action   = "list"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
    access {
      action   = "push"
      resource = "repository"
    }
    access {
      action   = "delete"
      resource = "repository"
    }
    access {
      action   = "read"
      resource = "artifact"
    }
    access {
      action   = "list"
      resource = "artifact"
    }
    access {
      action   = "delete"
      resource = "artifact"
    }
    access {
      action   = "create"
      resource = "tag"
    }
    access {
      action   = "list"
      resource = "tag"
    }
  }
}

# On the primary: the read-only robot the replica pulls with.
resource "harbor_robot_account" "primary_pull_source" {
  provider    = harbor.primary
  name        = "replication-to-replica"
  description = "Used by the replica Harbor to pull base images"
  level       = "system"

  permissions {
    kind      = "system"
    namespace = "/"

    access {
      action   = "list"
      resource = "project"
    }
  }

  permissions {
    kind      = "project"
    namespace = harbor_project.base_primary.name

    access {
      action   = "list"
      resource = "repository"
    }
    access {
      action   = "pull"
      resource = "repository"
    }
    access {
      action   = "read"
      resource = "artifact"
    }
    access {
      action   = "list"
      resource = "artifact"
    }
    access {
      action   = "list"
      resource = "tag"
    }
  }
}

# Registry endpoints, one on each side, each logging in with the other side's robot.
resource "harbor_registry" "replica" {
  provider      = harbor.primary
  provider_name = "harbor"
  name          = "replica"
  endpoint_url  = var.replica_url
  access_id     = harbor_robot_account.replica_push_target.full_name
  access_secret = harbor_robot_account.replica_push_target.secret
}

resource "harbor_registry" "primary" {
  provider      = harbor.replica
  provider_name = "harbor"
  name          = "primary"
  endpoint_url  = var.primary_url
  access_id     = harbor_robot_account.primary_pull_source.full_name
  access_secret = harbor_robot_account.primary_pull_source.secret
}

# Primary → replica as images are pushed, deletions included. Only this direction replicates
# `apps` (and deletions): see "The loop to avoid" in the guide.
resource "harbor_replication" "apps_on_push" {
  provider    = harbor.primary
  name        = "apps-to-replica"
  description = "Event-based: every push and deletion in apps"
  action      = "push"
  registry_id = harbor_registry.replica.registry_id
  schedule    = "event_based"
  deletion    = true

  filters {
    name = "apps/**"
  }
}

# Primary → replica nightly at 03:00: catches up whatever an event missed (an outage of the
# replica, images pushed before the policy existed). Release tags only, no snapshots.
resource "harbor_replication" "apps_nightly" {
  provider    = harbor.primary
  name        = "apps-to-replica-nightly"
  action      = "push"
  registry_id = harbor_registry.replica.registry_id
  schedule    = "0 0 3 * * *"
  speed       = 102400 # KB/s per task, to spare the inter-region link

  filters {
    name = "apps/**"
    tag  = "v*"
  }
  filters {
    tag        = "*-SNAPSHOT"
    decoration = "excludes"
  }
}

# Replica ← primary every six hours: the replica decides when it takes base images.
resource "harbor_replication" "base_pull" {
  provider    = harbor.replica
  name        = "base-from-primary"
  action      = "pull"
  registry_id = harbor_registry.primary.registry_id
  schedule    = "0 0 */6 * * *"

  filters {
    name     = "base/**"
    resource = "image"
  }
}
