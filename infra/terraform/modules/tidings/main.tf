# The Tidings chart with the environment's values file. Secrets are referenced by name: their
# values never pass through Terraform, so they are not in its state.

resource "helm_release" "tidings" {
  name             = "tidings"
  namespace        = var.namespace
  create_namespace = true
  chart            = var.chart_path
  atomic           = true
  wait             = true
  timeout          = 900

  values = [
    file("${var.chart_path}/values-${var.environment}.yaml"),
    yamlencode({
      image = {
        repository = var.image_repository
        tag        = var.image_tag
      }
      ingress = {
        host = var.host
      }
      nats = {
        url       = var.nats_url
        namespace = var.nats_namespace
      }
      postgresql = {
        cidrs = var.postgres_cidr_blocks
      }
      secrets = {
        existingSecret = var.existing_secret_name
        stripe         = var.stripe_enabled
      }
    }),
    yamlencode(var.extra_values),
  ]
}
