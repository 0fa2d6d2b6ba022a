output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name <this>)."
  value       = module.kubernetes.cluster_name
}

output "postgres_address" {
  description = "Host name of PostgreSQL, for the database-url Secret key."
  value       = module.postgres.address
}

output "postgres_master_user_secret_arn" {
  description = "Secrets Manager secret holding the PostgreSQL master password (its ARN, not the password)."
  value       = module.postgres.master_user_secret_arn
}

output "nats_url" {
  description = "TIDINGS_NATS_URL of the installation."
  value       = module.nats.url
}

output "api_url" {
  description = "Base URL of the Tidings REST API."
  value       = module.tidings.api_url
}
