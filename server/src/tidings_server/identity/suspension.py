"""Suspension (the kill switch) as the serving path sees it.

A tenant whose status is `suspended` or `canceled` is served nothing: publishes are refused and
its realtime connections are closed. A project can be suspended alone (`projects.suspended_at`);
`is_suspended(tenant, project)` answers for both, and is what the publish path and the
gateway's handshake ask. Whoever changes a tenant's status (the operator, billing,
an automatic trigger) writes it to PostgreSQL and then calls `announce_suspension`, which tells
every node over the control bus; each node drops its cached status and runs its listeners (the
realtime gateway closes the tenant's connections) within milliseconds. A node that was
disconnected from NATS drops its whole cache on reconnection; the TTL bounds staleness for a
node that missed both.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa

from tidings_server.broker.control import ControlBus
from tidings_server.store.db import Database
from tidings_server.store.models import Project, Tenant

__all__ = ["SUSPENDED_STATUSES", "SUSPENSION_COMMAND", "Suspensions", "announce_suspension"]

SUSPENSION_COMMAND = "tenant.suspension"
SUSPENDED_STATUSES = frozenset({"suspended", "canceled"})
CACHE_TTL_SECONDS = 30.0

Listener = Callable[[uuid.UUID, uuid.UUID | None, bool], Awaitable[None]]
"""(tenant id, project id or None for the whole tenant, suspended now?)"""


async def announce_suspension(
    control: ControlBus, tenant_id: uuid.UUID, *, suspended: bool, project_id: uuid.UUID | None = None
) -> None:
    """Tell every node that the tenant's (or one project's) suspension changed; call after the
    change is committed to PostgreSQL."""
    await control.publish(
        SUSPENSION_COMMAND,
        {
            "tenant_id": str(tenant_id),
            "project_id": str(project_id) if project_id else None,
            "suspended": suspended,
        },
    )


class Suspensions:
    """Cached `is_suspended` checks and the node's reaction to suspension commands."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[uuid.UUID, tuple[bool, float]] = {}
        self._projects: dict[uuid.UUID, tuple[bool, float]] = {}
        self._listeners: list[Listener] = []

    def on_change(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def attach(self, control: ControlBus) -> None:
        async def changed(payload: dict[str, Any]) -> None:
            tenant_id = uuid.UUID(str(payload["tenant_id"]))
            project = payload.get("project_id")
            if project:
                self._projects.pop(uuid.UUID(str(project)), None)
            else:
                self._cache.pop(tenant_id, None)
            for listener in self._listeners:
                await listener(tenant_id, uuid.UUID(project) if project else None, bool(payload["suspended"]))

        await control.subscribe(SUSPENSION_COMMAND, changed)

    async def forget_all(self) -> None:
        self._cache.clear()
        self._projects.clear()

    async def tenant_suspended(self, tenant_id: uuid.UUID) -> bool:
        cached = self._cache.get(tenant_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < CACHE_TTL_SECONDS:
            return cached[0]
        async with self._db.session() as session:
            status = await session.scalar(sa.select(Tenant.status).where(Tenant.id == tenant_id))
        suspended = status is None or status in SUSPENDED_STATUSES
        self._cache[tenant_id] = (suspended, now)
        return suspended

    async def project_suspended(self, tenant_id: uuid.UUID, project_id: uuid.UUID) -> bool:
        """Whether the project alone is suspended (a project of another tenant, or none, is)."""
        cached = self._projects.get(project_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < CACHE_TTL_SECONDS:
            return cached[0]
        async with self._db.session() as session:
            row = (
                await session.execute(
                    sa.select(Project.suspended_at).where(
                        Project.tenant_id == tenant_id, Project.id == project_id
                    )
                )
            ).first()
        suspended = row is None or row[0] is not None
        self._projects[project_id] = (suspended, now)
        return suspended

    async def is_suspended(self, tenant_id: uuid.UUID, project_id: uuid.UUID | None = None) -> bool:
        """Whether the tenant, or the project within it, is to be served nothing."""
        if await self.tenant_suspended(tenant_id):
            return True
        return project_id is not None and await self.project_suspended(tenant_id, project_id)
