"""Metrics moved by their real code paths, read from `/metrics` of a live server: rate-limit
refusals, durable redeliveries, dead-letter routing, and the broker gauges (JetStream up,
durable backlog, dead-letter depth) sampled by the background collector.

The module runs its own nats-server, so the broker-wide gauges see only this module's streams and
can be asserted exactly.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import websockets
from nats.js.api import AckPolicy, ConsumerConfig
from prometheus_client.parser import text_string_to_metric_families

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Client, FrameValidator
from tidings_server.testing.realtime import new_project as new_realtime_project
from tidings_server.testing.waiting import eventually as _eventually

# Fast samples so a test waits a fraction of a second for the collector, not the default 15 s.
SAMPLE_INTERVAL = 0.1
_seq = itertools.count()


@pytest.fixture(scope="module")
def nats_server(services_root: Path) -> Iterator[EmbeddedNats]:
    """This module's own nats-server (the session's one holds other modules' streams)."""
    server = EmbeddedNats(services_root / f"nats-metrics-{next(_seq)}")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    from tidings_server.testing import plugin

    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    # A tenant limit a test can exceed with a few dozen requests, above what the other tests spend.
    return base.model_copy(
        update={"broker_metrics_interval": SAMPLE_INTERVAL, "tenant_rate": 1.0, "tenant_burst": 30}
    )


@dataclass
class Project:
    http: httpx.Client
    id: str
    key: str
    user_headers: dict[str, str]
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", self.headers)
        return self.http.request(method, f"/v1/projects/{self.id}{path}", **kwargs)

    def publish(self, *topics: str) -> None:
        events = [{"topic": topic, "data": i} for i, topic in enumerate(topics)]
        response = self.call("POST", "/events/batch", json={"events": events})
        assert response.status_code == 201, response.text

    def subscribe(self, name: str, topic: str, **options: int) -> None:
        response = self.call("POST", "/subscriptions", json={"name": name, "topic": topic, **options})
        assert response.status_code == 201, response.text

    def pull(self, name: str, **body: int) -> list[dict[str, Any]]:
        response = self.call("POST", f"/subscriptions/{name}/pull", json=body)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def ack(self, name: str, deliveries: list[dict[str, Any]]) -> None:
        tokens = [d["ack_token"] for d in deliveries]
        response = self.call("POST", f"/subscriptions/{name}/ack", json={"ack_tokens": tokens})
        assert response.status_code == 204, response.text


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def new_project(http: httpx.Client, **key_options: Any) -> Project:
    """A new tenant (sign-up) with one project and an all-scopes API key."""
    n = next(_seq)
    email = f"obs{n}@example.com"
    signup = http.post(
        "/v1/auth/signup",
        json={
            "email": email,
            "password": f"password-{n}-long-enough",
            "name": f"Obs {n}",
            "tenant": {"slug": f"obs-t{n}", "name": "T"},
        },
    )
    assert signup.status_code == 201, signup.text
    auth = {"authorization": f"Bearer {signup.json()['access_token']}"}
    tenant_id = http.get("/v1/me", headers=auth).json()["memberships"][0]["tenant_id"]
    project = http.post(f"/v1/tenants/{tenant_id}/projects", json={"slug": "pr", "name": "P"}, headers=auth)
    assert project.status_code == 201, project.text
    scopes = {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]}
    key = http.post(
        f"/v1/projects/{project.json()['id']}/keys",
        json={"name": "k", "scopes": scopes, **key_options},
        headers=auth,
    )
    assert key.status_code == 201, key.text
    return Project(http, project.json()["id"], key.json()["key"], auth, email)


