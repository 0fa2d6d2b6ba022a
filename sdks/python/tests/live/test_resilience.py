"""Realtime delivery through failures: a server restart mid-stream, a socket that goes silent,
and events removed by retention before a subscription could read them.

The subscriber reaches its server through `TcpProxy`s (one for the REST/SSE port, one for the
gateway port), so the server behind them can be replaced or the path cut while the client keeps
one address. Events are published through the module's other server: a second node of the same
cluster, which keeps accepting them while the subscriber's node is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Literal

import pytest
from tidings_server.config import Settings
from tidings_server.testing.live import LiveServer
from tidings_server.testing.realtime import Project

import tidings
from support.live import FAST_RETRY, PATIENCE, collect, next_items, numbers, publish_many
from support.proxy import TcpProxy
from tidings.realtime import EventFrame, Subscription

TRANSPORTS: list[Literal["websocket", "sse"]] = ["websocket", "sse"]


async def _start(settings: Settings) -> LiveServer:
    server = LiveServer(settings)
    await asyncio.to_thread(server.start)
    return server


@pytest.fixture
async def node(settings: Settings) -> AsyncIterator[list[LiveServer]]:
    """Servers this test starts (the last one is the running one); all stopped at the end."""
    servers = [await _start(settings)]
    yield servers
    for server in servers:
        await asyncio.to_thread(server.stop)


class Reader:
    """Reads a subscription into `events` in the background."""

    def __init__(self, sub: Subscription) -> None:
        self.events: list[EventFrame] = []
        self.resets = 0
        self.arrived = asyncio.Event()
        self._task = asyncio.create_task(self._read(sub))

    async def _read(self, sub: Subscription) -> None:
        async for item in sub:
            if item["type"] == "reset":
                self.resets += 1
            else:
                self.events.append(item)
            self.arrived.set()

    async def until(self, count: int) -> None:
        async with asyncio.timeout(PATIENCE):
            while len(self.events) < count:
                self.arrived.clear()
                await self.arrived.wait()

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_server_restart_mid_stream_loses_and_duplicates_nothing(
    settings: Settings,
    node: list[LiveServer],
    project: Project,
    client: tidings.Client,
    transport: Literal["websocket", "sse"],
) -> None:
    http = await TcpProxy(node[0].port).start()
    gateway = await TcpProxy(node[0].ws_port).start()
    subscriber = tidings.Client(
        http.url(), api_key=project.key, realtime_url=gateway.url("ws"), retry=FAST_RETRY
    )
    try:
        async with subscriber, subscriber.realtime(project.id, transport=transport) as rt:
            reader = Reader(await rt.subscribe("ticks.*"))
            await publish_many(client, project.id, "ticks.a", 30)
            await reader.until(10)  # mid-stream: delivery is under way
            # The node stops (telling its clients `going_away`) while publishing goes on elsewhere.
            stopping = asyncio.create_task(asyncio.to_thread(node[0].stop))
            await publish_many(client, project.id, "ticks.a", 30, start=30)
            await stopping
            replacement = await _start(settings)
            node.append(replacement)
            # Published while nothing serves the subscriber: only a resume from its cursor has them.
            await publish_many(client, project.id, "ticks.a", 30, start=60)
            http.retarget(replacement.port)
            gateway.retarget(replacement.ws_port)
            await publish_many(client, project.id, "ticks.a", 10, start=90)
            await reader.until(100)
            await reader.stop()
    finally:
        await http.close()
        await gateway.close()
    assert numbers(reader.events) == list(range(100)), "every event once, in order"
    assert reader.resets == 0
    assert rt.reconnects >= 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_silent_socket_is_replaced_and_nothing_is_lost(
    live: LiveServer, project: Project, client: tidings.Client, transport: Literal["websocket", "sse"]
) -> None:
    path = await TcpProxy(live.ws_port if transport == "websocket" else live.port).start()
    base, ws = (live.url, path.url("ws")) if transport == "websocket" else (path.url(), live.ws_url)
    subscriber = tidings.Client(base, api_key=project.key, realtime_url=ws, retry=FAST_RETRY)
    # WebSocket: twice the server's `heartbeat_ms` (1 s here). SSE has no announced interval: the
    # server's comment heartbeats come every second, so 3 s of silence is a dead stream.
    timeout = None if transport == "websocket" else 3.0
    try:
        async with (
            subscriber,
            subscriber.realtime(project.id, transport=transport, heartbeat_timeout=timeout) as rt,
        ):
            sub = await rt.subscribe("ticks.*")
            await publish_many(client, project.id, "ticks.a", 5)
            first = await collect(sub, 5)
            path.blackhole()  # no FIN, no RST: only the silence tells
            await publish_many(client, project.id, "ticks.a", 5, start=5)
            rest = await collect(sub, 5)
    finally:
        await path.close()
    assert [e["data"] for e in first + rest] == [{"n": n} for n in range(10)]
    assert rt.reconnects >= 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_events_removed_by_retention_are_announced_by_a_reset(
    client: tidings.Client, project: Project, transport: Literal["websocket", "sse"]
) -> None:
    published = await publish_many(client, project.id, "ticks.a", 6)
    await client.put_retention(
        project.id, {"max_age_seconds": 86_400, "max_events": 3, "max_bytes": 1_048_576}
    )
    with pytest.raises(tidings.APIStatusError) as expired:
        _ = [e async for e in client.replay(project.id, after=published[0]["cursor"])]
    assert expired.value.code == "cursor_expired"
    async with client.realtime(project.id, transport=transport) as rt:
        sub = await rt.subscribe("ticks.*", cursor=published[0]["cursor"])
        items = await next_items(sub, 4)
    reset = items[0]
    assert reset["type"] == "reset"
    assert reset["reason"] == "expired"
    assert [i["data"] for i in items[1:] if i["type"] == "event"] == [{"n": 3}, {"n": 4}, {"n": 5}]
