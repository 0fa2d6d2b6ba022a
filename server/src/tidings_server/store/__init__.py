"""PostgreSQL storage: the engine, the models, tenant-scoped repositories and migrations."""
