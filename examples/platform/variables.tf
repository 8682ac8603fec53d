# Inputs of the two-region platform: each region's Harbor and Trivy adapter, and the syslog
# server both forward their audit logs to.

variable "primary_url" {
  description = "URL of the primary Harbor, e.g. https://harbor.eu-west.example.com"
  type        = string
}

variable "primary_username" {
  description = "Admin of the primary Harbor"
  type        = string
  default     = "admin"
}

variable "primary_password" {
  description = "Password of primary_username"
  type        = string
  sensitive   = true
}

variable "replica_url" {
  description = "URL of the replica Harbor, e.g. https://harbor.eu-central.example.com"
  type        = string
}

variable "replica_username" {
  description = "Admin of the replica Harbor"
  type        = string
  default     = "admin"
}

variable "replica_password" {
  description = "Password of replica_username"
  type        = string
  sensitive   = true
}

variable "primary_scanner_url" {
  description = "The primary region's Trivy adapter, e.g. http://harbor-scanner-trivy.eu-west:8080"
  type        = string
}

variable "replica_scanner_url" {
  description = "The replica region's Trivy adapter"
  type        = string
}

variable "audit_log_endpoint" {
  description = "host:port of the syslog (TCP) server both regions forward audit logs to"
  type        = string
}
