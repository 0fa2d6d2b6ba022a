"""Migrations build exactly the schema the models describe, and are idempotent."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from tidings_server.store.db import Database
from tidings_server.store.migrate import current_revision, head_revision, upgrade
from tidings_server.store.models import Base


async def test_the_database_is_at_head(database_url: str) -> None:
    assert await current_revision(database_url) == head_revision()


async def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)
    assert await current_revision(database_url) == head_revision()


async def test_models_and_migrations_agree(db: Database) -> None:
    def diff(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []
