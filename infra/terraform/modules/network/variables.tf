variable "name" {
  type        = string
  description = "Name prefix of every network resource (e.g. tidings-production)."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC."

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be an IPv4 CIDR block."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets over (three for production)."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "At least two availability zones: EKS and Multi-AZ RDS need them."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone (survives a zone loss)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
