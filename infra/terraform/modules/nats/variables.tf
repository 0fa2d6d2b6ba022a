variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the NATS cluster (the chart's networkPolicy names it in nats.namespace)."
  default     = "nats"
}

variable "release_name" {
  type        = string
  description = "Helm release name of NATS; the client URL is nats://<release_name>.<namespace>.svc:4222."
  default     = "nats"
}

variable "chart_version" {
  type        = string
  description = "Version of the official NATS Helm chart (https://nats-io.github.io/k8s/helm/charts/)."
  default     = "1.3.16"
}

variable "replicas" {
  type        = number
  description = "NATS servers in the cluster: 3 (or 5) so JetStream streams can be replicated (num_replicas)."
  default     = 3

  validation {
    condition     = contains([1, 3, 5], var.replicas)
    error_message = "replicas must be 1, 3 or 5 (a JetStream cluster needs a quorum)."
  }
}

variable "storage_size" {
  type        = string
  description = "Size of each server's JetStream file store volume (e.g. 20Gi)."
}

variable "storage_class" {
  type        = string
  description = "StorageClass of the JetStream volumes; empty: the cluster's default."
  default     = ""
}

variable "max_memory_store" {
  type        = string
  description = "JetStream memory store limit per server (e.g. 1Gi)."
  default     = "1Gi"
}
