"""SSE clients that never read (issue 12, item 17): every write has a deadline, the socket of a
slow consumer is cut and its memory freed, and `max_sse_per_tenant` holds meanwhile."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tidings_server.config import Settings
from tidings_server.realtime import gateway as gateway_mod
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.realtime import Project, new_project
from tidings_server.testing.waiting import aeventually

MAX_SSE = 3


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    limited = settings.model_copy(update={"max_sse_per_tenant": MAX_SSE, "write_timeout": 1.0})
    with live_server(limited) as running:
        yield running


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


def _never_reader(server: LiveServer, project: Project) -> socket.socket:
    """A raw client that asks for the stream and then never reads a byte."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(
        f"GET /v1/projects/{project.id}/stream?topic=big.%3E HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {project.key}\r\n\r\n".encode()
    )
    return sock


def _open_sockets(server: LiveServer, ports: set[int]) -> int:
    """Server-side sockets still open for these client ports."""
    connections = list(server.server.server_state.connections)
    return sum(1 for c in connections if getattr(c, "client", (None, None))[1] in ports)


def _write_paused(server: LiveServer, port: int) -> bool:
    """Whether the server's writes to this client wait for it to read."""
    for c in list(server.server.server_state.connections):
        if getattr(c, "client", (None, None))[1] == port:
            return bool(c.flow.write_paused)  # type: ignore[attr-defined]
    return False


def _sse_connections() -> int:
    return sum(1 for g in gateway_mod._RUNNING for c in g.connections if c.transport == "sse")


async def _flood(project: Project, data: dict[str, str]) -> None:
    """20 events of ~40 KB (one per request: the body limit is 64 KiB)."""
    await asyncio.gather(*(project.publish("big.x", data) for _ in range(20)))


async def _try_stream(http: httpx.AsyncClient, project: Project) -> int:
    async with http.stream(
        "GET", f"/v1/projects/{project.id}/stream", params={"topic": "big.>"}, headers=project.headers
    ) as response:
        return response.status_code


async def test_never_reading_clients_are_cut_and_the_stream_limit_holds_meanwhile(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    project = await new_project(server, http)
    readers = [_never_reader(server, project) for _ in range(MAX_SSE)]
    ports = {s.getsockname()[1] for s in readers}
    try:
        await aeventually(_sse_connections, MAX_SSE, message="the never-reading streams open")
        assert await _try_stream(http, project) == 429  # the limit, while they are all open
        big = {"blob": "x" * 40_000}
        admitted_while_open = []

        async def flood_and_probe() -> bool:
            await _flood(project, big)
            still_open = _open_sockets(server, ports)
            if await _try_stream(http, project) == 200:
                admitted_while_open.append(still_open)
                return True
            return False

        await aeventually(flood_and_probe, timeout=90, interval=0.1, message="a stream admitted again")
        # Admitted only once the never-reading sockets were gone (never beside them).
        assert admitted_while_open == [0]
        assert _open_sockets(server, ports) == 0
        await aeventually(_sse_connections, 0, message="every stream's connection freed")
    finally:
        for sock in readers:
            sock.close()


async def test_a_stuck_write_is_cut_within_the_deadline_even_without_more_events(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    project = await new_project(server, http)
    reader = _never_reader(server, project)
    port = reader.getsockname()[1]
    try:
        await aeventually(_sse_connections, 1)
        # Until the socket is full and a write waits (before the send queue overflows), then
        # nothing more: only the write deadline can end it.
        big = {"blob": "y" * 40_000}

        async def stuck() -> bool:
            if _write_paused(server, port):
                return True
            await _flood(project, big)
            return False

        await aeventually(stuck, timeout=60, message="a write waits for the client")
        await aeventually(lambda: _open_sockets(server, {port}), 0, timeout=60, message="socket cut")
        await aeventually(_sse_connections, 0)
    finally:
        reader.close()
