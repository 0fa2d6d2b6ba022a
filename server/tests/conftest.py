"""Server test fixtures beyond the shared plugin (tidings_server.testing.plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tidings_server.testing.live import LiveServer


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the module's live server."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        yield client
