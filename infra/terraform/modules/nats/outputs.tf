output "url" {
  description = "Client URL of the NATS cluster for TIDINGS_NATS_URL."
  value       = "nats://${helm_release.nats.name}.${helm_release.nats.namespace}.svc.cluster.local:4222"
}

output "namespace" {
  description = "Namespace of the NATS cluster."
  value       = helm_release.nats.namespace
}

output "replicas" {
  description = "NATS servers in the cluster (the largest usable stream num_replicas)."
  value       = var.replicas
}
