"""Connection limits (property 8), suspension (property 10), slow consumers and graceful drain,
with small limits so they are reached quickly."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import httpx
import nats
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tidings_server.broker.control import ControlBus
from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.identity.suspension import announce_suspension
from tidings_server.observability.metrics import SLOW_CONSUMER_DISCONNECTS
from tidings_server.realtime import gateway as gateway_mod
from tidings_server.store.db import Database
from tidings_server.store.models import Tenant
from tidings_server.testing import plugin
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.realtime import Client, FrameValidator, new_project
from tidings_server.testing.waiting import aeventually

LIMIT = 3
SSE_LIMIT = 2
COUNT = 150  # 150 events of 30 KB: more than loopback socket buffers absorb


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    return base.model_copy(
        update={
            "max_connections_per_tenant": LIMIT,
            "max_sse_per_tenant": SSE_LIMIT,
            "send_queue_bytes": 16_384,
            "connection_count_interval": 0.2,
            "drain_seconds": 2.0,
            "usage_flush_interval": 0.5,
        }
    )


@hsettings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.integers(min_value=1, max_value=6))
def test_property_08_a_tenant_holds_at_most_its_limit_of_connections(
    server: LiveServer, frames: FrameValidator, attempts: int
) -> None:
    async def run() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            project = await new_project(server, http)
            accepted: list[Client] = []
            refused: list[int | None] = []
            import websockets

            for _ in range(attempts):
                ws = await websockets.connect(project.ws_url, additional_headers=project.headers)
                client = Client(ws, frames)
                first = await client.recv()
                if first["type"] == "welcome":
                    accepted.append(client)
                else:
                    assert first["code"] == "connection_limit"
                    assert first["retry"] is True
                    refused.append((await client.closed())[0])
            assert len(accepted) == min(attempts, LIMIT)
            assert refused == [4430] * max(0, attempts - LIMIT)
            for client in accepted:
                await client.ws.close()

    asyncio.run(run())


async def test_sse_streams_have_their_own_limit(server: LiveServer, http: httpx.AsyncClient) -> None:
    project = await new_project(server, http)
    url = f"/v1/projects/{project.id}/stream?topic=a"
    async with (
        http.stream("GET", url, headers=project.headers) as one,
        http.stream("GET", url, headers=project.headers) as two,
    ):
        assert one.status_code == two.status_code == 200
        third = await http.get(url, headers=project.headers)
        assert third.status_code == 429
        assert third.json()["code"] == "connection_limit"
        assert "retry-after" in third.headers


async def _set_status(settings: Settings, tenant_id: str, status: str, nats_url: str) -> None:
    assert settings.database_url is not None
    db = Database.connect(settings.database_url.get_secret_value(), pool_size=1)
    try:
        async with db.session() as session, session.begin():
            await session.execute(
                sa.update(Tenant).where(Tenant.id == uuid.UUID(tenant_id)).values(status=status)
            )
    finally:
        await db.close()
    nc = await nats.connect(nats_url)
    try:
        await announce_suspension(ControlBus(nc), uuid.UUID(tenant_id), suspended=status == "suspended")
    finally:
        await nc.close()


async def test_property_10_suspension_closes_every_connection_of_the_tenant_and_no_other(
    server: LiveServer, http: httpx.AsyncClient, connect: Any, settings: Settings, nats_server: EmbeddedNats
) -> None:
    victim = await new_project(server, http)
    bystander = await new_project(server, http)
    ws_clients = [await connect(victim.ws_url, victim.key) for _ in range(2)]
    other = await connect(bystander.ws_url, bystander.key)
    async with http.stream("GET", f"/v1/projects/{victim.id}/stream?topic=a", headers=victim.headers) as sse:
        lines = sse.aiter_lines()
        await _set_status(settings, victim.tenant_id, "suspended", nats_server.url)
        for client in ws_clients:
            code, error = await client.closed(timeout=1.0)
            assert code == 4423
            assert error is not None
            assert error["code"] == "tenant_suspended"
        seen = []
        async for line in lines:
            seen.append(line)
        assert "event: error" in seen
    await other.send({"type": "ping"})
    await other.expect("pong")
    # A suspended tenant cannot connect; once resumed it can.
    refused = await connect(victim.ws_url, victim.key, welcome=False)
    assert (await refused.closed())[0] == 4423
    await _set_status(settings, victim.tenant_id, "active", nats_server.url)
    await connect(victim.ws_url, victim.key)


def _subscriptions(project_id: str) -> int:
    """Subscriptions to the project on this process's gateways."""
    pid = uuid.UUID(project_id)
    return sum(g.hub.feeds[pid].count for g in list(gateway_mod._RUNNING) if pid in g.hub.feeds)


