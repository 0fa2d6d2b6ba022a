"""A scripted WebSocket gateway: each connection is served by the next handler of `script` (the
last one repeats), which sees the frames the client sent and answers as a test needs — including
what a well-behaved server never does (silence, a duplicate, an unknown close code)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

__all__ = ["FakeGateway", "Session", "event"]


def event(n: int, topic: str = "orders.created") -> dict[str, Any]:
    return {
        "id": f"e{n}",
        "topic": topic,
        "data": {"n": n},
        "published_at": "2026-01-01T00:00:00Z",
        "cursor": f"c{n}",
    }


@dataclass
class Session:
    """One connection, as a handler drives it."""

    ws: ServerConnection
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def authorization(self) -> str | None:
        assert self.ws.request is not None
        return self.ws.request.headers.get("Authorization")

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def welcome(self, heartbeat_ms: int = 20_000) -> None:
        await self.send(
            type="welcome", connection_id="fake-1", heartbeat_ms=heartbeat_ms, max_frame_bytes=16384
        )

    async def recv(self) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(await self.ws.recv())
        self.received.append(frame)
        return frame

    async def expect(self, kind: str) -> dict[str, Any]:
        """The next frame of type `kind`, answering pings on the way."""
        while True:
            frame = await self.recv()
            if frame["type"] == kind:
                return frame
            if frame["type"] == "ping":
                await self.send(type="pong")

    async def subscribed(self, cursor: str | None = "c0") -> dict[str, Any]:
        """Wait for `subscribe`, confirm it; the subscribe frame."""
        frame = await self.expect("subscribe")
        reply: dict[str, Any] = {"type": "subscribed", "topic": frame["topic"], "id": frame.get("id")}
        if cursor is not None:
            reply["cursor"] = cursor
        await self.send(**reply)
        return frame

    async def events(self, *numbers: int, topic: str = "orders.created") -> None:
        await self.send(type="events", events=[event(n, topic) for n in numbers])

    async def close(self, code: int, reason: str = "") -> None:
        await self.ws.close(code, reason)


Handler = Callable[[Session], Awaitable[None]]


class FakeGateway:
    def __init__(self, script: list[Handler]) -> None:
        self.script = script
        self.sessions: list[Session] = []
        self._server: Server | None = None
        self.url = ""

    async def start(self) -> FakeGateway:
        self._server = await serve(self._handle, "127.0.0.1", 0, ping_interval=None)
        port = self._server.sockets[0].getsockname()[1] if self._server.sockets else 0
        self.url = f"ws://127.0.0.1:{port}"
        return self

    async def _handle(self, ws: ServerConnection) -> None:
        session = Session(ws)
        self.sessions.append(session)
        handler = self.script[min(len(self.sessions), len(self.script)) - 1]
        await handler(session)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
