"""The WebSocket transport, on the `websockets` library's asyncio server.

Why not a Starlette route under uvicorn: measured on this box, an idle connection costs ~13 KiB
of server memory on a bare `websockets` server against ~25 KiB (uvicorn + websockets-sansio)
and ~32 KiB (uvicorn + websockets); the issue's budget is 24 KiB per connection with our state
on top. The hot path also needs to write pre-encoded bytes without an `await` per connection,
which `websockets` allows (`protocol.send_text` + `send_data`, as its own `broadcast` does)
and an ASGI `send` does not. So each server process runs this server on its own port
(`TIDINGS_GATEWAY_PORT`) beside uvicorn, in the same event loop, sharing the process's hub.

Close codes: the registry's (spec/errors.yaml). A client token from a page whose `Origin` the
project does not allow is closed with `origin_not_allowed` (4406) before `welcome`. Frames over
`max_frame_bytes` are refused by the protocol (`frame_too_large`, 4409); frames over four times
that are cut by the library first (1009), so a hostile peer never makes the server buffer more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import uuid
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from tidings_server.realtime import protocol
from tidings_server.realtime.connection import Connection, close_details
from tidings_server.realtime.frames import Delivered, events_frame
from tidings_server.realtime.gateway import Gateway
from tidings_server.store.db import database_unavailable, is_unavailable
from tidings_server.validation import parse_id

__all__ = ["WebSocketConnection", "start_websocket_server", "wire_frame"]

log = logging.getLogger(__name__)

_closing: set[asyncio.Task[None]] = set()
# Any segment: a malformed project id is refused after the handshake with 4404 (`not_found`),
# which a browser can read, unlike a handshake's HTTP status.
_PATH = re.compile(r"/v1/projects/([^/]+)/ws")
# Subscribe, unsubscribe and auth frames: this many per second on average, bursts of twice that.
FRAMES_PER_SECOND = 50.0
FRAME_BURST = 100.0


class WebSocketConnection(Connection):
    __slots__ = ("_allowance", "_checked", "ws")
    transport = "websocket"

    def __init__(self, gateway: Gateway, principal: Any, project_id: uuid.UUID, ws: ServerConnection) -> None:
        super().__init__(gateway, principal, project_id)
        self.ws = ws
        self._allowance = FRAME_BURST
        self._checked = asyncio.get_running_loop().time()

    def write(self, data: bytes) -> None:
        ws = self.ws
        if ws.protocol.state is not State.OPEN or ws.send_in_progress is not None:
            return
        ws.protocol.send_text(data)
        ws.send_data()

    def buffered(self) -> int:
        transport = self.ws.transport
        return 0 if transport is None or transport.is_closing() else transport.get_write_buffer_size()

    async def drain(self) -> None:
        if self.buffered() > self.gateway.settings.batch_max_bytes:
            with contextlib.suppress(Exception):
                await self.ws.drain()

    def encode(self, events: Sequence[Delivered], durable: str | None = None) -> bytes:
        payload = events_frame(events, durable)
        if self.ws.protocol.extensions:
            return payload  # compressed per connection: framed by the library in `write`
        return wire_frame(payload)

    @property
    def encoding(self) -> str:
        # With an extension (permessage-deflate) each connection frames and compresses its own.
        return "websocket+ext" if self.ws.protocol.extensions else "websocket"

    def write_encoded(self, data: bytes) -> None:
        ws = self.ws
        if ws.protocol.extensions:
            self.write(data)
            return
        # A complete server frame (unmasked, so the same bytes for every connection), written
        # straight to the socket: no per-connection framing. Whole frames only, and only while
        # open and not mid-fragment, so it interleaves with the library's own frames (pings,
        # close) exactly like its `send`.
        if ws.protocol.state is not State.OPEN or ws.send_in_progress is not None:
            return
        transport = ws.transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    def encode_frame(self, frame: dict[str, Any]) -> bytes:
        return orjson.dumps(frame)

    def terminate(self, close_code: int, reason: str) -> None:
        # The library's close() runs the closing handshake and aborts after `close_timeout`.
        task = asyncio.get_running_loop().create_task(self.ws.close(close_code, reason))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    def finished(self) -> bool:
        return self.ws.protocol.state is State.CLOSED or self.buffered() == 0

    async def receive(self, data: str | bytes) -> None:
        commands = self.session.receive(data)
        # `ack` and `ping` are free (acks come at the event rate, bounded by what was delivered);
        # the frames that make the server work (subscribe, unsubscribe, auth) are rate limited.
        free = isinstance(self.session.last, protocol.Ack | protocol.Ping)
        if not free and not self.allow_frame():
            self.close("rate_limited", "too many subscribe, unsubscribe or auth frames; slow down")
            return
        for command in commands:
            if self.closed:
                return
            await self.execute(command)

    def allow_frame(self) -> bool:
        """Token bucket on client frames (a subscribe flood is refused, not served)."""
        now = asyncio.get_running_loop().time()
        self._allowance = min(FRAME_BURST, self._allowance + (now - self._checked) * FRAMES_PER_SECOND)
        self._checked = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True


def wire_frame(payload: bytes) -> bytes:
    """`payload` as one final, unmasked WebSocket text frame (RFC 6455 section 5.2)."""
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def _credential(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    tokens = parse_qs(urlsplit(request.path).query).get("token")
    return tokens[0] if tokens else ""


async def _refuse(ws: ServerConnection, code: str, message: str) -> None:
    close_code, retry = close_details(code)
    with contextlib.suppress(ConnectionClosed):
        await ws.send(
            orjson.dumps(protocol.error_frame(code, message, close_code=close_code, retry=retry)).decode()
        )
        await ws.close(close_code, code)


async def _refuse_unavailable(ws: ServerConnection, exc: Exception) -> None:
    """Close 4503 for a failure during the handshake; a database outage is logged once per
    interval (not a traceback per attempt: reconnecting clients would flood the log)."""
    if is_unavailable(exc):
        database_unavailable(exc, "WebSocket handshakes")
    await _refuse(ws, "dependency_unavailable", "authentication is unavailable; retry")


def _handler(gateway: Gateway) -> Any:
    settings = gateway.settings

    async def handle(ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        match = _PATH.fullmatch(urlsplit(request.path).path)
        assert match is not None, "process_request refused other paths"
        project_id = parse_id(match.group(1))
        if project_id is None:
            await _refuse(ws, "not_found", "no such project: the project id is a UUID")
            return
        try:
            principal = await gateway.authenticate(_credential(request), project_id)
        except Exception as exc:
            if not is_unavailable(exc):
                log.exception("WebSocket handshake failed")
            await _refuse_unavailable(ws, exc)
            return
        if principal is None:
            await _refuse(
                ws, "unauthenticated", "a valid API key or client token of this project is required"
            )
            return
        try:
            refusal = await gateway.origin_refusal(principal, request.headers.get("Origin"))
            refusal = refusal or await gateway.admit(principal, "websocket")
        except Exception as exc:
            if not is_unavailable(exc):
                log.exception("WebSocket handshake failed")
            await _refuse_unavailable(ws, exc)
            return
        if refusal is not None:
            await _refuse(ws, *refusal)
            return
        conn = WebSocketConnection(gateway, principal, project_id, ws)
        await gateway.register(conn)
        try:
            conn.reply(
                {
                    "type": "welcome",
                    "connection_id": conn.id,
                    "heartbeat_ms": int(settings.heartbeat_seconds * 1000),
                    "max_frame_bytes": settings.max_frame_bytes,
                }
            )
            conn.opened()
            async for message in ws:
                if conn.closed:
                    break
                if isinstance(message, bytes):
                    conn.close("invalid_frame", "binary frames are not part of the protocol; send text JSON")
                    break
                await conn.receive(message)
            if conn.closed:
                # Give the close handshake its time; the library ends the socket after it.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(ws.wait_closed(), timeout=settings.drain_seconds or 1.0)
        except ConnectionClosed:
            pass
        finally:
            conn.lost()

    return handle


def _process_request(connection: ServerConnection, request: Request) -> Response | None:
    if _PATH.fullmatch(urlsplit(request.path).path) is None:
        body = orjson.dumps(
            {
                "type": "about:blank",
                "title": "Not Found",
                "status": 404,
                "code": "not_found",
                "detail": "WebSocket connections are served at /v1/projects/{project}/ws",
            }
        )
        headers = Headers([("Content-Type", "application/problem+json"), ("Content-Length", str(len(body)))])
        return Response(HTTPStatus.NOT_FOUND.value, HTTPStatus.NOT_FOUND.phrase, headers, body)
    return None


async def start_websocket_server(gateway: Gateway, sock: socket.socket) -> Server:
    settings = gateway.settings
    # The library logs every connection at INFO: at 100k connections that is noise, not news.
    if settings.log_level != "debug":
        logging.getLogger("websockets.server").setLevel(logging.WARNING)
    return await serve(
        _handler(gateway),
        sock=sock,
        process_request=_process_request,
        compression="deflate" if settings.ws_compression else None,
        open_timeout=settings.handshake_timeout,
        ping_interval=settings.heartbeat_seconds,
        ping_timeout=settings.heartbeat_seconds,
        close_timeout=max(1.0, settings.drain_seconds),
        max_size=settings.max_frame_bytes * 4,
        max_queue=16,
        write_limit=settings.batch_max_bytes,
        server_header=None,
    )


def gateway_socket(host: str, port: int, *, reuse_port: bool = True) -> socket.socket:
    """A listening socket for the gateway (SO_REUSEPORT, so several processes share the port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(4096)
    sock.setblocking(False)
    return sock
