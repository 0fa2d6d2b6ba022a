"""The demo tenant that `dev` creates on first start, so a newcomer can publish at once."""

from __future__ import annotations

from dataclasses import dataclass

from tidings_server.auth import apikeys
from tidings_server.store.db import Database
from tidings_server.store.repo import TenantScope, create_tenant, get_tenant_by_slug

__all__ = ["DEMO_SCOPES", "DemoTenant", "ensure_demo_tenant"]

DEMO_TENANT = "demo"
DEMO_PROJECT = "default"
DEMO_SCOPES = ("publish", "subscribe", "history", "admin")


@dataclass(frozen=True, slots=True)
class DemoTenant:
    tenant_slug: str
    project_slug: str
    api_key: str | None
    """The new key when this call created it; None when the tenant already existed."""


async def ensure_demo_tenant(db: Database, pepper: bytes) -> DemoTenant:
    async with db.session() as session, session.begin():
        if await get_tenant_by_slug(session, DEMO_TENANT) is not None:
            return DemoTenant(DEMO_TENANT, DEMO_PROJECT, None)
        tenant = await create_tenant(session, slug=DEMO_TENANT, name="Demo", status="active")
        scope = TenantScope(session, tenant.id)
        project = await scope.create_project(slug=DEMO_PROJECT, name="Default project")
        key = apikeys.generate(pepper)
        await scope.create_api_key(
            project_id=project.id,
            key_id=key.key_id,
            digest=key.digest,
            name="demo",
            scopes={scope: [">"] for scope in DEMO_SCOPES},
        )
        return DemoTenant(DEMO_TENANT, DEMO_PROJECT, key.key)
