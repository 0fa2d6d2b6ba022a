"""Alembic migrations, run in-process (`tidings-server migrate`, and `dev` at every start).

The revisions live in `migrations/versions/`. To write a new one against a running database:
`uv run alembic -c server/alembic.ini revision --autogenerate -m "..."` with `TIDINGS_DATABASE_URL` set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tidings_server.store.db import async_url

__all__ = [
    "alembic_config",
    "current_revision",
    "head_revision",
    "known_revisions",
    "pending_revisions",
    "upgrade",
]

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


def known_revisions() -> set[str]:
    """Every revision this server's migrations define."""
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


async def upgrade(
    database_url: str, revision: str = "head", *, on_step: Callable[[str], None] | None = None
) -> None:
    """Apply every migration up to `revision` in one transaction; `on_step(revision)` after each."""
    engine = create_async_engine(async_url(database_url))

    def applied(*, step: Any, **_: Any) -> None:
        if on_step is not None:
            on_step(step.up_revision_id or "")

    def run(sync: Connection) -> None:
        cfg = alembic_config(sync)
        cfg.attributes["on_version_apply"] = applied
        command.upgrade(cfg, revision)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        await engine.dispose()


async def pending_revisions(database_url: str) -> list[str]:
    """The revisions `upgrade` would apply, oldest first."""
    current = await current_revision(database_url)
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [rev.revision for rev in script.iterate_revisions("heads", current)]
    return list(reversed(revisions))


async def current_revision(database_url: str) -> str | None:
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()
