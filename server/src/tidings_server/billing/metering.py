"""Usage metering: counted in process on the hot path, flushed to the PostgreSQL ledger.

Metrics (`METRICS`), per tenant, project and UTC day:

- `events_published`   events stored by a publish (duplicates answered from the window: not)
- `messages_delivered` events written to subscribers: one per event per subscriber (gateway)
- `api_calls`          REST requests made with an API key
- `connection_seconds` seconds realtime connections were open (gateway; billed in minutes)
- `peak_connections`   the day's highest concurrent connections (gateway; a maximum, not a sum)
- `storage_bytes`      the day's highest bytes a project's stream retains (sampled by the sweeper)

`Meter.record(tenant, project, metric, n)` adds to a dict and returns: synchronous, no lock, no
I/O, no allocation beyond the key (call it from the event loop's thread). `Meter.observe_max`
keeps a maximum for the gauges. Every `flush_interval` seconds (`TIDINGS_USAGE_FLUSH_INTERVAL`,
5 s) the counts gathered so far are swapped out and written to `usage_daily` in one transaction
with additive upserts (maxima with GREATEST).

Guarantees:
- Never double-counted: each flush has an id (node id + sequence) inserted into
  `usage_flushes` in the same transaction as its upserts. A flush whose outcome is unknown (the
  commit's answer was lost) is retried with the same id and counts, and applies at most once.
- Nothing dropped while the process lives: a flush that fails is kept and retried first;
  new counts keep accumulating meanwhile and go in the next flush.
- A crash (or kill -9) loses what was counted since the last successful flush: at most one
  flush interval of usage, plus the failing batch if PostgreSQL was down. A clean stop flushes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tidings_server.background import BackgroundTask
from tidings_server.observability.metrics import (
    USAGE_API_CALLS,
    USAGE_CONNECTION_SECONDS,
    USAGE_EVENTS_PUBLISHED,
    USAGE_LEDGER_FLUSHES,
    USAGE_MESSAGES_DELIVERED,
    tenant_label,
)
from tidings_server.store.db import Database
from tidings_server.store.models import UsageDaily, UsageFlush

__all__ = ["COUNTERS", "GAUGES", "METRICS", "Meter", "day_number", "month_start"]

log = logging.getLogger(__name__)

COUNTERS = ("events_published", "messages_delivered", "api_calls", "connection_seconds")
GAUGES = ("peak_connections", "storage_bytes")
METRICS = COUNTERS + GAUGES

_PROMETHEUS = {
    "events_published": USAGE_EVENTS_PUBLISHED,
    "messages_delivered": USAGE_MESSAGES_DELIVERED,
    "api_calls": USAGE_API_CALLS,
    "connection_seconds": USAGE_CONNECTION_SECONDS,
}
_EPOCH = date(1970, 1, 1)
# Flush ids are kept this long: far longer than any retry of one flush (seconds).
FLUSH_ID_RETENTION = timedelta(days=7)
# Rows per INSERT statement: well under PostgreSQL's 32767 bind parameters (5 per row).
_CHUNK = 1000

Key = tuple[uuid.UUID, uuid.UUID, str, int]
"""(tenant, project, metric, UTC day number since 1970-01-01)"""


def day_number(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // 86400)


def month_start(day: date) -> date:
    return day.replace(day=1)


@dataclass(slots=True)
class _Batch:
    id: str
    counts: dict[Key, int]
    maxima: dict[Key, int]
    attempts: int = 0
    rows: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = len(self.counts) + len(self.maxima)


class Meter:
    def __init__(self, db: Database, *, flush_interval: float = 5.0, node_id: str | None = None) -> None:
        self._db = db
        self._interval = flush_interval
        # Unique per process start: flush ids of two processes (or two runs) never collide.
        self._node = node_id or uuid.uuid4().hex
        self._seq = itertools.count(1)
        self._counts: dict[Key, int] = {}
        self._maxima: dict[Key, int] = {}
        # The batch being written; kept (same id) until a flush of it succeeds.
        self._batch: _Batch | None = None
        # The last batch written (tests replay it to show a retried flush applies once).
        self._last_batch: _Batch | None = None
        self._lock = asyncio.Lock()
        self._task = BackgroundTask("usage-meter-flush")
        self._last_cleanup = 0.0

    # --- the hot path ----------------------------------------------------------------------

    def record(self, tenant_id: uuid.UUID, project_id: uuid.UUID, metric: str, n: int = 1) -> None:
        """Add `n` to a counter metric (synchronous, lock-free; call on the event loop thread)."""
        if n <= 0:
            return
        key = (tenant_id, project_id, metric, day_number())
        counts = self._counts
        counts[key] = counts.get(key, 0) + n
        counter = _PROMETHEUS.get(metric)
        if counter is not None:
            counter.labels(tenant_label(tenant_id)).inc(n)

    def observe_max(self, tenant_id: uuid.UUID, project_id: uuid.UUID, metric: str, value: int) -> None:
        """Keep the day's maximum of a gauge metric (`peak_connections`, `storage_bytes`)."""
        key = (tenant_id, project_id, metric, day_number())
        maxima = self._maxima
        if value > maxima.get(key, -1):
            maxima[key] = value

    def pending(self, tenant_id: uuid.UUID, metric: str, since_day: int) -> int:
        """Counts of a tenant's metric not yet in the ledger (this process only)."""
        total = 0
        sources = [self._counts] + ([self._batch.counts] if self._batch else [])
        for source in sources:
            for (tenant, _project, name, day), n in list(source.items()):
                if tenant == tenant_id and name == metric and day >= since_day:
                    total += n
        return total

    # --- flushing --------------------------------------------------------------------------

    def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()
        with contextlib.suppress(Exception):
            await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                log.warning("usage flush failed; will retry", exc_info=True)

    async def flush(self) -> int:
        """Write everything counted so far to the ledger; returns the rows written. Raises if
        PostgreSQL fails (the batch is kept and retried by the next call)."""
        async with self._lock:
            written = 0
            while True:
                if self._batch is None:
                    if not self._counts and not self._maxima:
                        return written
                    self._batch = _Batch(f"{self._node}:{next(self._seq)}", self._counts, self._maxima)
                    self._counts, self._maxima = {}, {}
                batch = self._batch
                batch.attempts += 1
                try:
                    await self._write(batch)
                except Exception:
                    USAGE_LEDGER_FLUSHES.labels("error").inc()
                    raise
                USAGE_LEDGER_FLUSHES.labels("ok").inc()
                self._batch, self._last_batch = None, batch
                written += batch.rows

    async def _write(self, batch: _Batch) -> None:
        async with self._db.session() as session, session.begin():
            claimed = await session.execute(
                insert(UsageFlush)
                .values(flush_id=batch.id)
                .on_conflict_do_nothing()
                .returning(UsageFlush.flush_id)
            )
            if claimed.first() is None:
                return  # applied by an earlier attempt whose answer was lost
            for rows, additive in ((batch.counts, True), (batch.maxima, False)):
                items = [
                    {
                        "tenant_id": tenant,
                        "project_id": project,
                        "metric": metric,
                        "day": _EPOCH + timedelta(days=day),
                        "quantity": n,
                    }
                    for (tenant, project, metric, day), n in rows.items()
                ]
                for start in range(0, len(items), _CHUNK):
                    stmt = insert(UsageDaily).values(items[start : start + _CHUNK])
                    current = UsageDaily.quantity
                    new = (
                        current + stmt.excluded.quantity
                        if additive
                        else sa.func.greatest(current, stmt.excluded.quantity)
                    )
                    await session.execute(
                        stmt.on_conflict_do_update(
                            index_elements=[
                                UsageDaily.tenant_id,
                                UsageDaily.project_id,
                                UsageDaily.metric,
                                UsageDaily.day,
                            ],
                            set_={"quantity": new, "updated_at": sa.func.now()},
                        )
                    )
            now = time.monotonic()
            if now - self._last_cleanup > 3600:
                self._last_cleanup = now
                cutoff = datetime.now(UTC) - FLUSH_ID_RETENTION
                await session.execute(sa.delete(UsageFlush).where(UsageFlush.applied_at < cutoff))
