# Example root module: Tidings production on AWS (VPC, EKS, RDS PostgreSQL, NATS JetStream, Tidings).
# terraform init && terraform apply -var-file=production.tfvars (region, zones, image, host: variables.tf).

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

provider "helm" {
  kubernetes = {
    host                   = module.kubernetes.cluster_endpoint
    cluster_ca_certificate = base64decode(module.kubernetes.cluster_ca_certificate)
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.kubernetes.cluster_name, "--region", var.region]
    }
  }
}

locals {
  name = "tidings-production"
  tags = { project = "tidings", environment = "production" }
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  cidr_block         = var.cidr_block
  availability_zones = var.availability_zones
  single_nat_gateway = false
  tags               = local.tags
}

module "kubernetes" {
  source              = "../../modules/kubernetes"
  name                = local.name
  subnet_ids          = module.network.private_subnet_ids
  node_instance_types = ["m7i.xlarge"]
  node_count          = { min = 3, max = 12, desired = 3 }
  public_endpoint     = false
  tags                = local.tags
}

module "postgres" {
  source                = "../../modules/postgres"
  name                  = local.name
  vpc_id                = module.network.vpc_id
  subnet_ids            = module.network.private_subnet_ids
  allowed_cidr_blocks   = module.network.private_subnet_cidr_blocks
  instance_class        = "db.r7g.large"
  allocated_storage_gb  = 200
  multi_az              = true
  backup_retention_days = 30
  deletion_protection   = true
  tags                  = local.tags
}

module "nats" {
  source       = "../../modules/nats"
  replicas     = 3
  storage_size = "100Gi"
  depends_on   = [module.kubernetes]
}

module "tidings" {
  source               = "../../modules/tidings"
  environment          = "production"
  chart_path           = "${path.root}/../../../helm/tidings"
  image_repository     = var.image_repository
  image_tag            = var.image_tag
  host                 = var.host
  nats_url             = module.nats.url
  nats_namespace       = module.nats.namespace
  postgres_cidr_blocks = module.network.private_subnet_cidr_blocks
  existing_secret_name = var.existing_secret_name
  stripe_enabled       = true
  depends_on           = [module.nats, module.postgres]
}
