"""Seed property 21 (hard limits), plans, and limits that hold across nodes."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.billing.metering import Meter
from tidings_server.billing.plans import Plans
from tidings_server.billing.quota import LEASE_CHUNK, QuotaLeases
from tidings_server.billing.sweeper import Sweeper
from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.embedded import EmbeddedNats
from tidings_server.store.db import Database
from tidings_server.store.models import UsageQuota
from tidings_server.testing.waiting import aeventually, eventually

from .conftest import Billing, run

SLOW = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SLOW
@given(limit=st.integers(0, 12), batches=st.lists(st.integers(1, 5), min_size=1, max_size=8))
def test_property_21_hard_limit_enforcement(billing: Billing, limit: int, batches: list[int]) -> None:
    """On a plan that blocks overage with a monthly allowance of `limit` events, publishes are
    accepted while they fit and refused with 403 `usage_limit_reached` once they do not: the
    events accepted never exceed the limit, a batch is accepted or refused whole, and a refusal
    happens only when the batch would not fit."""
    plan = f"lim-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, events_per_month=limit, overage="block", publish_rate=None, max_projects=None)
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    accepted = 0
    for n in batches:
        response = tenant.publish_batch(n)
        if accepted + n <= limit:
            assert response.status_code == 201, response.text
            accepted += n
        else:
            assert response.status_code == 403, response.text
            body = response.json()
            assert body["code"] == "usage_limit_reached"
            assert body["errors"][0]["pointer"] == "/events_per_month"
    stored = billing.http.get(
        f"/v1/projects/{tenant.project_id}/events",
        params={"limit": 1000},
        headers={"authorization": f"Bearer {tenant.key}"},
    ).json()["items"]
    assert len(stored) == accepted <= limit


def test_a_duplicate_publish_uses_none_of_the_allowance(billing: Billing) -> None:
    plan = f"dup-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, events_per_month=2, overage="block")
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    assert tenant.publish(**{"Idempotency-Key": "same"}).status_code == 201
    again = tenant.publish(**{"Idempotency-Key": "same"})
    assert again.status_code == 201
    assert again.json()["duplicate"] is True
    assert tenant.publish().status_code == 201
    assert tenant.publish().status_code == 403


def test_a_plan_that_bills_overage_keeps_serving(billing: Billing) -> None:
    plan = f"bill-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, events_per_month=1, overage="bill")
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    assert [tenant.publish().status_code for _ in range(3)] == [201, 201, 201]


def test_raising_the_limit_applies_at_once_on_every_node(billing: Billing) -> None:
    plan = f"raise-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, events_per_month=1, overage="block")
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    assert tenant.publish().status_code == 201
    assert tenant.publish().status_code == 403
    billing.put_plan(plan, events_per_month=3)
    assert [tenant.publish().status_code for _ in range(3)] == [201, 201, 403]


def test_the_plans_publish_rate(billing: Billing) -> None:
    plan = f"rate-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, publish_rate=0.01, publish_burst=3, events_per_month=None)
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    codes = [tenant.publish().status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = tenant.publish()
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    too_big = tenant.publish_batch(4)
    assert too_big.status_code == 429


def test_the_project_limit(billing: Billing) -> None:
    plan = f"proj-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, max_projects=2)
    tenant = billing.tenant()  # has one project
    billing.set_plan(tenant, plan)
    second = billing.http.post(
        f"/v1/tenants/{tenant.id}/projects", json={"slug": "two", "name": "2"}, headers=tenant.user
    )
    assert second.status_code == 201, second.text
    third = billing.http.post(
        f"/v1/tenants/{tenant.id}/projects", json={"slug": "three", "name": "3"}, headers=tenant.user
    )
    assert third.status_code == 403
    assert third.json()["code"] == "project_limit_reached"


def test_the_retention_ceiling(billing: Billing) -> None:
    tenant = billing.tenant()
    billing.set_plan(tenant, "free")  # one day
    policy = {"max_age_seconds": 2 * 86400, "max_events": 1000, "max_bytes": 1 << 20}
    over = billing.http.put(f"/v1/projects/{tenant.project_id}/retention", json=policy, headers=tenant.user)
    assert over.status_code == 422
    assert over.json()["code"] == "plan_bound_exceeded"
    policy["max_age_seconds"] = 86400
    ok = billing.http.put(f"/v1/projects/{tenant.project_id}/retention", json=policy, headers=tenant.user)
    assert ok.status_code == 200, ok.text


def test_plans_are_listed_and_only_operators_edit_them(billing: Billing) -> None:
    tenant = billing.tenant()
    listed = billing.http.get("/v1/plans", headers=tenant.user)
    assert listed.status_code == 200
    names = {p["name"] for p in listed.json()["items"]}
    assert {"free", "trial", "pro", "enterprise"} <= names
    refused = billing.http.put("/v1/plans/free", json={"events_per_month": 1}, headers=tenant.user)
    assert refused.status_code == 403
    assert (
        billing.http.put(
            f"/v1/tenants/{tenant.id}/plan", json={"plan": "pro"}, headers=tenant.user
        ).status_code
        == 403
    )
    unknown = billing.http.put(
        f"/v1/tenants/{tenant.id}/plan", json={"plan": "nope"}, headers=billing.operator
    )
    assert unknown.status_code == 404


def test_usage_shows_limits_and_soft_warnings(billing: Billing) -> None:
    plan = f"warn-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, events_per_month=10, warn_ratio=0.8, overage="block", max_projects=5)
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    assert tenant.publish_batch(8).status_code == 201

    def read_limits() -> dict[str, Any]:
        usage = billing.http.get(f"/v1/tenants/{tenant.id}/usage", headers=tenant.user)
        assert usage.status_code == 200, usage.text
        return {entry["limit"]: entry for entry in usage.json()["limits"]}

    limits = eventually(read_limits, until=lambda seen: seen["events_per_month"]["used"] == 8)
    events = limits["events_per_month"]
    assert (events["used"], events["max"], events["warning"], events["reached"]) == (8, 10, True, False)
    assert limits["max_projects"]["used"] == 1


async def test_connection_limit_follows_the_plan(billing: Billing, db: Database) -> None:
    """The gateway's hook: `connection_limit` is the plan's peak connections (None: unlimited),
    and follows a plan change at once (the control bus drops the cache)."""
    plans = Plans(db)
    tenant = await asyncio.to_thread(billing.tenant)
    tenant_id = uuid.UUID(tenant.id)
    assert await plans.connection_limit(tenant_id) == 200  # trial
    await asyncio.to_thread(billing.set_plan, tenant, "enterprise")
    plans.forget_all_now()  # this instance is not on the control bus; the server's are
    assert await plans.connection_limit(tenant_id) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.integers(0, 3 * LEASE_CHUNK),
    requests=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 400)), min_size=1, max_size=30),
    seed=st.integers(0, 2**16),
)
def test_allowances_hold_across_nodes(
    settings_db_url: str, limit: int, requests: list[tuple[int, int]], seed: int
) -> None:
    """Three nodes (each its own lease cache) taking units of one tenant's allowance
    concurrently: the units admitted never exceed the limit, and none is granted twice."""

    async def scenario() -> None:
        db = Database.connect(settings_db_url, pool_size=4)
        try:
            nodes = [QuotaLeases(db) for _ in range(3)]
            tenant, period = uuid.uuid4(), date(2026, 11, 1)
            rng = random.Random(seed)
            admitted = 0

            async def one(node: int, n: int) -> None:
                nonlocal admitted
                await asyncio.sleep(rng.random() / 1000)
                if await nodes[node].take(tenant, "events_published", period, n, limit):
                    admitted += n

            await asyncio.gather(*(one(node, n) for node, n in requests))
            async with db.session() as session:
                granted = await session.scalar(
                    sa.select(UsageQuota.granted).where(UsageQuota.tenant_id == tenant)
                )
            assert admitted <= limit
            assert granted is not None
            assert admitted <= granted <= limit
            # What is left unspent sits in the nodes' leases: granted = admitted + leftovers.
            leftovers = sum(sum(node._local.values()) for node in nodes)
            assert granted == admitted + leftovers
            if sum(n for _, n in requests) <= limit:
                assert admitted == sum(n for _, n in requests)
        finally:
            await db.close()

    asyncio.run(scenario())


@pytest.fixture(scope="module")
def settings_db_url(billing: Billing) -> str:
    assert billing.settings.database_url is not None
    return billing.settings.database_url.get_secret_value()


async def _near_limit_events(sweeper: Sweeper) -> int:
    return (await sweeper.sample_near_limit(datetime.now(UTC)))["events_per_month"]


async def test_tenants_near_a_limit_are_counted(
    billing: Billing, db: Database, nats_server: EmbeddedNats
) -> None:
    plan = f"near-{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(billing.put_plan, plan, events_per_month=10, warn_ratio=0.5, overage="block")
    tenant = await asyncio.to_thread(billing.tenant)
    await asyncio.to_thread(billing.set_plan, tenant, plan)
    broker = await JetStreamBroker.connect([nats_server.url])
    sweeper = Sweeper(db, ControlBus(broker.nc), trial_days=14, grace_days=3)
    try:
        before = await sweeper.sample_near_limit(datetime.now(UTC))
        assert (await asyncio.to_thread(tenant.publish_batch, 6)).status_code == 201
        await aeventually(lambda: _near_limit_events(sweeper), before["events_per_month"] + 1, interval=0.1)
    finally:
        await broker.close()


def test_the_monthly_delivery_allowance(billing: Billing) -> None:
    """Deliveries are counted by the gateway; once the month's ledger holds the plan's
    allowance, a plan that blocks overage refuses publishes (nothing more would be delivered)."""
    plan = f"deliv-{uuid.uuid4().hex[:8]}"
    billing.put_plan(plan, deliveries_per_month=100, overage="block")
    tenant = billing.tenant()
    billing.set_plan(tenant, plan)
    assert tenant.publish().status_code == 201

    async def delivered(db: Database) -> None:
        meter = Meter(db, flush_interval=3600)
        meter.record(uuid.UUID(tenant.id), uuid.UUID(tenant.project_id), "messages_delivered", 100)
        await meter.flush()

    run(delivered, billing.settings)
    refused = eventually(tenant.publish, until=lambda answer: answer.status_code == 403, interval=0.1)
    assert refused.json()["code"] == "usage_limit_reached"
    assert refused.json()["errors"][0]["pointer"] == "/deliveries_per_month"