async def test_a_client_that_never_reads_is_closed_as_a_slow_consumer(
    server: LiveServer, http: httpx.AsyncClient, connect: Any
) -> None:
    project = await new_project(server, http)
    watcher = await connect(project.ws_url, project.key)
    await watcher.subscribe("big.>")
    # A raw client: completes the handshake, subscribes, then never reads again.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    raw.connect(("127.0.0.1", server.ws_port))
    raw.sendall(
        (
            f"GET /v1/projects/{project.id}/ws HTTP/1.1\r\nHost: x\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {project.key}\r\n\r\n"
        ).encode()
    )
    payload = b'{"type":"subscribe","topic":"big.>"}'
    mask = b"\x00\x00\x00\x00"
    raw.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + payload)
    await aeventually(lambda: _subscriptions(project.id), 2, message="the raw client's subscription")
    before = SLOW_CONSUMER_DISCONNECTS.labels("websocket")._value.get()
    blob = "x" * 30_000
    collector = asyncio.create_task(watcher.events(COUNT, timeout=30))
    try:
        for _ in range(COUNT):
            await project.publish_batch([{"topic": "big.x", "data": blob}])
        await aeventually(lambda: SLOW_CONSUMER_DISCONNECTS.labels("websocket")._value.get(), before + 1)
    finally:
        raw.close()
    # The reader that keeps up got everything, in order, unaffected.
    got = await collector
    assert [e["data"] for e in got] == [blob] * COUNT


async def test_shutdown_drains_with_going_away(settings: Settings, frames: FrameValidator) -> None:
    import websockets

    with live_server(settings) as own:
        async with httpx.AsyncClient(base_url=own.url, timeout=30) as http:
            project = await new_project(own, http)
            ws = await websockets.connect(project.ws_url, additional_headers=project.headers)
            client = Client(ws, frames)
            await client.expect("welcome")
            await client.subscribe("d.>")
            stopping = asyncio.get_running_loop().run_in_executor(None, own.stop)
            code, error = await client.closed()
            await stopping
    assert code == 4001
    assert error is not None
    assert error["code"] == "going_away"
    assert error["retry"] is True


async def test_deliveries_and_connection_time_are_metered_for_billing(
    server: LiveServer, http: httpx.AsyncClient, connect: Any, settings: Settings
) -> None:
    project = await new_project(server, http)
    clients = [await connect(project.ws_url, project.key) for _ in range(2)]
    for client in clients:
        await client.subscribe("metered.>")
    sent = await project.publish_batch([{"topic": "metered.x", "data": i} for i in range(3)])
    for client in clients:
        assert len(await client.events(len(sent))) == 3
    await clients[0].ws.close()
    owner = {"authorization": f"Bearer {project.user_token}"}

    async def usage() -> dict[str, int]:  # the meter flushes every TIDINGS_USAGE_FLUSH_INTERVAL
        response = await http.get(f"/v1/projects/{project.id}/usage", headers=owner)
        assert response.status_code == 200, response.text
        return response.json()["totals"]  # type: ignore[no-any-return]

    totals = await aeventually(
        usage, until=lambda t: t.get("messages_delivered", 0) >= 6 and t.get("peak_connections", 0) >= 2
    )
    assert totals["messages_delivered"] == 6  # 3 events x 2 subscribers
    assert totals["events_published"] == 3
    assert totals["peak_connections"] == 2
