"""Seed property 20 (Stripe billing): usage reaches Stripe Billing Meters exactly once, whatever
crashes and outages happen; the calls are checked against stripe-mock (Stripe's own API
definition), totals against a recording stand-in (stripe-mock keeps no state)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.billing.errors import PaymentProviderUnavailable
from tidings_server.billing.reporter import BILLED, UsageReporter
from tidings_server.billing.stripe_api import StripeGateway
from tidings_server.store.db import Database
from tidings_server.store.models import BillingAccount, Tenant, UsageDaily, UsageReport
from tidings_server.testing.waiting import aeventually

from .conftest import STRIPE_KEY, Billing, MeterLedger, _free_port

TODAY = datetime.now(UTC).date()
# Every gateway a test makes, closed at the end of the test.
_GATEWAYS: list[StripeGateway] = []


def make_gateway(url: str) -> StripeGateway:
    made = StripeGateway(STRIPE_KEY, api_base=url)
    _GATEWAYS.append(made)
    return made


async def _close_gateways() -> None:
    while _GATEWAYS:
        await _GATEWAYS.pop().aclose()


class Crash(BaseException):
    """The process dies (not an error the reporter handles)."""


class CrashingGateway(StripeGateway):
    """Stripe takes the k-th event, then the process dies before it can mark it sent."""

    def __init__(self, url: str, crash_after: int) -> None:
        super().__init__(STRIPE_KEY, api_base=url)
        _GATEWAYS.append(self)
        self.crash_after = crash_after
        self.sent = 0

    async def send_meter_event(self, **kwargs: Any) -> bool:
        taken = await super().send_meter_event(**kwargs)
        self.sent += 1
        if self.sent == self.crash_after:
            raise Crash
        return taken


async def _tenant(db: Database, customer: str, status: str = "active") -> uuid.UUID:
    tenant_id = uuid.uuid4()
    async with db.session() as session, session.begin():
        session.add(
            Tenant(id=tenant_id, slug=f"s-{tenant_id.hex[:12]}", name="S", status="active", plan="pro")
        )
        await session.flush()
        session.add(
            BillingAccount(tenant_id=tenant_id, stripe_customer_id=customer, subscription_status=status)
        )
    return tenant_id


async def _usage(db: Database, tenant_id: uuid.UUID, metric: str, day: date, n: int) -> None:
    """Add usage to the ledger as the meter's flush does."""
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(UsageDaily).values(
        tenant_id=tenant_id, project_id=uuid.UUID(int=1), metric=metric, day=day, quantity=n
    )
    async with db.session() as session, session.begin():
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "project_id", "metric", "day"],
                set_={"quantity": UsageDaily.quantity + stmt.excluded.quantity},
            )
        )


async def _ledger_totals(
    db: Database, tenants: dict[uuid.UUID, str], prefix: str = "tidings_"
) -> dict[tuple[str, str], int]:
    async with db.session() as session:
        rows = await session.execute(
            sa.select(UsageDaily.tenant_id, UsageDaily.metric, sa.func.sum(UsageDaily.quantity))
            .where(UsageDaily.tenant_id.in_(list(tenants)), UsageDaily.metric.in_(BILLED))
            .group_by(UsageDaily.tenant_id, UsageDaily.metric)
        )
        return {(tenants[t], prefix + m): int(q) for t, m, q in rows.all()}


@pytest.fixture(scope="module")
def db_url(billing: Billing) -> str:
    assert billing.settings.database_url is not None
    return billing.settings.database_url.get_secret_value()


step = st.one_of(
    st.tuples(
        st.just("usage"), st.integers(0, 2), st.sampled_from(BILLED), st.integers(0, 3), st.integers(1, 1000)
    ),
    st.tuples(st.just("report"), st.none(), st.none(), st.none(), st.none()),
    # The reporter dies right after Stripe took its k-th event of this pass.
    st.tuples(st.just("crash"), st.none(), st.none(), st.none(), st.integers(1, 4)),
    # Stripe answers 500 to the next k events.
    st.tuples(st.just("outage"), st.none(), st.none(), st.none(), st.integers(1, 3)),
    # Stripe cannot be reached at all for one pass.
    st.tuples(st.just("unreachable"), st.none(), st.none(), st.none(), st.none()),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=25))
