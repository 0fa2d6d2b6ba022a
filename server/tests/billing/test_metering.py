"""Seed property 19 (usage tracking accuracy): the meter, its ledger flushes, the usage API."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.billing.metering import COUNTERS, Meter
from tidings_server.billing.sweeper import Sweeper
from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import project_stream
from tidings_server.embedded import EmbeddedNats
from tidings_server.store.db import Database
from tidings_server.store.models import UsageDaily
from tidings_server.testing.waiting import aeventually, eventually

from .conftest import Billing

TENANTS = [uuid.UUID(int=i) for i in range(1, 4)]
PROJECTS = [uuid.UUID(int=100 + i) for i in range(2)]

op = st.one_of(
    st.tuples(
        st.just("record"),
        st.sampled_from(TENANTS),
        st.sampled_from(PROJECTS),
        st.sampled_from(COUNTERS),
        st.integers(1, 50),
    ),
    st.tuples(
        st.just("peak"),
        st.sampled_from(TENANTS),
        st.sampled_from(PROJECTS),
        st.just("peak_connections"),
        st.integers(0, 500),
    ),
    st.tuples(st.just("flush"), st.none(), st.none(), st.none(), st.none()),
    # The commit succeeds but its answer is lost: the same batch is written again.
    st.tuples(st.just("flush_twice"), st.none(), st.none(), st.none(), st.none()),
    # PostgreSQL refuses one flush: the batch is kept and retried.
    st.tuples(st.just("flush_fails"), st.none(), st.none(), st.none(), st.none()),
)


async def _ledger(db: Database, tenants: list[uuid.UUID]) -> dict[tuple[uuid.UUID, uuid.UUID, str], int]:
    async with db.session() as session:
        rows = await session.execute(
            sa.select(
                UsageDaily.tenant_id, UsageDaily.project_id, UsageDaily.metric, UsageDaily.quantity
            ).where(UsageDaily.tenant_id.in_(tenants))
        )
        return {(t, p, m): q for t, p, m, q in rows.all()}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, max_size=40))
def test_property_19_usage_tracking_accuracy(database_url_sync: str, ops: list[tuple[Any, ...]]) -> None:
    """Whatever usage is recorded, however flushes interleave, repeat after a lost answer, or
    fail and are retried, the ledger ends up holding exactly the sums (and maxima) recorded:
    never more, never less."""

    async def scenario() -> None:
        db = Database.connect(database_url_sync, pool_size=2)
        # Fresh tenant ids per example: examples share the database.
        remap = {t: uuid.uuid4() for t in TENANTS}
        meter = Meter(db, flush_interval=3600)
        expected: Counter[tuple[uuid.UUID, uuid.UUID, str]] = Counter()
        peaks: dict[tuple[uuid.UUID, uuid.UUID, str], int] = {}
        try:
            for kind, tenant, project, metric, n in ops:
                if kind == "record":
                    meter.record(remap[tenant], project, metric, n)
                    expected[(remap[tenant], project, metric)] += n
                elif kind == "peak":
                    meter.observe_max(remap[tenant], project, metric, n)
                    key = (remap[tenant], project, metric)
                    peaks[key] = max(peaks.get(key, n), n)
                elif kind == "flush":
                    await meter.flush()
                elif kind == "flush_twice":
                    if meter._counts or meter._maxima or meter._batch:
                        await meter.flush()
                        # Replay the batch just applied, as a retry after a lost commit answer.
                        batch = meter._last_batch
                        assert batch is not None
                        await meter._write(batch)
                else:
                    original = meter._write

                    async def broken(batch: Any) -> None:
                        raise ConnectionError("PostgreSQL went away")

                    meter._write = broken  # type: ignore[method-assign]
                    if meter._counts or meter._maxima or meter._batch:
                        with pytest.raises(ConnectionError):
                            await meter.flush()
                    meter._write = original  # type: ignore[method-assign]
            await meter.stop()  # a clean stop flushes what is left
            ledger = await _ledger(db, list(remap.values()))
            assert ledger == {**dict(expected), **peaks}
        finally:
            await db.close()

    asyncio.run(scenario())


async def test_a_crash_loses_at_most_what_was_not_flushed(db: Database) -> None:
    tenant, project = uuid.uuid4(), uuid.uuid4()
    meter = Meter(db, flush_interval=3600)
    meter.record(tenant, project, "events_published", 5)
    await meter.flush()
    meter.record(tenant, project, "events_published", 3)
    # The process dies here (no stop, no flush): the 3 are lost, the 5 are not.
    other = Meter(db, flush_interval=3600)
    await other.flush()
    assert await _ledger(db, [tenant]) == {(tenant, project, "events_published"): 5}


async def test_the_flush_loop_runs_every_interval(db: Database) -> None:
    tenant, project = uuid.uuid4(), uuid.uuid4()
    meter = Meter(db, flush_interval=0.05)
    meter.start()
    try:
        meter.record(tenant, project, "api_calls", 2)
        await aeventually(lambda: _ledger(db, [tenant]), {(tenant, project, "api_calls"): 2})
    finally:
        await meter.stop()


def test_the_usage_api_counts_publishes_and_api_calls(billing: Billing) -> None:
    tenant = billing.tenant()
    for _ in range(3):
        assert tenant.publish().status_code == 201
    assert tenant.publish_batch(4).status_code == 201
    expected_events = 7

    def usage() -> dict[str, Any]:
        response = billing.http.get(f"/v1/projects/{tenant.project_id}/usage", headers=tenant.user)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    body = eventually(usage, until=lambda b: b["totals"].get("events_published") == expected_events)
    today = datetime.now(UTC).date().isoformat()
    assert body["totals"]["events_published"] == expected_events
    assert body["totals"]["api_calls"] >= 4  # the publishes (and the key-authenticated reads)
    assert body["days"][-1]["day"] == today
    assert body["project_id"] == tenant.project_id
    tenant_usage = billing.http.get(f"/v1/tenants/{tenant.id}/usage", headers=tenant.user).json()
    assert tenant_usage["totals"]["events_published"] == expected_events
    assert tenant_usage["month"]["totals"]["events_published"] == expected_events

    as_json = billing.http.get(f"/v1/tenants/{tenant.id}/usage/export", headers=tenant.user)
    assert as_json.status_code == 200
    assert {"metric": "events_published", "quantity": 7, "kind": "sum"}.items() <= next(
        r for r in as_json.json()["rows"] if r["metric"] == "events_published"
    ).items()
    export = billing.http.get(
        f"/v1/tenants/{tenant.id}/usage/export", headers={**tenant.user, "accept": "text/csv"}
    )
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    published = [r for r in rows if r["metric"] == "events_published"]
    assert published == [
        {
            "day": today,
            "project_id": tenant.project_id,
            "metric": "events_published",
            "quantity": "7",
            "kind": "sum",
        }
    ]


def test_usage_is_read_within_the_tenant_only(billing: Billing) -> None:
    mine, theirs = billing.tenant(), billing.tenant()
    for path in (
        f"/v1/tenants/{theirs.id}/usage",
        f"/v1/tenants/{theirs.id}/usage/export",
        f"/v1/tenants/{theirs.id}/billing",
    ):
        assert billing.http.get(path, headers=mine.user).status_code == 403
    assert billing.http.get(f"/v1/projects/{theirs.project_id}/usage", headers=mine.user).status_code == 403
    assert (
        billing.http.get(
            f"/v1/projects/{theirs.project_id}/usage", headers={"authorization": f"Bearer {mine.key}"}
        ).status_code
        == 403
    )


def test_a_bad_usage_range_is_refused(billing: Billing) -> None:
    tenant = billing.tenant()
    response = billing.http.get(
        f"/v1/tenants/{tenant.id}/usage",
        params={"start": "2026-05-02", "end": "2026-05-01"},
        headers=tenant.user,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_usage_range"
    not_a_day = billing.http.get(
        f"/v1/tenants/{tenant.id}/usage", params={"start": "2026-13-45"}, headers=tenant.user
    )
    assert not_a_day.status_code == 400
    empty = billing.http.get(f"/v1/tenants/{tenant.id}/usage", params={"start": ""}, headers=tenant.user)
    assert empty.status_code == 400


@pytest.fixture(scope="module")
def database_url_sync(billing: Billing) -> str:
    assert billing.settings.database_url is not None
    return billing.settings.database_url.get_secret_value()


async def test_retained_storage_is_sampled(billing: Billing, db: Database, nats_server: EmbeddedNats) -> None:
    tenant = await asyncio.to_thread(billing.tenant)
    assert (await asyncio.to_thread(tenant.publish, "s.t", {"blob": "x" * 500})).status_code == 201
    broker = await JetStreamBroker.connect([nats_server.url])
    meter = Meter(db, flush_interval=3600)
    sweeper = Sweeper(db, ControlBus(broker.nc), trial_days=14, grace_days=3)

    async def retained(project_id: uuid.UUID) -> int | None:
        state = await broker.stream_state(project_stream(project_id))
        return state.bytes if state is not None else None

    sweeper.storage = (retained, meter.observe_max)
    try:
        assert await sweeper.sample_storage() >= 1
        await meter.flush()
        ledger = await _ledger(db, [uuid.UUID(tenant.id)])
        assert ledger[(uuid.UUID(tenant.id), uuid.UUID(tenant.project_id), "storage_bytes")] > 500
    finally:
        await broker.close()
