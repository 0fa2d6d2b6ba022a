"""Cluster-wide connection counts, for per-tenant connection limits across processes and nodes.

Each gateway process counts its own connections per tenant and transport, and every
`interval` seconds publishes the non-zero counts on core NATS (`tidings.gw.counts`); every
process keeps the latest report of every other process (forgotten after three silent
intervals: a dead process stops counting within that time). A tenant's cluster count is the sum.

Precision: admission reads the local count exactly and the others' as of their last report, so
the limit can be overshot by the connections the *other* processes accepted for that tenant
within one interval (plus NATS latency); it is never undershot for long — closed connections
leave the count at the next report. With the default 1 s interval and a tenant opening
connections at R per second spread over P processes, the overshoot is at most about R·(P-1)/P.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict

import orjson
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from tidings_server.background import BackgroundTask

__all__ = ["COUNTS_SUBJECT", "ConnectionCounts"]

log = logging.getLogger(__name__)

COUNTS_SUBJECT = "tidings.gw.counts"
TRANSPORTS = ("websocket", "sse")


class ConnectionCounts:
    def __init__(self, nc: NATS, *, interval: float) -> None:
        self._nc = nc
        self.interval = interval
        self.node = uuid.uuid4().hex
        self.local: defaultdict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
        self._remote: dict[str, tuple[float, dict[uuid.UUID, list[int]]]] = {}
        self._sub: Subscription | None = None
        self._task = BackgroundTask("tidings-connection-counts")

    def add(self, tenant_id: uuid.UUID, transport: str, delta: int) -> None:
        counts = self.local[tenant_id]
        counts[TRANSPORTS.index(transport)] += delta
        if counts == [0, 0]:
            del self.local[tenant_id]

    def total(self, tenant_id: uuid.UUID, transport: str | None = None) -> int:
        """The tenant's connections across the cluster (all transports, or one)."""
        now = time.monotonic()
        stale = 3 * self.interval
        rows = [self.local.get(tenant_id, [0, 0])]
        rows += [
            counts.get(tenant_id, [0, 0]) for seen, counts in self._remote.values() if now - seen < stale
        ]
        if transport is None:
            return sum(sum(row) for row in rows)
        index = TRANSPORTS.index(transport)
        return sum(row[index] for row in rows)

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(COUNTS_SUBJECT, cb=self._on_report)
        self._task.start(self._report_loop)

    async def _on_report(self, msg: Msg) -> None:
        try:
            report = orjson.loads(msg.data)
            node = str(report["node"])
            if node == self.node:
                return
            counts = {uuid.UUID(t): [int(c[0]), int(c[1])] for t, c in report["counts"].items()}
        except (ValueError, KeyError, TypeError, IndexError):
            log.warning("ignored a malformed connection-count report")
            return
        if report.get("gone"):
            self._remote.pop(node, None)
        else:
            self._remote[node] = (time.monotonic(), counts)

    async def _report_loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._publish()
            except Exception as exc:  # noqa: BLE001 - NATS down: the next interval tries again
                log.debug("connection-count report failed: %s", exc)
            now = time.monotonic()
            for node in [n for n, (seen, _) in self._remote.items() if now - seen >= 3 * self.interval]:
                del self._remote[node]

    async def _publish(self, *, gone: bool = False) -> None:
        payload = {
            "node": self.node,
            "counts": {} if gone else {str(t): c for t, c in self.local.items()},
            "gone": gone,
        }
        await self._nc.publish(COUNTS_SUBJECT, orjson.dumps(payload))

    async def close(self) -> None:
        await self._task.stop()
        with contextlib.suppress(Exception):
            await self._publish(gone=True)
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
