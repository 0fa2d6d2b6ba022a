variable "environment" {
  type        = string
  description = "Environment name; selects the chart's values-<environment>.yaml."

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be dev, staging or production."
  }
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the Tidings release."
  default     = "tidings"
}

variable "chart_path" {
  type        = string
  description = "Path of the Tidings chart (infra/helm/tidings of this repository)."
}

variable "image_repository" {
  type        = string
  description = "Image repository of tidings-server."
}

variable "image_tag" {
  type        = string
  description = "Image tag of tidings-server to run."
}

variable "host" {
  type        = string
  description = "Public host name of the API and WebSocket gateway (the Ingress host)."
}

variable "nats_url" {
  type        = string
  description = "TIDINGS_NATS_URL (the nats module's url output)."
}

variable "nats_namespace" {
  type        = string
  description = "Namespace of the NATS pods, for the NetworkPolicy."
}

variable "postgres_cidr_blocks" {
  type        = list(string)
  description = "CIDR blocks PostgreSQL lives in, for the NetworkPolicy egress rule."
}

variable "existing_secret_name" {
  type        = string
  description = "Kubernetes Secret (created outside Terraform, e.g. by External Secrets) with database-url, api-key-pepper and token-secret."
}

variable "stripe_enabled" {
  type        = bool
  description = "Read the Stripe keys from the Secret (stripe-api-key, stripe-webhook-secret)."
  default     = false
}

variable "extra_values" {
  type        = any
  description = "More chart values, merged last (see infra/helm/tidings/values.yaml)."
  default     = {}
}
