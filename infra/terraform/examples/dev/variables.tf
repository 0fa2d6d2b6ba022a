variable "region" {
  type        = string
  description = "AWS region to deploy into (no default: nothing is hard-coded)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones of the region to use."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC."
}

variable "image_repository" {
  type        = string
  description = "Image repository of tidings-server (built from the repository's Dockerfile)."
}

variable "image_tag" {
  type        = string
  description = "Image tag of tidings-server to deploy."
}

variable "host" {
  type        = string
  description = "Public host name of the API."
}

variable "existing_secret_name" {
  type        = string
  description = "Kubernetes Secret with database-url, api-key-pepper and token-secret (see docs/deployment.md)."
  default     = "tidings-secrets"
}