def summed(exposition: httpx.Response, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when none is exposed yet)."""
    assert exposition.status_code == 200
    wanted = set(labels.items())
    return sum(
        float(sample.value)
        for family in text_string_to_metric_families(exposition.text)
        for sample in family.samples
        if sample.name == name and wanted <= set(sample.labels.items())
    )


def value(http: httpx.Client, name: str, **labels: str) -> float:
    return summed(http.get("/metrics"), name, **labels)


def eventually(read: Callable[[], Any], expected: Any, **options: Any) -> None:
    """Wait until `read()` returns `expected` (the collector samples every SAMPLE_INTERVAL)."""
    _eventually(read, expected, interval=SAMPLE_INTERVAL, **options)


def backlog(http: httpx.Client) -> tuple[float, float]:
    return (
        value(http, "tidings_durable_consumer_pending_messages"),
        value(http, "tidings_durable_consumer_max_pending_messages"),
    )


def settle() -> None:
    """Let the collector take a few samples after a change that must NOT move a gauge."""
    time.sleep(SAMPLE_INTERVAL * 5)


# ---- rate limits ------------------------------------------------------------------------------------
def test_refusals_by_an_api_keys_limit_are_counted_under_scope_key(http: httpx.Client) -> None:
    p = new_project(http, rate_limit={"per_second": 0.1, "burst": 3})
    before = value(http, "tidings_rate_limit_rejections_total", scope="key")
    statuses = [http.get("/v1/whoami", headers=p.headers).status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses.count(429) >= 2
    after = value(http, "tidings_rate_limit_rejections_total", scope="key")
    assert after - before == statuses.count(429)


def test_refusals_by_the_tenants_limit_are_counted_under_scope_tenant_without_its_id(
    http: httpx.Client,
) -> None:
    p = new_project(http)  # the key's own limit (200 at once) is far above the tenant's 30
    before = value(http, "tidings_rate_limit_rejections_total", scope="tenant")
    statuses = [http.get("/v1/whoami", headers=p.headers).status_code for _ in range(45)]
    assert statuses.count(429) >= 1
    after = value(http, "tidings_rate_limit_rejections_total", scope="tenant")
    assert after - before == statuses.count(429)
    # Tenant labels are off by default: the tenant's id is nowhere in the exposition.
    tenant_id = http.get("/v1/me", headers=p.user_headers).json()["memberships"][0]["tenant_id"]
    assert tenant_id not in http.get("/metrics").text


def test_throttled_logins_are_counted_under_scope_login(http: httpx.Client) -> None:
    p = new_project(http)
    before = value(http, "tidings_rate_limit_rejections_total", scope="login")
    statuses = [
        http.post("/v1/auth/login", json={"email": p.email, "password": f"guess-{i}"}).status_code
        for i in range(13)
    ]
    assert statuses[:10] == [401] * 10
    # Password hashing is slow on a loaded machine: a cell may refill before the last tries.
    assert statuses.count(429) >= 1
    assert value(http, "tidings_rate_limit_rejections_total", scope="login") - before == statuses.count(429)


# ---- durable subscriptions ----------------------------------------------------------------------------
def test_consumer_lag_counts_undelivered_and_unacked_events(http: httpx.Client) -> None:
    eventually(lambda: value(http, "tidings_jetstream_up"), 1.0)
    eventually(lambda: backlog(http), (0.0, 0.0))
    p = new_project(http)
    p.subscribe("big", "a.>", ack_wait_seconds=60)
    p.subscribe("small", "b.>", ack_wait_seconds=60)
    p.publish(*["a.x"] * 5, *["b.x"] * 2, "c.x")  # c.x matches neither subscription
    eventually(lambda: backlog(http), (7.0, 5.0))
    # Delivered but not acked is still a backlog.
    pulled = p.pull("big", max_events=2, wait_ms=2000)
    assert len(pulled) == 2
    settle()
    assert backlog(http) == (7.0, 5.0)
    p.ack("big", pulled)
    eventually(lambda: backlog(http), (5.0, 3.0))
    for name in ("big", "small"):
        assert p.call("DELETE", f"/subscriptions/{name}").status_code == 204
    eventually(lambda: backlog(http), (0.0, 0.0))


async def test_a_replays_leftover_consumer_is_not_lag(http: httpx.Client, nats_server: EmbeddedNats) -> None:
    """A node that dies mid-replay leaves the read's consumer behind until its inactivity timeout;
    its unread events are nobody's backlog."""
    p = new_project(http)
    p.publish(*["t"] * 4)
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        # What JetStreamBroker.read creates: an ephemeral consumer without acks.
        stream = f"EV_{uuid.UUID(p.id).hex}"
        leftover = await js.add_consumer(
            stream, ConsumerConfig(ack_policy=AckPolicy.NONE, mem_storage=True, inactive_threshold=60)
        )
        assert leftover.num_pending == 4
        # Sampled with the leftover there: still no backlog.
        await asyncio.sleep(SAMPLE_INTERVAL * 5)
        assert backlog(http) == (0.0, 0.0)
        await js.delete_consumer(stream, leftover.name)
    finally:
        await nc.close()


