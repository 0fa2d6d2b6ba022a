"""Live delivery across a nats-server restart (issue 12, items 1 and 2), on a nats-server of this
module's own (restarting the session's would disturb every other test).

- A client that resumes with its cursor right after the restart gets every event once, in
  stream order, on WebSocket and on SSE (the node's feed was still at its pre-restart position
  and used to re-send what the catch-up had already sent).
- The feeds are re-established when the connection comes back (not after missed heartbeats),
  and `/readyz` is not 200 while live delivery is down.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.realtime import Client, Project, new_project
from tidings_server.testing.waiting import aeventually


@pytest.fixture(scope="module")
def own_nats(services_root: Path) -> Iterator[EmbeddedNats]:
    nats = EmbeddedNats(services_root / f"nats-restart-{uuid.uuid4().hex[:8]}")
    nats.start()
    yield nats
    nats.stop()


@pytest.fixture(scope="module")
def server(settings: Settings, own_nats: EmbeddedNats) -> Iterator[LiveServer]:
    with live_server(settings.model_copy(update={"nats_url": own_nats.url})) as running:
        yield running


async def _publish(project: Project, topic: str, n: int) -> dict[str, Any]:
    """Publish until stored (503 while NATS is away), with one idempotency key."""
    key = f"restart-{uuid.uuid4().hex}"
    headers = {**project.headers, "Idempotency-Key": key}

    async def attempt() -> dict[str, Any] | None:
        response = await project.http.post(
            f"/v1/projects/{project.id}/events", json={"topic": topic, "data": {"n": n}}, headers=headers
        )
        assert response.status_code < 500 or response.status_code == 503, response.text
        if response.status_code == 503:
            assert response.headers.get("retry-after"), response.headers
            return None
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    result: dict[str, Any] = await aeventually(attempt, message="publish after the restart")
    return result


class Sse:
    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.aiter_bytes()
        self._pending = b""

    async def event(self, timeout: float = 30.0) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                while b"\n\n" not in self._pending:
                    self._pending += await anext(self._chunks)
                record, self._pending = self._pending.split(b"\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in record.decode().split("\n") if line and line[0] != ":"
                )
                if fields.get("event") == "event":
                    frame: dict[str, Any] = orjson.loads(fields["data"])
                    assert fields["id"] == frame["cursor"]
                    return frame


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


async def _ws_events_until(client: Client, last_n: int) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    while not got or got[-1]["data"]["n"] != last_n:
        got += await client.events(1, timeout=30)
    return got


async def test_resume_after_a_nats_restart_is_free_of_duplicates_and_the_feed_comes_back(
    server: LiveServer, http: httpx.AsyncClient, own_nats: EmbeddedNats, connect: Any
) -> None:
    project = await new_project(server, http)
    # A live subscriber keeps the node's feed of the project running across the restart.
    live = await connect(project.ws_url, project.key)
    await live.subscribe("t.>")
    before = [await _publish(project, "t.x", n) for n in range(1, 4)]
    assert [e["data"]["n"] for e in await live.events(3)] == [1, 2, 3]

    own_nats.stop()
    ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["live_delivery"]["ok"] is False
    own_nats.start()
    back = time.monotonic()
    after = [await _publish(project, "t.x", n) for n in range(4, 7)]

    # Resume from the first event's cursor, right after the restart, on both transports.
    resumed = await connect(project.ws_url, project.key)
    await resumed.subscribe("t.>", cursor=before[0]["cursor"])
    async with http.stream(
        "GET",
        f"/v1/projects/{project.id}/stream",
        params={"topic": "t.>"},
        headers={**project.headers, "Last-Event-ID": before[0]["cursor"]},
    ) as response:
        assert response.status_code == 200
        sse = Sse(response)
        sse_got = [await sse.event() for _ in range(5)]  # 2..6 from history
        ws_got = await resumed.events(5, timeout=30)
        # The next live event: everything the feed re-sends after the restart comes before it.
        await _publish(project, "t.x", 7)
        ws_got += await _ws_events_until(resumed, 7)
        while sse_got[-1]["data"]["n"] != 7:
            sse_got.append(await sse.event())
        live_got = await _ws_events_until(live, 7)
    print(f"first live delivery {time.monotonic() - back:.2f} s after nats-server was started again")

    for got in (ws_got, sse_got):
        assert [e["data"]["n"] for e in got] == [2, 3, 4, 5, 6, 7]  # once each, in stream order
    assert [e["data"]["n"] for e in live_got] == [4, 5, 6, 7]
    assert [e["cursor"] for e in live_got[:3]] == [e["cursor"] for e in after]
    assert (await http.get("/readyz")).status_code == 200
