"""Alembic environment: runs on the connection handed over by `tidings_server.store.migrate`,
or, from the alembic command line, on `TIDINGS_DATABASE_URL`."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tidings_server.store.db import async_url
from tidings_server.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # Set by tidings_server.store.migrate.upgrade to report progress.
        on_version_apply=config.attributes.get("on_version_apply"),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_env() -> None:
    url = os.environ.get("TIDINGS_DATABASE_URL")
    if not url:
        raise SystemExit("TIDINGS_DATABASE_URL is not set")
    engine = create_async_engine(async_url(url))
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_env())
