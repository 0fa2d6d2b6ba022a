"""Time-driven status changes: trials that ended, payment grace that ran out.

- A `trialing` tenant whose trial ended (`billing_accounts.trial_ends_at`, or else its creation
  plus `TIDINGS_TRIAL_DAYS`) without a payment method on file is suspended (`trial_ended`):
  nothing is deleted, and a payment (Stripe subscription turning active) or an operator restores
  it. A tenant with a payment method converts through Stripe (subscription → `active`).
- A `past_due` tenant whose payment failed more than `TIDINGS_PAYMENT_GRACE_DAYS` ago is
  suspended (`payment`) until an invoice is paid.
- Each pass also samples how many tenants use at least their plan's `warn_ratio` of a monthly
  limit (`tidings_tenants_near_limit`), and, on one node at a time (an advisory lock), the bytes
  each project's stream retains (`storage_bytes`, a daily maximum in the ledger) when a storage
  probe is set. The probe reads stream state only: it never creates a stream.

Each change is audited and announced like any other (tidings_server.billing.status). Passes are
idempotent, so every node may run them.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tidings_server.background import BackgroundTask
from tidings_server.billing.status import Change, set_tenant_status
from tidings_server.broker.control import ControlBus
from tidings_server.observability.metrics import TENANTS_NEAR_LIMIT
from tidings_server.store.db import Database
from tidings_server.store.models import BillingAccount, Plan, Project, Tenant, UsageDaily
from tidings_server.store.repo import TenantScope

__all__ = ["StorageProbe", "Sweeper"]

StorageProbe = Callable[[uuid.UUID], Awaitable[int | None]]
"""Bytes the project's stream retains now (None: no stream)."""
# Any constant of our own: the lock that lets one node sample storage at a time.
_STORAGE_LOCK = 0x7469_6469_6E67_0007

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(
        self,
        db: Database,
        control: ControlBus,
        *,
        trial_days: int,
        grace_days: int,
        interval: float = 60.0,
    ) -> None:
        self._db = db
        self._control = control
        self.trial = timedelta(days=trial_days)
        self.grace = timedelta(days=grace_days)
        self._interval = interval
        self._task = BackgroundTask("billing-sweeper")
        # Set by the composition root: (probe, meter.observe_max).
        self.storage: tuple[StorageProbe, Callable[[uuid.UUID, uuid.UUID, str, int], None]] | None = None

    def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except Exception:
                log.warning("billing sweep failed", exc_info=True)
            await asyncio.sleep(self._interval)

    def trial_end(self, tenant: Tenant, account: BillingAccount | None) -> datetime:
        if account is not None and account.trial_ends_at is not None:
            return account.trial_ends_at
        return tenant.created_at + self.trial

    async def sweep_once(self, now: datetime | None = None) -> list[Change]:
        now = now or datetime.now(UTC)
        async with self._db.session() as session:
            trial_ends = sa.func.coalesce(
                BillingAccount.trial_ends_at, Tenant.created_at + sa.literal(self.trial)
            )
            ended = await session.execute(
                sa.select(Tenant.id)
                .outerjoin(BillingAccount, BillingAccount.tenant_id == Tenant.id)
                .where(
                    Tenant.status == "trialing",
                    trial_ends < now,
                    sa.func.coalesce(BillingAccount.has_payment_method, sa.false()).is_(False),
                )
            )
            lapsed = await session.execute(
                sa.select(Tenant.id)
                .join(BillingAccount, BillingAccount.tenant_id == Tenant.id)
                .where(Tenant.status == "past_due", BillingAccount.past_due_since < now - self.grace)
            )
            work = [(t, "trial_ended") for (t,) in ended.all()] + [(t, "payment") for (t,) in lapsed.all()]
        await self.sample_near_limit(now)
        await self.sample_storage()
        changes = []
        for tenant_id, reason in work:
            change = await self._suspend(tenant_id, reason)
            if change is not None:
                changes.append(change)
        return changes

    async def sample_storage(self) -> int:
        """Record every project's retained bytes; returns the projects sampled (0 when another
        node holds the lock or no probe is set)."""
        if self.storage is None:
            return 0
        probe, observe = self.storage
        sampled = 0
        async with self._db.session() as session, session.begin():
            if not await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_STORAGE_LOCK))):
                return 0
            projects = (await session.execute(sa.select(Project.tenant_id, Project.id))).all()
            for tenant_id, project_id in projects:
                retained = await probe(project_id)
                if retained is not None:
                    observe(tenant_id, project_id, "storage_bytes", retained)
                    sampled += 1
        return sampled

    async def sample_near_limit(self, now: datetime) -> dict[str, int]:
        """Tenants at or past their plan's soft limit this month, by monthly limit."""
        month = now.date().replace(day=1)
        counts = {}
        async with self._db.session() as session:
            for limit, metric in (
                ("events_per_month", "events_published"),
                ("deliveries_per_month", "messages_delivered"),
            ):
                cap = getattr(Plan, limit)
                used = (
                    sa.select(UsageDaily.tenant_id, sa.func.sum(UsageDaily.quantity).label("used"))
                    .where(UsageDaily.metric == metric, UsageDaily.day >= month)
                    .group_by(UsageDaily.tenant_id)
                    .subquery()
                )
                stmt = (
                    sa.select(sa.func.count())
                    .select_from(used)
                    .join(Tenant, Tenant.id == used.c.tenant_id)
                    .join(Plan, Plan.name == Tenant.plan)
                    .where(cap.is_not(None), used.c.used >= cap * Plan.warn_ratio)
                )
                counts[limit] = int(await session.scalar(stmt) or 0)
                TENANTS_NEAR_LIMIT.labels(limit).set(counts[limit])
        return counts

    async def _suspend(self, tenant_id: uuid.UUID, reason: str) -> Change | None:
        expected = "trialing" if reason == "trial_ended" else "past_due"
        async with self._db.session() as session, session.begin():
            scope = TenantScope(session, tenant_id)
            current = await session.scalar(
                sa.select(Tenant.status).where(Tenant.id == tenant_id).with_for_update()
            )
            if current != expected:
                return None  # changed since the query (a payment arrived)
            change = await set_tenant_status(scope, "suspended", reason=reason, action="tenant.suspended")
        if change is not None:
            await change.announce(self._control)
        return change
