"""The async engine and sessions.

Engines are created once per process by the application's lifespan; a request borrows a
session for the duration of one unit of work (`async with db.session() as s, s.begin(): ...`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from tidings_server.errors import DependencyUnavailable

__all__ = [
    "OUTAGE_LOG_INTERVAL",
    "Database",
    "async_url",
    "database_unavailable",
    "is_unavailable",
    "log_outage",
]

log = logging.getLogger(__name__)

# While PostgreSQL is away every request that needs it fails the same way: one warning per this
# many seconds (with the count of failures it stands for), not one per request or per attempt.
OUTAGE_LOG_INTERVAL = 10.0
_last_logged: dict[str, float] = {}
_suppressed: dict[str, int] = {}


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached (down, restarting, refusing, timing
    out, the connection dropped mid-query), as opposed to a wrong query. The one place that
    decides it (REST, SSE, WebSocket)."""
    seen: BaseException | None = exc
    for _ in range(6):  # the exception, what SQLAlchemy wraps, what the driver adapted
        if seen is None:
            return False
        if isinstance(seen, DependencyUnavailable | OperationalError | InterfaceError):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        # asyncpg raises OSError (refused, "Multiple exceptions" for several addresses), its
        # own connection errors, or TimeoutError; SQLAlchemy does not wrap all of those.
        if isinstance(seen, OSError | TimeoutError):
            return True
        if type(seen).__module__.startswith("asyncpg") and type(seen).__name__ in _ASYNCPG_UNAVAILABLE:
            return True
        orig = seen.orig if isinstance(seen, DBAPIError) else None
        seen = orig if isinstance(orig, BaseException) else (seen.__cause__ or seen.__context__)
    return False


_ASYNCPG_UNAVAILABLE = frozenset(
    {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "TooManyConnectionsError",
        "InterfaceError",
        "InternalClientError",
        "AdminShutdownError",
        "CrashShutdownError",
    }
)


def log_outage(what: str, exc: BaseException, dependency: str = "PostgreSQL") -> None:
    """Warn that `dependency` failed `what`, at most once per `OUTAGE_LOG_INTERVAL` per `what`
    (with the count of failures since), and without a traceback: the outage is the news."""
    now = time.monotonic()
    last = _last_logged.get(what)
    if last is not None and now - last < OUTAGE_LOG_INTERVAL:
        _suppressed[what] = _suppressed.get(what, 0) + 1
        return
    suppressed = _suppressed.pop(what, 0)
    _last_logged[what] = now
    log.warning(
        "%s is unavailable to %s: %s (%d similar failures since the last warning)",
        dependency,
        what,
        type(exc).__name__,
        suppressed,
    )


def database_unavailable(exc: BaseException, what: str = "authentication") -> DependencyUnavailable:
    """The 503 to raise for a database outage seen by `what` (logged by `log_outage`)."""
    log_outage(what, exc)
    if isinstance(exc, DependencyUnavailable):
        return exc
    return DependencyUnavailable("PostgreSQL", retry_after=2)


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
