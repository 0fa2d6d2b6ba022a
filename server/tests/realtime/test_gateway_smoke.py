from __future__ import annotations

import asyncio
from typing import Any

from tidings_server.testing.realtime import Project


async def test_publish_reaches_a_websocket_subscriber(project: Project, connect: Any) -> None:
    client = await connect(project.ws_url, project.key)
    assert client.welcome["max_frame_bytes"] > 0
    sub = await client.subscribe("orders.*")
    assert sub["cursor"].startswith("c1_")
    published = [await project.publish("orders.created", {"n": i}) for i in range(3)]
    got = await client.events(3)
    assert [e["data"] for e in got] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [e["cursor"] for e in got] == [p["cursor"] for p in published]
    await asyncio.sleep(0)
