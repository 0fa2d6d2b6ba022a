"""The SDK against a live Tidings server: real NATS (JetStream) and PostgreSQL, started on free
ports by the server's pytest plugin (`tidings_server.testing.plugin`), the whole application
(REST + SSE port, WebSocket gateway port) in a background thread.

Each test gets a fresh tenant and project with an all-powerful API key (`Project`), and an SDK
client for it; faults are injected by `support.proxy.TcpProxy` between the SDK and the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.realtime import Project, new_project

import tidings
from support.live import FAST_RETRY, live_settings


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    """The plugin's settings, with a 1 s heartbeat (a dead socket shows within 2 s) and a short
    drain (a stopping server says `going_away` and is gone in half a second)."""
    return live_settings(database_url, nats_server, heartbeat_seconds=1.0)


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[LiveServer]:
    with live_server(settings) as running:
        yield running


@pytest.fixture
async def project(live: LiveServer) -> AsyncIterator[Project]:
    """A new tenant with one project and an API key of every scope on `>`."""
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        yield await new_project(live, http)


@pytest.fixture
async def client(live: LiveServer, project: Project) -> AsyncIterator[tidings.Client]:
    async with tidings.Client(
        live.url, api_key=project.key, realtime_url=live.ws_url, retry=FAST_RETRY
    ) as sdk:
        yield sdk
