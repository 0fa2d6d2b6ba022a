"""The realtime gateway of one process: admission, the registry of open connections, the
control-bus reactions (suspension, revocation) and graceful drain.

Admission (both transports): a credential valid for the project (an API key of the project
with the `subscribe` scope, or a client token of the project — from a page whose `Origin`
the project allows, when a browser sends one), the tenant not suspended, the
tenant under its cluster-wide connection limit (and SSE limit), the node not draining.

Control bus: suspending a tenant or project, revoking an API key or a signing key closes the
affected connections on every node as soon as the command arrives (milliseconds). Drain (on
shutdown): refuse new connections, flush what is queued, close every connection with
`going_away` (reconnect elsewhere and resume), and give the sockets `drain_seconds` to finish.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tidings_server.auth.principal import Principal
from tidings_server.background import BackgroundTask
from tidings_server.identity import keys as api_keys_mod
from tidings_server.identity import origins as origins_mod
from tidings_server.identity import signing as signing_mod
from tidings_server.observability.metrics import (
    CONNECTIONS,
    CONNECTIONS_CLOSED,
    CONNECTIONS_OPENED,
    PLAN_LIMIT_REJECTIONS,
    tenant_label,
)
from tidings_server.realtime.counts import ConnectionCounts
from tidings_server.realtime.hub import Hub
from tidings_server.store.models import DurableSubscription, Tenant

if TYPE_CHECKING:
    from tidings_server.realtime.connection import Connection
    from tidings_server.services import Services

__all__ = ["Gateway", "drain_running_gateways", "running_gateways"]

log = logging.getLogger(__name__)

_RUNNING: weakref.WeakSet[Gateway] = weakref.WeakSet()
# Connection time is metered at least this often for connections that stay open.
ACCOUNTING_INTERVAL_SECONDS = 60.0


def running_gateways() -> list[Gateway]:
    """The gateways running in this event loop (the HTTP server's shutdown drains them first,
    so SSE streams end with `going_away` instead of holding the shutdown)."""
    loop = asyncio.get_running_loop()
    return [g for g in _RUNNING if g.loop is loop]


async def drain_running_gateways() -> None:
    """Drain this loop's gateways: what an HTTP server's shutdown calls before waiting for its
    open requests (the SSE streams), so they end with `going_away` instead of holding it."""
    for gateway in running_gateways():
        await gateway.drain()


class Gateway:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        events = services.events
        self.history = events.history
        self.durable = events.durable
        self.codec = events.history.codec
        self.hub = Hub(
            services.broker,
            events.streams,
            self.codec,
            tracing=self.settings.trace_exporter != "none",
        )
        self.counts = ConnectionCounts(services.broker.nc, interval=self.settings.connection_count_interval)
        self.meter = services.billing.meter
        self.hub.meter = self.meter
        self._accounting = BackgroundTask("tidings-connection-metering")
        self.connections: dict[Connection, None] = {}
        self.by_tenant: defaultdict[uuid.UUID, dict[Connection, None]] = defaultdict(dict)
        self._tiers: dict[uuid.UUID, tuple[str, float]] = {}
        self.draining = False
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.counts.start()
        self._accounting.start(self._account_loop)
        self.services.suspensions.on_change(self._suspension_changed)
        await self.services.control.subscribe(api_keys_mod.REVOKED_COMMAND, self._key_revoked)
        await self.services.control.subscribe(signing_mod.REVOKED_COMMAND, self._signing_key_revoked)
        _RUNNING.add(self)

    # --- admission ---------------------------------------------------------------------------

    async def authenticate(self, token: str, project_id: uuid.UUID) -> Principal | None:
        """The principal of an API key or client token valid for `project_id`, or None."""
        if not token:
            return None
        principal: Principal | None
        if token.startswith("tdg_"):
            principal = await self.services.api_keys.authenticate(token)
        else:
            principal = await self.services.client_tokens.verify(token)
        if principal is None or principal.project_id != project_id or principal.tenant_id is None:
            return None
        if principal.expires_at is not None and principal.expires_at <= time.time():
            return None
        return principal

    async def origin_refusal(self, principal: Principal, origin: str | None) -> tuple[str, str] | None:
        """None when the page's `Origin` may use this credential, else (registry code, message):
        a client token from a page its project does not allow is `origin_not_allowed` (cross-site
        WebSocket hijacking); API keys and clients without `Origin` are not checked."""
        try:
            refused = await origins_mod.origin_refused(self.services.origins, principal, origin)
        except Exception as exc:  # noqa: BLE001 - PostgreSQL away and the rules not cached yet
            log.warning("allowed origins unavailable: %r", exc)
            return ("dependency_unavailable", "the project's settings are unavailable; retry")
        if refused:
            return ("origin_not_allowed", "this page's origin is not in the project's allowed origins")
        return None

    async def admit(self, principal: Principal, transport: str) -> tuple[str, str] | None:
        """None when the connection may open, else (registry code, message)."""
        if self.draining:
            return ("going_away", "this node is shutting down; reconnect")
        if not principal.grants.get("subscribe"):
            return ("forbidden", "this credential has no `subscribe` scope")
        tenant_id = principal.tenant_id
        assert tenant_id is not None
        if await self.services.suspensions.is_suspended(tenant_id, principal.project_id):
            return ("tenant_suspended", "the tenant or project is suspended")
        limit = self.settings.max_connections_per_tenant
        plan_limit = await self.services.billing.connection_limit(tenant_id)
        if plan_limit is not None:
            limit = min(limit, plan_limit)
        if self.counts.total(tenant_id) >= limit:
            PLAN_LIMIT_REJECTIONS.labels("connections", tenant_label(tenant_id)).inc()
            return ("connection_limit", f"the tenant holds its maximum of {limit} realtime connections")
        if transport == "sse" and self.counts.total(tenant_id, "sse") >= self.settings.max_sse_per_tenant:
            return (
                "connection_limit",
                f"the tenant holds its maximum of {self.settings.max_sse_per_tenant} SSE streams",
            )
        # Counted now, with no await since the check, so concurrent handshakes on this process
        # cannot both take the last place; `register` follows at once, `closed` gives it back.
        self.counts.add(tenant_id, transport, 1)
        return None

    async def _tier(self, tenant_id: uuid.UUID) -> str:
        cached = self._tiers.get(tenant_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < 60:
            return cached[0]
        try:
            async with self.services.db.session() as session:
                plan = await session.scalar(sa.select(Tenant.plan).where(Tenant.id == tenant_id))
        except Exception:  # noqa: BLE001 - only a metrics label: never refuse a connection for it
            plan = None
        tier = plan if plan in ("free", "trial", "pro", "enterprise") else "other"
        self._tiers[tenant_id] = (tier, now)
        return tier

    async def register(self, conn: Connection) -> None:
        """Right after a successful `admit` (which counted the connection)."""
        self.connections[conn] = None
        self.by_tenant[conn.tenant_id][conn] = None
        conn.tier = await self._tier(conn.tenant_id)
        CONNECTIONS_OPENED.labels(conn.transport).inc()
        CONNECTIONS.labels(conn.transport, conn.tier).inc()
        self.meter.observe_max(
            conn.tenant_id, conn.project_id, "peak_connections", self.counts.total(conn.tenant_id)
        )

    def closed(self, conn: Connection, reason: str) -> None:
        if conn not in self.connections:
            return
        del self.connections[conn]
        tenant = self.by_tenant.get(conn.tenant_id)
        if tenant is not None:
            tenant.pop(conn, None)
            if not tenant:
                del self.by_tenant[conn.tenant_id]
        self.counts.add(conn.tenant_id, conn.transport, -1)
        self._account(conn, time.monotonic())
        CONNECTIONS.labels(conn.transport, conn.tier).dec()
        CONNECTIONS_CLOSED.labels(conn.transport, reason).inc()

    # --- metering (billing) -------------------------------------------------------------------

    def _account(self, conn: Connection, now: float) -> None:
        """Meter the connection's seconds since it was last accounted."""
        seconds = int(now - conn.accounted)
        if seconds > 0:
            self.meter.record(conn.tenant_id, conn.project_id, "connection_seconds", seconds)
            conn.accounted += seconds

    async def _account_loop(self) -> None:
        """Long-lived connections are metered as they go, not only when they close."""
        while True:
            await asyncio.sleep(ACCOUNTING_INTERVAL_SECONDS)
            now = time.monotonic()
            for conn in list(self.connections):
                self._account(conn, now)

    def reauthenticated(self, conn: Connection) -> None:
        """A connection replaced its credential (revocation now follows the new one)."""

    async def durable_row(
        self, tenant_id: uuid.UUID, project_id: uuid.UUID, name: str
    ) -> DurableSubscription | None:
        async with self.services.db.session() as session:
            return await self.durable.get(session, tenant_id, project_id, name)

    # --- control bus -------------------------------------------------------------------------

    async def _suspension_changed(
        self, tenant_id: uuid.UUID, project_id: uuid.UUID | None, suspended: bool
    ) -> None:
        if not suspended:
            return
        for conn in list(self.by_tenant.get(tenant_id, {})):
            if project_id is None or conn.project_id == project_id:
                conn.close("tenant_suspended", "the tenant is suspended")

    async def _key_revoked(self, payload: dict[str, Any]) -> None:
        key_id = str(payload.get("key_id", ""))
        for conn in list(self.connections):
            if conn.principal.key_id == key_id:
                conn.close("unauthenticated", "the API key was revoked")

    async def _signing_key_revoked(self, payload: dict[str, Any]) -> None:
        kid = str(payload.get("kid", ""))
        project = str(payload.get("project_id", ""))
        for conn in list(self.connections):
            if conn.principal.signing_kid == kid and str(conn.project_id) == project:
                conn.close("unauthenticated", "the key that signed this token was revoked")

    # --- shutdown ----------------------------------------------------------------------------

    async def drain(self) -> None:
        """Refuse new connections, tell every client to go elsewhere, let the queues flush."""
        if self.draining:
            return
        self.draining = True
        closing = list(self.connections)
        for conn in closing:
            conn.flush({})
            conn.close("going_away", "this node is shutting down; reconnect and resume from your cursor")
        deadline = time.monotonic() + self.settings.drain_seconds
        while time.monotonic() < deadline and not all(c.finished() for c in closing):  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # polled: one Event per connection would cost memory on all of them

    async def stop(self) -> None:
        await self.drain()
        _RUNNING.discard(self)
        await self._accounting.stop()
        await self.hub.close()
        await self.counts.close()
