variable "primary_url" {
  description = "URL of the primary Harbor, e.g. https://harbor.eu-west.example.com"
  type        = string
}

variable "primary_username" {
  description = "Admin (or system robot) of the primary Harbor"
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
  description = "Admin (or system robot) of the replica Harbor"
  type        = string
  default     = "admin"
}

variable "replica_password" {
  description = "Password of replica_username"
  type        = string
  sensitive   = true
}
