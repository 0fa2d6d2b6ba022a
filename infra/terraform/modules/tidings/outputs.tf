output "release_name" {
  description = "Helm release name of Tidings."
  value       = helm_release.tidings.name
}

output "namespace" {
  description = "Namespace of the Tidings release."
  value       = helm_release.tidings.namespace
}

output "api_url" {
  description = "Base URL of the REST API (TLS is terminated at the Ingress)."
  value       = "https://${var.host}/v1"
}

output "websocket_url_template" {
  description = "URL template of the WebSocket gateway; replace {project}."
  value       = "wss://${var.host}/v1/projects/{project}/ws"
}
