variable "name" {
  type        = string
  description = "Name of the EKS cluster."
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane and nodes (the chart needs >= 1.27)."
  default     = "1.33"
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnet IDs for the control plane's interfaces and the nodes (network module)."
}

variable "node_instance_types" {
  type        = list(string)
  description = "EC2 instance types of the managed node group."
  default     = ["m7i.large"]
}

variable "node_count" {
  type = object({
    min     = number
    max     = number
    desired = number
  })
  description = "Smallest, largest and initial number of nodes of the managed node group."
  default     = { min = 2, max = 6, desired = 3 }

  validation {
    condition     = var.node_count.min <= var.node_count.desired && var.node_count.desired <= var.node_count.max
    error_message = "node_count must satisfy min <= desired <= max."
  }
}

variable "public_endpoint" {
  type        = bool
  description = "Whether the Kubernetes API is reachable from the internet (else only from the VPC)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
