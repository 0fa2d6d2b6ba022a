"""Repositories. Tenant-owned data is reached only through a `TenantScope`, whose every query
filters on the scope's tenant: an unscoped read of tenant data cannot be written by accident.

The one deliberate exception is `find_api_key`: authentication must find a key's row before the
tenant is known; it returns the row with its tenant, and everything after uses that tenant's scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.store.models import ApiKey, Project, Tenant

__all__ = ["TenantScope", "create_tenant", "find_api_key", "get_tenant_by_slug"]


async def create_tenant(session: AsyncSession, *, slug: str, name: str, status: str = "trialing") -> Tenant:
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name, status=status)
    session.add(tenant)
    await session.flush()
    return tenant


async def get_tenant_by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    result = await session.execute(sa.select(Tenant).where(Tenant.slug == slug))
    return result.scalar_one_or_none()


async def find_api_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    result = await session.execute(sa.select(ApiKey).where(ApiKey.key_id == key_id))
    return result.scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class TenantScope:
    """All reads and writes of one tenant's data."""

    session: AsyncSession
    tenant_id: uuid.UUID

    async def create_project(self, *, slug: str, name: str) -> Project:
        project = Project(id=uuid.uuid4(), tenant_id=self.tenant_id, slug=slug, name=name)
        self.session.add(project)
        await self.session.flush()
        return project

    async def get_project_by_slug(self, slug: str) -> Project | None:
        result = await self.session.execute(
            sa.select(Project).where(Project.tenant_id == self.tenant_id, Project.slug == slug)
        )
        return result.scalar_one_or_none()

    async def create_api_key(
        self,
        *,
        project_id: uuid.UUID,
        key_id: str,
        digest: bytes,
        name: str,
        scopes: Sequence[str],
    ) -> ApiKey:
        key = ApiKey(
            id=uuid.uuid4(),
            key_id=key_id,
            tenant_id=self.tenant_id,
            project_id=project_id,
            name=name,
            digest=digest,
            scopes=list(scopes),
        )
        self.session.add(key)
        await self.session.flush()
        return key
