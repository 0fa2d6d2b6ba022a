"""The usage reporter: ledger → Stripe Billing Meters, exactly once.

One pass (`report_once`):
1. Plan (one transaction, under a PostgreSQL advisory lock so one node plans at a time): for
   each tenant with a Stripe customer and a live subscription, each billed metric (`BILLED`) and
   each day of the last `LOOKBACK_DAYS`, the ledger's total minus what `usage_reports` already
   holds is the new delta; it is written as a report row with the next sequence number and a
   deterministic identifier `tdg_<tenant>_<metric>_<yyyymmdd>_<seq>`.
2. Send every unsent row (oldest first) as a meter event with that identifier, marking each
   sent once Stripe took it, or answered that it already had it.

Why nothing is lost or billed twice: a row is committed before it is sent, so a crash anywhere
leaves either an unsent row (sent on the next pass, same identifier) or a sent one; a resend of
an event Stripe took is refused by Stripe as a duplicate identifier and counts as sent. Usage
never leaves the ledger, so a Stripe outage only delays reports: they are planned and sent when
Stripe answers again (`run` backs off exponentially up to `MAX_BACKOFF_SECONDS`, with jitter).
Two nodes sending the same unsent row at once is harmless for the same reason.

Limit: Stripe keeps identifiers for at least 24 hours, so a row must not stay "sent but not
marked" longer than that — it is marked right after Stripe answers; only a crash in between
plus a Stripe outage of a day could make it a real duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tidings_server.background import BackgroundTask
from tidings_server.billing.stripe_api import StripeGateway
from tidings_server.errors import TidingsError
from tidings_server.observability.metrics import STRIPE_LAST_SUCCESS, STRIPE_METER_REPORTS
from tidings_server.store.db import Database
from tidings_server.store.models import BillingAccount, UsageDaily, UsageReport

__all__ = ["BILLED", "LIVE_SUBSCRIPTIONS", "UsageReporter", "report_identifier"]

log = logging.getLogger(__name__)

BILLED = ("events_published", "messages_delivered", "connection_seconds")
LIVE_SUBSCRIPTIONS = ("trialing", "active", "past_due")
# Stripe accepts meter events up to 35 days old.
LOOKBACK_DAYS = 34
MAX_BACKOFF_SECONDS = 1800.0
# Rows sent per pass: bounds one pass's time; the next pass continues.
SEND_BATCH = 500
# Any constant of our own: the lock that lets one node plan at a time.
_PLAN_LOCK = 0x7469_6469_6E67_0006


def report_identifier(tenant_id: uuid.UUID, metric: str, day: date, seq: int) -> str:
    return f"tdg_{tenant_id.hex}_{metric}_{day:%Y%m%d}_{seq}"


class UsageReporter:
    def __init__(
        self,
        db: Database,
        stripe: StripeGateway,
        *,
        interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._stripe = stripe
        self._interval = interval
        self._clock = clock
        self._task = BackgroundTask("stripe-usage-reporter")
        self.failures = 0

    def start(self) -> None:
        self._task.start(self.run)

    async def stop(self) -> None:
        await self._task.stop()

    async def run(self) -> None:
        while True:
            try:
                await self.report_once()
                self.failures = 0
                delay = self._interval
            except Exception:
                self.failures += 1
                delay = min(MAX_BACKOFF_SECONDS, self._interval * 2 ** min(self.failures, 10))
                delay *= random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
                log.warning("usage report to Stripe failed (%d in a row)", self.failures, exc_info=True)
            await asyncio.sleep(delay)

    async def report_once(self) -> int:
        """Plan and send; returns the meter events Stripe took. Raises when Stripe fails (what
        was not sent stays queued)."""
        await self.plan()
        return await self.send()

    async def plan(self) -> int:
        today = datetime.fromtimestamp(self._clock(), UTC).date()
        first = today - timedelta(days=LOOKBACK_DAYS)
        async with self._db.session() as session, session.begin():
            if not await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_PLAN_LOCK))):
                return 0
            ledger = (
                sa.select(
                    UsageDaily.tenant_id,
                    UsageDaily.metric,
                    UsageDaily.day,
                    sa.func.sum(UsageDaily.quantity).label("total"),
                    BillingAccount.stripe_customer_id,
                )
                .join(BillingAccount, BillingAccount.tenant_id == UsageDaily.tenant_id)
                .where(
                    BillingAccount.stripe_customer_id.is_not(None),
                    BillingAccount.subscription_status.in_(LIVE_SUBSCRIPTIONS),
                    UsageDaily.metric.in_(BILLED),
                    UsageDaily.day >= first,
                )
                .group_by(
                    UsageDaily.tenant_id,
                    UsageDaily.metric,
                    UsageDaily.day,
                    BillingAccount.stripe_customer_id,
                )
            )
            reported_rows = await session.execute(
                sa.select(
                    UsageReport.tenant_id,
                    UsageReport.metric,
                    UsageReport.day,
                    sa.func.sum(UsageReport.quantity),
                    sa.func.max(UsageReport.seq),
                )
                .where(UsageReport.day >= first)
                .group_by(UsageReport.tenant_id, UsageReport.metric, UsageReport.day)
            )
            reported = {(t, m, d): (int(q), int(s)) for t, m, d, q, s in reported_rows.all()}
            planned = 0
            for tenant_id, metric, day, total, customer in (await session.execute(ledger)).all():
                done, seq = reported.get((tenant_id, metric, day), (0, 0))
                delta = int(total) - done
                if delta <= 0:
                    continue
                session.add(
                    UsageReport(
                        tenant_id=tenant_id,
                        metric=metric,
                        day=day,
                        seq=seq + 1,
                        quantity=delta,
                        identifier=report_identifier(tenant_id, metric, day, seq + 1),
                        stripe_customer_id=customer,
                    )
                )
                planned += 1
        return planned

    async def send(self) -> int:
        async with self._db.session() as session:
            rows = (
                await session.scalars(
                    sa.select(UsageReport)
                    .where(UsageReport.sent_at.is_(None))
                    .order_by(UsageReport.id)
                    .limit(SEND_BATCH)
                )
            ).all()
        taken = 0
        for row in rows:
            try:
                fresh = await self._stripe.send_meter_event(
                    metric=row.metric,
                    customer_id=row.stripe_customer_id,
                    value=row.quantity,
                    identifier=row.identifier,
                    timestamp=self._timestamp(row.day),
                )
            except TidingsError:
                STRIPE_METER_REPORTS.labels("error").inc()
                raise
            STRIPE_METER_REPORTS.labels("ok").inc()
            STRIPE_LAST_SUCCESS.set(time.time())
            taken += int(fresh)
            async with self._db.session() as session, session.begin():
                await session.execute(
                    sa.update(UsageReport).where(UsageReport.id == row.id).values(sent_at=sa.func.now())
                )
        return taken

    def _timestamp(self, day: date) -> int:
        """The event's time: within its day (so it lands in the right billing period), never in
        the future."""
        end_of_day = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC).timestamp()
        return int(min(end_of_day, self._clock()))
