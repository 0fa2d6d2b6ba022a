"""Identity and access: tenants, projects, members, sessions, API keys, signing keys, audit."""
