"""Frames the hub writes straight to sockets are exactly what the WebSocket library would write,
and a connection with permessage-deflate (framed per connection) still gets every event."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.frames import Frame, Opcode

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.realtime.websocket import wire_frame
from tidings_server.testing import plugin
from tidings_server.testing.realtime import Project


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65_535, 65_536, 300_000])
def test_wire_frames_match_the_library(size: int) -> None:
    payload = b"x" * size
    assert wire_frame(payload) == Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats) -> Settings:
    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    return base.model_copy(update={"ws_compression": True})


async def test_a_compressed_connection_receives_bursts_in_order(project: Project, connect: Any) -> None:
    compressed = await connect(project.ws_url, project.key, compression="deflate")
    plain = await connect(project.ws_url, project.key, compression=None)
    assert compressed.ws.protocol.extensions
    assert not plain.ws.protocol.extensions
    for client in (compressed, plain):
        await client.subscribe("z.>")
    sent = await project.publish_batch([{"topic": "z.x", "data": "y" * 500} for _ in range(40)])
    sent.append(await project.publish("z.x", "single"))
    for client in (compressed, plain):
        got = await client.events(len(sent))
        assert [e["cursor"] for e in got] == [s["cursor"] for s in sent]
