"""The async engine and sessions.

Engines are created once per process by the application's lifespan; a request borrows a
session for the duration of one unit of work (`async with db.session() as s, s.begin(): ...`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

__all__ = ["Database", "async_url"]


def async_url(url: str) -> str:
    """`postgresql://…` (what operators write) → the SQLAlchemy URL for asyncpg."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}; use postgresql://")


@dataclass(slots=True)
class Database:
    """One engine and its session factory."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10) -> Database:
        engine = create_async_engine(
            async_url(url),
            pool_size=pool_size,
            max_overflow=pool_size,
            # A connection the database closed (restart, failover) is replaced, not handed out.
            pool_pre_ping=True,
            # Connections older than this are recycled, so a proxy's idle timeout never bites.
            pool_recycle=1800,
        )
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self, timeout: float) -> float:
        """Round-trip `SELECT 1`; returns the latency in ms or raises (TimeoutError included)."""
        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        return (time.perf_counter() - started) * 1000

    async def close(self) -> None:
        await self.engine.dispose()
