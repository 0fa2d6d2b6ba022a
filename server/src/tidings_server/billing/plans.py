"""Plans and their limits, as every node sees them.

A plan (table `plans`, seeded with `free`, `trial`, `pro`, `enterprise`, edited by operators)
sets hard limits, each NULL for unlimited:

- `events_per_month`, `deliveries_per_month`: monthly allowances (UTC calendar month). With
  `overage: block` a publish past them is refused (403 `usage_limit_reached`); with `bill` the
  tenant keeps being served and Stripe bills the overage.
- `peak_connections`: concurrent realtime connections of the tenant, cluster-wide (the gateway
  asks `connection_limit`; over it, the handshake is refused with `connection_limit`, 4430).
- `publish_rate` / `publish_burst`: events per second the tenant may publish, cluster-wide (the
  shared rate limiter; over it, 429 `rate_limited`).
- `max_projects`: projects the tenant may have (403 `project_limit_reached`).
- `retention_max_age_seconds`: the longest retention a project may set (422 `plan_bound_exceeded`).

`warn_ratio` (default 0.8) is the soft limit: the usage API flags every limit used past it.

Plans and each tenant's plan are cached for `CACHE_TTL_SECONDS`; a change made through this
module is announced on the control bus (`billing.plans`) and every node drops its cache at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tidings_server.broker.control import ControlBus
from tidings_server.store.db import Database
from tidings_server.store.models import AuditEntry, Plan, Tenant

__all__ = ["LIMIT_FIELDS", "PLANS_COMMAND", "PlanLimits", "Plans"]

PLANS_COMMAND = "billing.plans"
# Plans change rarely and every change is announced; the TTL only bounds a missed announcement.
CACHE_TTL_SECONDS = 30.0
FALLBACK_PLAN = "free"

LIMIT_FIELDS = (
    "events_per_month",
    "deliveries_per_month",
    "peak_connections",
    "publish_rate",
    "publish_burst",
    "max_projects",
    "retention_max_age_seconds",
)


@dataclass(frozen=True, slots=True)
class PlanLimits:
    name: str
    display_name: str
    events_per_month: int | None
    deliveries_per_month: int | None
    peak_connections: int | None
    publish_rate: float | None
    publish_burst: int | None
    max_projects: int | None
    retention_max_age_seconds: int | None
    warn_ratio: float
    overage: str
    stripe_price_ids: tuple[str, ...]

    @property
    def blocks_overage(self) -> bool:
        return self.overage == "block"

    @classmethod
    def of(cls, row: Plan) -> PlanLimits:
        return cls(
            name=row.name,
            display_name=row.display_name,
            events_per_month=row.events_per_month,
            deliveries_per_month=row.deliveries_per_month,
            peak_connections=row.peak_connections,
            publish_rate=row.publish_rate,
            publish_burst=row.publish_burst,
            max_projects=row.max_projects,
            retention_max_age_seconds=row.retention_max_age_seconds,
            warn_ratio=row.warn_ratio,
            overage=row.overage,
            stripe_price_ids=tuple(row.stripe_price_ids or ()),
        )

    def to_json(self) -> dict[str, Any]:
        body = {f.name: getattr(self, f.name) for f in fields(self)}
        body["stripe_price_ids"] = list(self.stripe_price_ids)
        return body


class Plans:
    """Cached plan look-ups (`get`, `for_tenant`, `connection_limit`) and operator edits."""

    def __init__(self, db: Database, control: ControlBus | None = None) -> None:
        self._db = db
        self._control = control
        self._plans: dict[str, PlanLimits] = {}
        self._plans_at = 0.0
        # tenant id → (plan name, when read)
        self._tenants: dict[uuid.UUID, tuple[str, float]] = {}

    async def attach(self, control: ControlBus) -> None:
        self._control = control

        async def changed(payload: dict[str, Any]) -> None:
            tenant = payload.get("tenant_id")
            if tenant:
                self._tenants.pop(uuid.UUID(str(tenant)), None)
            else:
                self.forget_all_now()

        await control.subscribe(PLANS_COMMAND, changed)

    def forget_all_now(self) -> None:
        self._plans_at = 0.0
        self._tenants.clear()

    async def forget_all(self) -> None:
        self.forget_all_now()

    async def _load(self) -> dict[str, PlanLimits]:
        now = time.monotonic()
        if self._plans and now - self._plans_at < CACHE_TTL_SECONDS:
            return self._plans
        async with self._db.session() as session:
            rows = (await session.scalars(sa.select(Plan).order_by(Plan.name))).all()
        self._plans = {row.name: PlanLimits.of(row) for row in rows}
        self._plans_at = now
        return self._plans

    async def all(self) -> list[PlanLimits]:
        return list((await self._load()).values())

    async def get(self, name: str) -> PlanLimits | None:
        return (await self._load()).get(name)

    async def plan_name(self, tenant_id: uuid.UUID) -> str:
        cached = self._tenants.get(tenant_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < CACHE_TTL_SECONDS:
            return cached[0]
        async with self._db.session() as session:
            name = await session.scalar(sa.select(Tenant.plan).where(Tenant.id == tenant_id))
        name = name or FALLBACK_PLAN
        self._tenants[tenant_id] = (name, now)
        return name

    async def for_tenant(self, tenant_id: uuid.UUID) -> PlanLimits:
        """The tenant's plan; a tenant on a plan that no longer exists gets `free`'s limits."""
        plans = await self._load()
        plan = plans.get(await self.plan_name(tenant_id)) or plans.get(FALLBACK_PLAN)
        if plan is None:
            raise LookupError("no plans are defined (migration 0004 seeds them)")
        return plan

    async def connection_limit(self, tenant_id: uuid.UUID) -> int | None:
        """The most concurrent realtime connections the tenant may hold across the cluster
        (None: unlimited). Cached; for the gateway's handshake."""
        return (await self.for_tenant(tenant_id)).peak_connections

    async def update(
        self, name: str, values: Mapping[str, Any], *, audit: Mapping[str, Any] | None = None
    ) -> PlanLimits:
        """Create or change a plan (operators), with its audit entry (`AuditEntry` fields, no
        tenant: plans are global); every node sees it at once."""
        row: dict[str, Any] = {"name": name, **values}
        row.setdefault("display_name", name.capitalize())
        upsert = insert(Plan).values(**row)
        stmt = upsert.on_conflict_do_update(
            index_elements=[Plan.name], set_={**dict(values), "updated_at": sa.func.now()}
        ).returning(Plan)
        async with self._db.session() as session, session.begin():
            plan = PlanLimits.of((await session.execute(stmt)).scalar_one())
            if audit is not None:
                session.add(AuditEntry(tenant_id=None, **audit))
        await self.announce()
        return plan

    async def announce(self, tenant_id: uuid.UUID | None = None) -> None:
        """Drop cached plans (all, or one tenant's plan name) on every node."""
        if tenant_id is not None:
            self._tenants.pop(tenant_id, None)
        else:
            self.forget_all_now()
        if self._control is not None:
            await self._control.publish(PLANS_COMMAND, {"tenant_id": str(tenant_id) if tenant_id else None})
