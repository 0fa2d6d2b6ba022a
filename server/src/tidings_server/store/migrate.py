"""Alembic migrations, run in-process (`tidings-server migrate`, and `dev` at every start).

The revisions live in `migrations/versions/`. To write a new one against a running database:
`uv run alembic -c server/alembic.ini revision --autogenerate -m "..."` with `TIDINGS_DATABASE_URL` set.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tidings_server.store.db import async_url

__all__ = ["alembic_config", "current_revision", "head_revision", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision` in one transaction."""
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    finally:
        await engine.dispose()


async def current_revision(database_url: str) -> str | None:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()
