# Inputs of the region module: what differs between regions.

variable "region" {
  description = "Name of the region, e.g. eu-west; used in descriptions and robot names"
  type        = string
}

variable "scanner_url" {
  description = "Base URL of the region's Trivy adapter (Harbor asks it for its metadata when it is registered)"
  type        = string
}

variable "scanner_name" {
  description = "Name of the Trivy registration (`Trivy` itself is reserved for Harbor's built-in one)"
  type        = string
  default     = "trivy-adapter"
}

variable "scan_all_schedule" {
  description = "When every artifact is scanned: nightly at 02:00 by default"
  type        = string
  default     = "0 0 2 * * *"
}

variable "projects" {
  description = "Projects of the region: production ones block pulls of images with critical CVEs; quotas in GiB (-1 for unlimited)"
  type = map(object({
    production    = bool
    storage_quota = number
  }))
}

variable "ci_pipelines" {
  description = "One robot per CI pipeline: pipeline name => the project it pushes to"
  type        = map(string)
  default     = {}
}

variable "gc_schedule" {
  description = "When garbage is collected: weekly, Sunday 03:00, by default"
  type        = string
  default     = "0 0 3 * * 0"
}

variable "audit_log_endpoint" {
  description = "host:port of the syslog (TCP) server audit logs are forwarded to; Harbor checks it is reachable"
  type        = string
}

variable "audit_retention_days" {
  description = "Days audit records are kept in Harbor's database before they are purged"
  type        = number
  default     = 90
}

variable "peer_url" {
  description = "URL of the other region's Harbor, the replication target"
  type        = string
}

variable "peer_robot_name" {
  description = "Full name of the other region's replication robot (its `replication_robot_name` output)"
  type        = string
}

variable "peer_robot_secret" {
  description = "Secret of the other region's replication robot (its `replication_robot_secret` output)"
  type        = string
  sensitive   = true
}

variable "replicate_to_peer" {
  description = "Whether this region pushes its images to the other region (true for the primary; the replica only receives)"
  type        = bool
  default     = false
}
