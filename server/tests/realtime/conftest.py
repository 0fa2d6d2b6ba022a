"""Realtime gateway fixtures: the live server (REST + SSE port and WebSocket port), projects with
keys, and small clients that check every server frame against spec/asyncapi.yaml."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from tidings_server.testing.live import LiveServer
from tidings_server.testing.plugin import Demo
from tidings_server.testing.realtime import Client, FrameValidator, Project, new_project


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
async def project(server: LiveServer, http: httpx.AsyncClient) -> Project:
    return await new_project(server, http)


@pytest.fixture(scope="session")
def frames() -> FrameValidator:
    return FrameValidator()


@pytest.fixture
def connect(frames: FrameValidator) -> Iterator[Any]:
    opened: list[ClientConnection] = []

    async def open_client(url: str, token: str | None = None, *, welcome: bool = True, **kw: Any) -> Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        ws = await websockets.connect(url, additional_headers=headers, max_size=None, **kw)
        opened.append(ws)
        client = Client(ws, frames)
        if welcome:
            client.welcome = await client.expect("welcome")
        return client

    yield open_client
    # Each test closes its clients' sockets (the loop ends with the test).
    for ws in opened:
        ws.transport.abort() if ws.transport else None


@pytest.fixture
def demo_key(demo: Demo) -> str:
    return demo.api_key