def test_an_event_pulled_again_after_no_ack_is_a_redelivery(http: httpx.Client) -> None:
    p = new_project(http)
    p.subscribe("worker", ">", ack_wait_seconds=1)
    p.publish("jobs.a")
    before = value(http, "tidings_durable_redeliveries_total")
    first = p.pull("worker", wait_ms=2000)
    assert [d["deliveries"] for d in first] == [1]
    assert value(http, "tidings_durable_redeliveries_total") == before
    again = p.pull("worker", wait_ms=5000)
    assert [d["deliveries"] for d in again] == [2]
    assert value(http, "tidings_durable_redeliveries_total") - before == 1
    p.ack("worker", again)
    assert p.call("DELETE", "/subscriptions/worker").status_code == 204


async def test_a_websocket_durable_redelivery_is_counted_too(server: LiveServer) -> None:
    """The gateway's durable path pulls through the same DurableSubscriptions.pull."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:

        async def redeliveries() -> float:
            return summed(await http.get("/metrics"), "tidings_durable_redeliveries_total")

        p = await new_realtime_project(server, http)
        created = await http.post(
            f"/v1/projects/{p.id}/subscriptions",
            json={"name": "jobs", "topic": "jobs.>", "ack_wait_seconds": 1},
            headers=p.headers,
        )
        assert created.status_code == 201, created.text
        ws = await websockets.connect(p.ws_url, additional_headers=p.headers, max_size=None)
        try:
            client = Client(ws, FrameValidator())
            await client.expect("welcome")
            await client.subscribe("jobs.>", durable="jobs")
            before = await redeliveries()
            await p.publish("jobs.a", 1)
            (first,) = await client.events(1)
            assert await redeliveries() == before
            (again,) = await client.events(1, timeout=15)  # not acked: back after ack_wait
            assert again["cursor"] == first["cursor"]
            assert await redeliveries() > before
            await client.send({"type": "ack", "durable": "jobs", "cursor": again["cursor"]})
        finally:
            await ws.close()


def test_dead_letters_are_counted_when_routed_and_in_the_depth_gauge(http: httpx.Client) -> None:
    p = new_project(http)
    eventually(lambda: value(http, "tidings_dlq_messages"), 0.0)
    routed_before = value(http, "tidings_dlq_routed_total")
    p.subscribe("dl", ">", ack_wait_seconds=1, max_deliveries=1)
    p.publish("jobs.a", "jobs.b")
    assert len(p.pull("dl", max_events=10, wait_ms=2000)) == 2
    letters: list[Any] = []
    deadline = time.monotonic() + 30
    while len(letters) < 2 and time.monotonic() < deadline:
        p.pull("dl", wait_ms=500)  # the advisory fires when JetStream next tries to deliver
        letters = p.call("GET", "/dead-letters").json()["items"]
    assert len(letters) == 2
    # The router counts right after the dead-letter stream's ack, which a listing may see first.
    eventually(lambda: value(http, "tidings_dlq_routed_total") - routed_before, 2.0)
    eventually(lambda: value(http, "tidings_dlq_messages"), 2.0)
    assert p.call("DELETE", "/dead-letters").json() == {"purged": 2}
    eventually(lambda: value(http, "tidings_dlq_messages"), 0.0)
    assert p.call("DELETE", "/subscriptions/dl").status_code == 204


# ---- JetStream availability (last: it restarts this module's nats-server) ----------------------
def test_jetstream_up_follows_the_nats_server(http: httpx.Client, nats_server: EmbeddedNats) -> None:
    eventually(lambda: value(http, "tidings_jetstream_up"), 1.0)
    nats_server.stop()
    try:
        eventually(lambda: value(http, "tidings_jetstream_up"), 0.0)
    finally:
        nats_server.start()
    eventually(lambda: value(http, "tidings_jetstream_up"), 1.0, timeout=30)
