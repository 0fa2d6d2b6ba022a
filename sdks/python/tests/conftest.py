"""Fixtures: a real aiohttp server on a free local port, scripted per test, and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import tidings
from support import Server, Sleeps


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", state.dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(server: Server, sleeps: Sleeps) -> AsyncIterator[tidings.Client]:
    async with tidings.Client(
        server.url, api_key="tdg_live_abcdefghijkl_secret", retry=tidings.RetryPolicy(sleep=sleeps)
    ) as c:
        yield c