def test_property_20_stripe_billing_integration(
    db_url: str, recording_stripe: tuple[str, MeterLedger], steps: list[tuple[Any, ...]]
) -> None:
    """Usage recorded in the ledger is reported to Stripe's meters as events with deterministic
    identifiers: after any interleaving of usage, reporter passes, crashes mid-batch, Stripe
    errors and outages, a final pass leaves Stripe's totals per customer and meter equal to the
    ledger's — nothing lost, nothing billed twice."""
    url, ledger = recording_stripe

    async def scenario() -> None:
        db = Database.connect(db_url, pool_size=2)
        try:
            customers = [f"cus_{uuid.uuid4().hex[:12]}" for _ in range(3)]
            tenants = {await _tenant(db, c): c for c in customers}
            ids = list(tenants)
            for kind, who, metric, days_ago, n in steps:
                if kind == "usage":
                    await _usage(db, ids[who], metric, TODAY - timedelta(days=days_ago), n)
                    continue
                if kind == "unreachable":
                    gateway = make_gateway(f"http://127.0.0.1:{_free_port()}")
                    # Raises when there is something to send; either way nothing is lost.
                    with contextlib.suppress(PaymentProviderUnavailable):
                        await UsageReporter(db, gateway).report_once()
                    continue
                if kind == "outage":
                    ledger.fail_next = n
                gateway = CrashingGateway(url, n if kind == "crash" else 0)
                with contextlib.suppress(Crash, PaymentProviderUnavailable):
                    await UsageReporter(db, gateway).report_once()
                ledger.fail_next = 0
            await UsageReporter(db, make_gateway(url)).report_once()
            stripe_totals = {k: v for k, v in ledger.totals().items() if k[0] in customers}
            assert stripe_totals == await _ledger_totals(db, tenants)
            async with db.session() as session:
                unsent = await session.scalar(
                    sa.select(sa.func.count()).where(
                        UsageReport.tenant_id.in_(ids), UsageReport.sent_at.is_(None)
                    )
                )
            assert unsent == 0
        finally:
            await _close_gateways()
            await db.close()

    asyncio.run(scenario())


async def test_a_reporter_crashing_mid_batch_leaves_exact_totals_at_stripe(
    db_url: str, recording_stripe: tuple[str, MeterLedger]
) -> None:
    url, ledger = recording_stripe
    db = Database.connect(db_url, pool_size=2)
    try:
        customers = [f"cus_{uuid.uuid4().hex[:12]}" for _ in range(4)]
        tenants = {await _tenant(db, c): c for c in customers}
        rng = random.Random(7)
        for tenant_id in tenants:
            for metric in BILLED:
                for days_ago in range(3):
                    await _usage(
                        db, tenant_id, metric, TODAY - timedelta(days=days_ago), rng.randint(1, 10_000)
                    )
        # 36 events to send; the process dies after Stripe took the 17th.
        with pytest.raises(Crash):
            await UsageReporter(db, CrashingGateway(url, 17)).report_once()
        assert len(ledger.events) == 17
        # More usage arrives while the reporter is down.
        first = next(iter(tenants))
        await _usage(db, first, "events_published", TODAY, 5)
        # A fresh process: it resends the 17th (Stripe refuses the duplicate), sends the rest
        # and the new usage as a second event for that day.
        await UsageReporter(db, make_gateway(url)).report_once()
        assert ledger.duplicates == 1
        assert dict(ledger.totals().items()) == await _ledger_totals(db, tenants)
        # Another pass has nothing to send.
        before = ledger.requests
        assert await UsageReporter(db, make_gateway(url)).report_once() == 0
        assert ledger.requests == before
    finally:
        await _close_gateways()
        await db.close()


async def test_stripe_unreachable_then_back(db_url: str, recording_stripe: tuple[str, MeterLedger]) -> None:
    """Usage keeps accumulating while Stripe is down; it is all reported later, once."""
    url, ledger = recording_stripe
    db = Database.connect(db_url, pool_size=2)
    try:
        customer = f"cus_{uuid.uuid4().hex[:12]}"
        tenant_id = await _tenant(db, customer)
        down = UsageReporter(db, make_gateway(f"http://127.0.0.1:{_free_port()}"))
        for n in (3, 4, 5):
            await _usage(db, tenant_id, "messages_delivered", TODAY, n)
            with pytest.raises(PaymentProviderUnavailable):
                await down.report_once()
        await UsageReporter(db, make_gateway(url)).report_once()
        assert ledger.totals() == {(customer, "tidings_messages_delivered"): 12}
        # Three planned rows (one per pass), each sent once.
        assert len(ledger.events) == 3
    finally:
        await _close_gateways()
        await db.close()


