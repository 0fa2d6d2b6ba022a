# NATS with JetStream from the official Helm chart: a cluster of `replicas` servers with a file
# store on persistent volumes, spread over nodes. Tidings connects with TIDINGS_NATS_URL.

resource "helm_release" "nats" {
  name             = var.release_name
  namespace        = var.namespace
  create_namespace = true
  repository       = "https://nats-io.github.io/k8s/helm/charts/"
  chart            = "nats"
  version          = var.chart_version
  atomic           = true
  wait             = true

  values = [yamlencode({
    config = {
      cluster = {
        enabled  = var.replicas > 1
        replicas = var.replicas
      }
      jetstream = {
        enabled = true
        fileStore = {
          enabled = true
          pvc = merge(
            { enabled = true, size = var.storage_size },
            var.storage_class == "" ? {} : { storageClassName = var.storage_class },
          )
        }
        memoryStore = {
          enabled = true
          maxSize = var.max_memory_store
        }
      }
    }
    podTemplate = {
      topologySpreadConstraints = {
        "kubernetes.io/hostname" = {
          maxSkew           = 1
          whenUnsatisfiable = "DoNotSchedule"
        }
      }
    }
  })]
}
