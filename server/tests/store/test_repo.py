"""Tenant scoping holds in the database itself."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tidings_server.store.db import Database
from tidings_server.store.repo import TenantScope, create_tenant


async def test_a_key_cannot_reference_a_project_of_another_tenant(db: Database) -> None:
    async with db.session() as session, session.begin():
        a = await create_tenant(session, slug=f"a-{uuid.uuid4().hex[:8]}", name="A")
        b = await create_tenant(session, slug=f"b-{uuid.uuid4().hex[:8]}", name="B")
        project_of_a = await TenantScope(session, a.id).create_project(slug="p", name="P")
    with pytest.raises(IntegrityError):
        async with db.session() as session, session.begin():
            await TenantScope(session, b.id).create_api_key(
                project_id=project_of_a.id,
                key_id="x" * 12,
                digest=bytes(32),
                name="k",
                scopes={"publish": [">"]},
            )


async def test_project_lookup_is_scoped_to_the_tenant(db: Database) -> None:
    async with db.session() as session, session.begin():
        a = await create_tenant(session, slug=f"a-{uuid.uuid4().hex[:8]}", name="A")
        b = await create_tenant(session, slug=f"b-{uuid.uuid4().hex[:8]}", name="B")
        await TenantScope(session, a.id).create_project(slug="shared-name", name="A's")
        assert await TenantScope(session, b.id).get_project_by_slug("shared-name") is None
        assert await TenantScope(session, a.id).get_project_by_slug("shared-name") is not None


async def test_tenant_status_is_constrained(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.session() as session, session.begin():
            await session.execute(
                sa.text("INSERT INTO tenants (id, slug, name, status) VALUES (:id, 'z', 'Z', 'bogus')"),
                {"id": uuid.uuid4()},
            )