async def test_the_reporter_backs_off_and_catches_up(
    db_url: str, recording_stripe: tuple[str, MeterLedger]
) -> None:
    url, ledger = recording_stripe
    db = Database.connect(db_url, pool_size=2)
    try:
        customer = f"cus_{uuid.uuid4().hex[:12]}"
        tenant_id = await _tenant(db, customer)
        await _usage(db, tenant_id, "events_published", TODAY, 9)
        ledger.fail_next = 2
        reporter = UsageReporter(db, make_gateway(url), interval=0.02)
        reporter.start()
        try:
            await aeventually(lambda: ledger.totals().get((customer, "tidings_events_published")), 9)
        finally:
            await reporter.stop()
        assert ledger.totals()[(customer, "tidings_events_published")] == 9
    finally:
        await _close_gateways()
        await db.close()


async def test_only_live_subscriptions_are_reported(
    db_url: str, recording_stripe: tuple[str, MeterLedger]
) -> None:
    url, ledger = recording_stripe
    db = Database.connect(db_url, pool_size=2)
    try:
        canceled = f"cus_{uuid.uuid4().hex[:12]}"
        tenant_id = await _tenant(db, canceled, status="canceled")
        await _usage(db, tenant_id, "events_published", TODAY, 9)
        await UsageReporter(db, make_gateway(url)).report_once()
        assert all(key[0] != canceled for key in ledger.totals())
    finally:
        await _close_gateways()
        await db.close()


# --- stripe-mock: the requests are what Stripe's API accepts ----------------------------------


async def test_meter_events_and_customers_against_stripe_mock(stripe_mock: str) -> None:
    gateway = make_gateway(stripe_mock)
    try:
        customer = await gateway.create_customer(uuid.uuid4(), "Acme", "billing@example.com")
        assert customer.startswith("cus_")
        took = await gateway.send_meter_event(
            metric="events_published",
            customer_id=customer,
            value=42,
            identifier="tdg_x_1",
            timestamp=1_700_000_000,
        )
        assert took is True
    finally:
        await _close_gateways()


async def test_the_reporter_against_stripe_mock(db_url: str, stripe_mock: str) -> None:
    db = Database.connect(db_url, pool_size=2)
    try:
        tenant_id = await _tenant(db, "cus_mock")
        await _usage(db, tenant_id, "connection_seconds", TODAY, 600)
        assert await UsageReporter(db, make_gateway(stripe_mock)).report_once() >= 1
        async with db.session() as session:
            unsent = await session.scalar(
                sa.select(sa.func.count()).where(
                    UsageReport.tenant_id == tenant_id, UsageReport.sent_at.is_(None)
                )
            )
        assert unsent == 0
    finally:
        await _close_gateways()
        await db.close()


def test_checkout_and_portal_links(billing: Billing) -> None:
    tenant = billing.tenant()
    billing.put_plan("pro", stripe_price_ids=["price_pro_events", "price_pro_deliveries"])
    checkout = billing.http.post(
        f"/v1/tenants/{tenant.id}/billing/checkout",
        json={
            "plan": "pro",
            "success_url": "https://app.example.com/ok",
            "cancel_url": "https://app.example.com/no",
        },
        headers=tenant.user,
    )
    assert checkout.status_code == 200, checkout.text
    assert checkout.json()["url"].startswith("http")
    portal = billing.http.post(
        f"/v1/tenants/{tenant.id}/billing/portal",
        json={"return_url": "https://app.example.com/"},
        headers=tenant.user,
    )
    assert portal.status_code == 200, portal.text
    state = billing.http.get(f"/v1/tenants/{tenant.id}/billing", headers=tenant.user).json()
    assert state["has_stripe_customer"] is True
    no_price = billing.http.post(
        f"/v1/tenants/{tenant.id}/billing/checkout",
        json={"plan": "free", "success_url": "https://a.example/ok", "cancel_url": "https://a.example/no"},
        headers=tenant.user,
    )
    assert no_price.status_code == 409
    assert no_price.json()["code"] == "billing_not_configured"


def test_billing_links_need_the_owner_or_billing_role(billing: Billing) -> None:
    tenant = billing.tenant()
    other = billing.tenant()
    response = billing.http.post(
        f"/v1/tenants/{tenant.id}/billing/portal",
        json={"return_url": "https://app.example.com/"},
        headers=other.user,
    )
    assert response.status_code == 403
