"""The billing service as the rest of the server reaches it (`services.billing`).

For the realtime gateway (wire after merging):

- `services.billing.connection_limit(tenant_id) -> int | None` (async, cached 30 s, dropped on
  plan changes): the most concurrent connections the tenant may hold cluster-wide (None:
  unlimited). Over it, refuse the handshake with registry code `connection_limit` (4430).
- `services.billing.meter.record(tenant_id, project_id, metric, n=1)` (synchronous, lock-free):
  `messages_delivered` per delivery batch (events times subscribers), `connection_seconds` when a
  connection closes (or periodically for long ones).
- `services.billing.meter.observe_max(tenant_id, project_id, "peak_connections", count)`: the
  tenant's cluster-wide connection count when it changes (a daily maximum).
- `services.suspensions.is_suspended(tenant_id, project_id)` at the handshake, and
  `services.suspensions.on_change(listener)` to close connections on suspension.

For the REST publish path: `admit_publish` (suspension, plan rate, monthly allowances) before
the JetStream append, `Admission.settle` after it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tidings_server.auth.limits import RateLimited
from tidings_server.billing.errors import ProjectLimitReached, TenantSuspended, UsageLimitReached
from tidings_server.billing.ledger import period_totals
from tidings_server.billing.metering import Meter, month_start
from tidings_server.billing.plans import Plans
from tidings_server.billing.quota import QuotaLeases
from tidings_server.billing.reporter import UsageReporter
from tidings_server.billing.stripe_api import StripeGateway
from tidings_server.billing.sweeper import Sweeper
from tidings_server.billing.webhooks import WebhookProcessor
from tidings_server.broker.control import ControlBus
from tidings_server.config import Settings
from tidings_server.identity.suspension import Suspensions
from tidings_server.observability.metrics import PLAN_LIMIT_REJECTIONS, tenant_label
from tidings_server.ratelimit import CostExceedsBurstError, RateLimiter
from tidings_server.store.db import Database
from tidings_server.store.models import Tenant
from tidings_server.store.repo import TenantScope

__all__ = ["Admission", "BillingService", "check_project_limit"]

_EPOCH_DAY = date(1970, 1, 1).toordinal()


@dataclass(slots=True)
class Admission:
    """Units of a monthly allowance taken for one publish; `settle` returns the unused ones."""

    quotas: QuotaLeases
    tenant_id: uuid.UUID
    period: date
    taken: int

    def settle(self, used: int) -> None:
        self.quotas.give_back(self.tenant_id, "events_published", self.period, self.taken - used)
        self.taken = used


class BillingService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        control: ControlBus,
        suspensions: Suspensions,
        limiter: RateLimiter,
    ) -> None:
        self.settings = settings
        self._db = db
        self._control = control
        self._suspensions = suspensions
        self._limiter = limiter
        self.plans = Plans(db, control)
        self.meter = Meter(db, flush_interval=settings.usage_flush_interval)
        self.quotas = QuotaLeases(db)
        self.stripe: StripeGateway | None = None
        if settings.stripe_api_key is not None:
            self.stripe = StripeGateway(
                settings.stripe_api_key.get_secret_value(),
                api_base=settings.stripe_api_base,
                meter_prefix=settings.stripe_meter_prefix,
            )
        self.reporter = (
            UsageReporter(db, self.stripe, interval=settings.billing_report_interval) if self.stripe else None
        )
        self.webhooks = WebhookProcessor(db, control, self.plans)
        self.sweeper = Sweeper(
            db,
            control,
            trial_days=settings.trial_days,
            grace_days=settings.payment_grace_days,
            interval=settings.billing_sweep_interval,
        )
        # (tenant, metric) → (month total in the ledger, when read): the deliveries allowance.
        self._totals: dict[tuple[uuid.UUID, str], tuple[int, float]] = {}

    @property
    def webhook_secrets(self) -> list[str]:
        secret = self.settings.stripe_webhook_secret
        if secret is None:
            return []
        return [s.strip() for s in secret.get_secret_value().split(",") if s.strip()]

    async def start(self) -> None:
        await self.plans.attach(self._control)
        self.meter.start()
        self.sweeper.start()
        if self.reporter is not None:
            self.reporter.start()

    async def stop(self) -> None:
        if self.reporter is not None:
            await self.reporter.stop()
        await self.sweeper.stop()
        await self.meter.stop()
        if self.stripe is not None:
            await self.stripe.aclose()

    async def record_published(
        self, tenant_id: uuid.UUID, project_id: uuid.UUID, events: int, _bytes: int
    ) -> None:
        """The publisher's listener: events stored count as `events_published`."""
        self.meter.record(tenant_id, project_id, "events_published", events)

    async def connection_limit(self, tenant_id: uuid.UUID) -> int | None:
        return await self.plans.connection_limit(tenant_id)

    async def admit_publish(self, tenant_id: uuid.UUID, project_id: uuid.UUID, n: int) -> Admission:
        """Admit a publish of `n` events or raise: 403 `tenant_suspended`, 429 `rate_limited`
        (the plan's publish rate, cluster-wide), 403 `usage_limit_reached` (a monthly allowance
        of a `block` plan; exact across nodes for events, within one flush interval per node for
        deliveries)."""
        if await self._suspensions.is_suspended(tenant_id, project_id):
            raise TenantSuspended("this tenant or project is suspended; nothing can be published")
        plan = await self.plans.for_tenant(tenant_id)
        if plan.publish_rate is not None:
            burst = plan.publish_burst or max(1, int(plan.publish_rate))
            try:
                decision = await self._limiter.hit(
                    f"plan-publish:{tenant_id}", rate=plan.publish_rate, burst=burst, cost=n
                )
            except CostExceedsBurstError:
                raise RateLimited(
                    f"a batch of {n} events is over the plan's publish burst of {burst}", {}
                ) from None
            if not decision.allowed:
                self.reject("publish_rate", tenant_id)
                raise RateLimited("over the plan's publish rate", decision.headers())
        today = datetime.now(UTC).date()
        period = month_start(today)
        admission = Admission(self.quotas, tenant_id, period, 0)
        if not plan.blocks_overage:
            return admission
        if plan.deliveries_per_month is not None:
            used = await self.month_usage(tenant_id, "messages_delivered", period)
            if used >= plan.deliveries_per_month:
                self.reject("deliveries_per_month", tenant_id)
                raise UsageLimitReached(
                    f"the plan's {plan.deliveries_per_month} deliveries this month are used up",
                    errors=[{"pointer": "/deliveries_per_month", "message": "limit reached"}],
                )
        if plan.events_per_month is not None:
            if not await self.quotas.take(tenant_id, "events_published", period, n, plan.events_per_month):
                self.reject("events_per_month", tenant_id)
                raise UsageLimitReached(
                    f"the plan's {plan.events_per_month} events this month are used up",
                    errors=[{"pointer": "/events_per_month", "message": "limit reached"}],
                )
            admission.taken = n
        return admission

    async def month_usage(self, tenant_id: uuid.UUID, metric: str, period: date) -> int:
        """The tenant's month total: the ledger (read at most every flush interval) plus what
        this process has not flushed yet."""
        key = (tenant_id, metric)
        cached = self._totals.get(key)
        now = time.monotonic()
        if cached is None or now - cached[1] > self.settings.usage_flush_interval:
            async with self._db.session() as session:
                totals = await period_totals(session, tenant_id, start=period, end=datetime.now(UTC).date())
            cached = (totals.get(metric, 0), now)
            self._totals[key] = cached
        return cached[0] + self.meter.pending(tenant_id, metric, period.toordinal() - _EPOCH_DAY)

    def reject(self, limit: str, tenant_id: uuid.UUID) -> None:
        PLAN_LIMIT_REJECTIONS.labels(limit, tenant_label(tenant_id)).inc()


async def check_project_limit(billing: BillingService, scope: TenantScope) -> None:
    """Refuse (403 `project_limit_reached`) a new project past the plan's `max_projects`. Locks
    the tenant row for the caller's transaction, so two concurrent creations cannot both pass."""
    plan = await billing.plans.for_tenant(scope.tenant_id)
    if plan.max_projects is None:
        return
    await scope.session.get(Tenant, scope.tenant_id, with_for_update=True)
    if await scope.count_projects() >= plan.max_projects:
        billing.reject("max_projects", scope.tenant_id)
        raise ProjectLimitReached(f"the plan allows {plan.max_projects} projects")
