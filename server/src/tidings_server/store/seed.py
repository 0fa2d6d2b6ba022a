"""What `dev` creates on first start so a newcomer can use everything at once (a demo tenant
with a project, an API key and an owner who can log in), and the operator bootstrap."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from tidings_server.auth import apikeys
from tidings_server.auth.passwords import hash_password
from tidings_server.store.db import Database
from tidings_server.store.models import User
from tidings_server.store.repo import (
    TenantScope,
    create_tenant,
    create_user,
    find_user_by_email,
    get_tenant_by_slug,
)

__all__ = [
    "DEMO_OWNER",
    "DEMO_PROJECT",
    "DEMO_SCOPES",
    "DEMO_TENANT",
    "DemoTenant",
    "ensure_demo_tenant",
    "ensure_operator",
]

DEMO_OWNER = "demo@tidings.localhost"
DEMO_TENANT = "demo"
DEMO_PROJECT = "default"
DEMO_SCOPES = ("publish", "subscribe", "history", "admin")


@dataclass(frozen=True, slots=True)
class DemoTenant:
    tenant_slug: str
    project_slug: str
    api_key: str | None
    """The new key when this call created it; None when the tenant already existed."""


async def ensure_demo_tenant(db: Database, pepper: bytes, owner_password: str | None = None) -> DemoTenant:
    """Create the demo tenant unless it exists; with `owner_password`, also its owner
    (`DEMO_OWNER`), who can log in to the admin API."""
    async with db.session() as session, session.begin():
        if await get_tenant_by_slug(session, DEMO_TENANT) is not None:
            return DemoTenant(DEMO_TENANT, DEMO_PROJECT, None)
        tenant = await create_tenant(session, slug=DEMO_TENANT, name="Demo", status="active")
        scope = TenantScope(session, tenant.id)
        # Unlimited: the demo is for trying the platform (and benchmarks), not for billing.
        await scope.update_tenant(plan="enterprise")
        project = await scope.create_project(slug=DEMO_PROJECT, name="Default project")
        key = apikeys.generate(pepper)
        await scope.create_api_key(
            project_id=project.id,
            key_id=key.key_id,
            digest=key.digest,
            name="demo",
            scopes={scope: [">"] for scope in DEMO_SCOPES},
        )
        if owner_password is not None:
            owner = await create_user(
                session,
                email=DEMO_OWNER,
                name="Demo owner",
                password_hash=await hash_password(owner_password),
            )
            await scope.add_member(owner.id, "owner")
        return DemoTenant(DEMO_TENANT, DEMO_PROJECT, key.key)


async def ensure_operator(db: Database, email: str, password: str) -> bool:
    """Make `email` a platform operator, creating the user if needed; True when created."""
    async with db.session() as session, session.begin():
        user = await find_user_by_email(session, email)
        if user is None:
            await create_user(
                session,
                email=email,
                name="Operator",
                password_hash=await hash_password(password),
                operator=True,
            )
            return True
        await session.execute(sa.update(User).where(User.id == user.id).values(operator=True))
        return False
