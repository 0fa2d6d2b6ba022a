"""Subscriptions over WebSocket and SSE against the live gateway: delivery, order, resumption
from a cursor, refusals, terminal closes, and the fallback from WebSocket to SSE."""

from __future__ import annotations

import socket
from typing import Literal

import pytest
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Project

import tidings
from support.live import collect, publish_many

TRANSPORTS: list[Literal["websocket", "sse"]] = ["websocket", "sse"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_events_arrive_in_order_with_their_cursors(
    client: tidings.Client, project: Project, transport: Literal["websocket", "sse"]
) -> None:
    async with client.realtime(project.id, transport=transport) as rt:
        sub = await rt.subscribe("orders.*")
        published = await publish_many(client, project.id, "orders.created", 5)
        await client.publish_event(project.id, {"topic": "invoices.created", "data": "not matched"})
        last = await client.publish_event(project.id, {"topic": "orders.paid", "data": {"n": 5}})
        got = await collect(sub, 6)
    assert rt.transport == transport
    assert [e["data"] for e in got] == [{"n": i} for i in range(6)]
    assert [e["cursor"] for e in got] == [p["cursor"] for p in [*published, last]]
    assert all(e["type"] == "event" for e in got)
    assert sub.cursor == last["cursor"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_cursor_replays_what_followed_it_then_continues_live(
    client: tidings.Client, project: Project, transport: Literal["websocket", "sse"]
) -> None:
    before = await publish_many(client, project.id, "chat.room1", 8)
    async with client.realtime(project.id, transport=transport) as rt:
        sub = await rt.subscribe("chat.>", cursor=before[2]["cursor"])
        after = await publish_many(client, project.id, "chat.room1", 3, start=8)
        got = await collect(sub, 8)
    assert [e["data"] for e in got] == [{"n": i} for i in range(3, 11)]
    assert [e["cursor"] for e in got] == [p["cursor"] for p in before[3:] + after]


async def test_a_websocket_and_an_sse_subscriber_both_receive_an_event(
    client: tidings.Client, project: Project
) -> None:
    async with (
        client.realtime(project.id, transport="websocket") as ws,
        client.realtime(project.id, transport="sse") as sse,
    ):
        ws_sub = await ws.subscribe("orders.*")
        sse_sub = await sse.subscribe("orders.*")
        published = await publish_many(client, project.id, "orders.created", 3)
        # Both subscribers are live; a short bound keeps the known failure quick.
        got = {
            "websocket": await collect(ws_sub, 3, patience=5),
            "sse": await collect(sse_sub, 3, patience=5),
        }
    for events in got.values():
        assert [e["cursor"] for e in events] == [p["cursor"] for p in published]


async def test_a_refused_subscription_leaves_the_connection_and_the_others(
    client: tidings.Client, project: Project, live: LiveServer
) -> None:
    minted = await client.mint_token(
        project.id, {"user_id": "u1", "capabilities": {"subscribe": ["public.*"]}, "ttl_seconds": 600}
    )
    browser = tidings.Client(live.url, token=minted["token"], realtime_url=live.ws_url)
    async with browser, browser.realtime(project.id, transport="websocket") as rt:
        allowed = await rt.subscribe("public.*")
        with pytest.raises(tidings.SubscriptionError) as refused:
            await rt.subscribe("private.*")
        assert refused.value.code == "forbidden"
        await client.publish_event(project.id, {"topic": "public.news", "data": 1})
        got = await collect(allowed, 1)
    assert got[0]["data"] == 1


async def test_an_unknown_key_ends_the_websocket_for_good(project: Project, live: LiveServer) -> None:
    async with tidings.Client(live.url, api_key="tdg_live_unknown_key", realtime_url=live.ws_url) as bad:
        with pytest.raises(tidings.ConnectionTerminated) as ended:
            async with bad.realtime(project.id, transport="websocket"):
                pass
    assert ended.value.code == "unauthenticated"
    assert ended.value.close_code == 4401
    info = ended.value.error_info
    assert info is not None
    assert info.action == "terminal"


async def test_an_unknown_key_is_refused_over_sse(project: Project, live: LiveServer) -> None:
    bad = tidings.Client(live.url, api_key="tdg_live_unknown_key")
    async with bad, bad.realtime(project.id, transport="sse") as rt:
        with pytest.raises(tidings.AuthenticationError) as refused:
            await rt.subscribe("orders.*")
    assert refused.value.code == "unauthenticated"


async def test_auto_uses_the_websocket_when_it_connects(client: tidings.Client, project: Project) -> None:
    async with client.realtime(project.id) as rt:
        sub = await rt.subscribe("jobs.*")
        await publish_many(client, project.id, "jobs.a", 1)
        assert len(await collect(sub, 1)) == 1
    assert rt.transport == "websocket"
    assert rt.connection_id is not None


async def test_sse_carries_the_subscriptions_when_the_websocket_port_is_closed(
    project: Project, live: LiveServer
) -> None:
    closed_port = _closed_port()
    async with (
        tidings.Client(live.url, api_key=project.key, realtime_url=f"ws://127.0.0.1:{closed_port}") as sdk,
        sdk.realtime(project.id) as rt,
    ):
        assert rt.transport == "sse"
        sub = await rt.subscribe("orders.*")
        published = await publish_many(sdk, project.id, "orders.created", 3)
        got = await collect(sub, 3)
        with pytest.raises(tidings.RealtimeError, match="WebSocket"):
            await rt.subscribe("jobs.*", durable="workers")
    assert [e["cursor"] for e in got] == [p["cursor"] for p in published]


async def test_unsubscribing_ends_the_iteration(client: tidings.Client, project: Project) -> None:
    async with client.realtime(project.id, transport="websocket") as rt:
        sub = await rt.subscribe("orders.*")
        await publish_many(client, project.id, "orders.created", 2)
        got = await collect(sub, 2)
        await sub.unsubscribe()
        rest = [item async for item in sub]
        again = await rt.subscribe("orders.*")  # the pattern is free again
        await client.publish_event(project.id, {"topic": "orders.created", "data": "again"})
        assert (await collect(again, 1))[0]["data"] == "again"
    assert len(got) == 2
    assert rest == []


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
