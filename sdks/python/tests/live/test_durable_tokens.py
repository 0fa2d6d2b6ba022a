"""Durable subscriptions (acknowledged, redelivered) and credentials refreshed on a live
connection, against the live gateway."""

from __future__ import annotations

import asyncio
import time

import pytest
from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Project

import tidings
from support.live import collect, live_settings, numbers, publish_many
from tidings.realtime._tokens import jwt_expiry


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    """The server's default heartbeat: these tests assert that nothing reconnected, and a 1 s
    heartbeat on a loaded machine could make a slow tick look like a dead socket."""
    return live_settings(database_url, nats_server)


async def test_acknowledged_events_stay_done_and_the_others_come_back(
    client: tidings.Client, project: Project
) -> None:
    await client.create_subscription(
        project.id, {"name": "workers", "topic": "jobs.*", "ack_wait_seconds": 1, "max_deliveries": 5}
    )
    await publish_many(client, project.id, "jobs.resize", 4)
    async with client.realtime(project.id, transport="websocket") as rt:
        sub = await rt.subscribe("jobs.*", durable="workers")
        first = await collect(sub, 4)
        assert [e["data"] for e in first] == [{"n": n} for n in range(4)]
        assert {e.get("durable") for e in first} == {"workers"}
        await sub.ack(first[0])
        await rt.ack(first[2])
    # A new connection: only what was never acknowledged is delivered again.
    async with client.realtime(project.id, transport="websocket") as rt:
        sub = await rt.subscribe("jobs.*", durable="workers")
        again = await collect(sub, 2)
        assert sorted(numbers(again)) == [1, 3]
        for event in again:
            await sub.ack(event)
        await publish_many(client, project.id, "jobs.resize", 1, start=4)
        (fresh,) = await collect(sub, 1)
        assert fresh["data"] == {"n": 4}, "acknowledged events are not delivered again"
        await sub.ack(fresh)


async def test_ack_is_refused_for_a_plain_subscription_event(
    client: tidings.Client, project: Project
) -> None:
    async with client.realtime(project.id, transport="websocket") as rt:
        sub = await rt.subscribe("jobs.*")
        await publish_many(client, project.id, "jobs.resize", 1)
        (event,) = await collect(sub, 1)
        with pytest.raises(ValueError, match="durable"):
            await rt.ack(event)


async def test_an_unknown_durable_subscription_is_refused(client: tidings.Client, project: Project) -> None:
    async with client.realtime(project.id, transport="websocket") as rt:
        with pytest.raises(tidings.SubscriptionError) as refused:
            await rt.subscribe("jobs.*", durable="nobody")
    assert refused.value.code == "not_found"


@pytest.mark.slow
async def test_a_token_refreshed_before_it_expires_keeps_the_subscriptions(
    client: tidings.Client, project: Project, live: LiveServer
) -> None:
    """Client tokens live at least 30 s: the test waits past the first token's expiry, then
    checks that both connections still deliver without having reconnected."""
    minted: list[str] = []

    async def fresh_token() -> str:
        token = await client.mint_token(
            project.id,
            {"user_id": "device-7", "capabilities": {"subscribe": ["ticks.*"]}, "ttl_seconds": 30},
        )
        minted.append(token["token"])
        return token["token"]

    device = tidings.Client(live.url, token_provider=fresh_token, realtime_url=live.ws_url)
    async with (
        device,
        device.realtime(project.id, transport="websocket", token_refresh_before=25) as ws,
        device.realtime(project.id, transport="sse", token_refresh_before=25) as sse,
    ):
        # One topic each: the test is about credentials, not about two transports sharing
        # an event (see test_subscribe.py for that).
        ws_sub = await ws.subscribe("ticks.ws")
        sse_sub = await sse.subscribe("ticks.sse")
        connection = ws.connection_id
        expiry = jwt_expiry(minted[0])
        assert expiry is not None
        for topic in ("ticks.ws", "ticks.sse"):
            await publish_many(client, project.id, topic, 1)
        await asyncio.sleep(max(0.0, expiry - time.time()) + 1.5)
        for topic in ("ticks.ws", "ticks.sse"):
            await publish_many(client, project.id, topic, 1, start=1)
        for sub in (ws_sub, sse_sub):
            assert [e["data"] for e in await collect(sub, 2)] == [{"n": 0}, {"n": 1}]
    assert ws.token_refreshes >= 1, "`auth` was answered by `authed`"
    assert ws.reconnects == 0
    assert ws.connection_id == connection, "the same socket carried on"
    assert sse.token_refreshes >= 1, "the stream was reopened with a fresh token"
    assert sse.reconnects == 0
