variable "name" {
  type        = string
  description = "Identifier of the RDS instance and prefix of its companions."
}

variable "vpc_id" {
  type        = string
  description = "ID of the VPC (network module)."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs of the DB subnet group, in at least two zones."
}

variable "allowed_cidr_blocks" {
  type        = list(string)
  description = "CIDR blocks allowed to connect on 5432 (the private subnets of the Kubernetes nodes)."
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major version."
  default     = "17"
}

variable "instance_class" {
  type        = string
  description = "RDS instance class."
  default     = "db.t4g.medium"
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial storage in GiB (storage autoscaling grows it up to four times)."
  default     = 50
}

variable "multi_az" {
  type        = bool
  description = "A standby in another zone with synchronous replication (production)."
  default     = false
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups and point-in-time recovery (0 disables both)."
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35 (point-in-time recovery needs backups)."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the instance until this is turned off."
  default     = true
}

variable "database_name" {
  type        = string
  description = "Name of the database Tidings uses."
  default     = "tidings"
}

variable "master_username" {
  type        = string
  description = "Master user name; its password is generated and kept in AWS Secrets Manager by RDS, never in state."
  default     = "tidings"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
