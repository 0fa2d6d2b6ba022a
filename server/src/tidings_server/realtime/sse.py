"""The SSE transport: `GET /v1/projects/{project}/stream`, a raw ASGI endpoint beside the REST API.

Authentication as the WebSocket (`Authorization: Bearer`, or `?token=` for EventSource, which
cannot set headers; never logged — the access log has no query string); a client token from a
page whose `Origin` the project does not allow is 403 `origin_not_allowed`. `topic=` (repeatable)
names the patterns; `Last-Event-ID` (what EventSource sends on reconnection) or `cursor=`
resumes after that cursor for every topic. Refusals before the stream starts are problem+json
answers with the registry's status; after it starts, an `event: error` record, then the end.

Each record's `id:` is the event's cursor; several pending events go out in one write. A
`retry:` hint opens the stream; comments (`: hb`) are heartbeats. The bounded send queue is the
connection's own buffer (what the ASGI server has not taken yet): past `send_queue_bytes` the
stream ends with `slow_consumer`. When the client goes away (`http.disconnect`), everything the
connection held is released at once.

Every write has a deadline (`write_timeout`): a client that stops reading fills the socket, the
write waits, and past the deadline the socket is aborted (its buffers dropped) — the stream
cannot hold its memory or its socket. A closed stream keeps its place in the connection counts
until its socket is gone, so `max_sse_per_tenant` holds with clients that never read.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.types import Receive, Scope, Send

from tidings_server import topics
from tidings_server.auth import grants as grants_mod
from tidings_server.errors import problem_response
from tidings_server.events.errors import InvalidCursor
from tidings_server.observability.metrics import SLOW_CONSUMER_DISCONNECTS
from tidings_server.realtime import protocol
from tidings_server.realtime.connection import Connection
from tidings_server.realtime.frames import Delivered, sse_comment, sse_record, sse_records
from tidings_server.realtime.gateway import Gateway
from tidings_server.store.db import database_unavailable, is_unavailable
from tidings_server.validation import parse_id

__all__ = ["TRANSPORT_OF", "SSEConnection", "SSEEndpoint", "sse_endpoint"]

TRANSPORT_OF = "tidings.transport_of"
"""Key of `scope["state"]`: a callable taking `scope["client"]` that returns that connection's
asyncio transport or None (set by `serving.TidingsServer`): what lets a stream that ends with
bytes its client does not take abort the socket instead of holding it."""
# While a closed stream's last bytes are flushed, their progress is checked this often.
_FLUSH_POLL_SECONDS = 0.05

_PATH = re.compile(r"/v1/projects/([^/]+)/stream")
# Frames of the protocol that SSE carries (the others answer WebSocket client frames).
_SSE_FRAMES = frozenset({"reset", "error"})


class SSEConnection(Connection):
    __slots__ = ("buffer", "done", "drained", "ending", "positioned", "wake")
    transport = "sse"

    def __init__(self, gateway: Gateway, principal: Any, project_id: uuid.UUID) -> None:
        super().__init__(gateway, principal, project_id)
        self.buffer = bytearray()
        self.wake = asyncio.Event()
        self.drained = asyncio.Event()
        self.drained.set()
        self.ending = False
        self.done = False
        self.positioned = False

    def write(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        self.drained.clear()
        self.wake.set()

    def buffered(self) -> int:
        return len(self.buffer)

    async def drain(self) -> None:
        if len(self.buffer) > self.gateway.settings.batch_max_bytes:
            await self.drained.wait()

    def encode(self, events: Sequence[Delivered], durable: str | None = None) -> bytes:
        return sse_records(events)

    def encode_frame(self, frame: dict[str, Any]) -> bytes:
        return sse_record(str(frame["type"]), orjson.dumps(frame))

    def reply(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind in _SSE_FRAMES:
            super().reply(frame)
        elif kind == "subscribed" and not self.positioned and not self.closed:
            # An `id:`-only record: EventSource (and our SDKs) take it as the position to resume
            # from, so a client that drops before its first event resumes without a gap.
            self.positioned = True
            self.write(b"id: " + str(frame["cursor"]).encode() + b"\n\n")

    def terminate(self, close_code: int, reason: str) -> None:
        self.ending = True
        self.wake.set()

    def release_slot(self, reason: str) -> None:
        # A closed stream may still hold its socket (a write waiting for a client that does not
        # read): it leaves the counts when the stream ends (`_stream`), unless the peer is gone.
        if self.done or reason == "peer":
            super().release_slot(reason)

    def finished(self) -> bool:
        return self.done


def _problem(code: str, detail: str, scope: Scope, **extra: Any) -> Any:
    return problem_response(code, detail=detail, instance=scope["path"], **extra)


def _unavailable(exc: Exception, scope: Scope) -> Any:
    """The 503 problem for a database outage met before the stream starts (logged once per
    interval, not per attempt)."""
    error = database_unavailable(exc, "SSE handshakes")
    return _problem(error.code, error.detail or error.code, scope, headers=error.headers)


def _credential(scope: Scope, query: dict[str, list[str]]) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text: str = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip()
    return str(query.get("token", [""])[0])


def _header(scope: Scope, header: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == header:
            return str(value.decode("latin-1"))
    return None


def _last_event_id(scope: Scope) -> str | None:
    return (_header(scope, b"last-event-id") or "").strip() or None


async def sse_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI endpoint (mounted by the application before the REST API)."""
    if scope["method"] not in ("GET", "HEAD"):
        response = _problem("method_not_allowed", "the stream is read with GET", scope)
        response.headers["Allow"] = "GET, HEAD"
        await response(scope, receive, send)
        return
    gateway: Gateway | None = scope.get("state", {}).get("gateway")
    match = _PATH.fullmatch(scope["path"])
    project_id = None if match is None else parse_id(match.group(1))
    if gateway is None or project_id is None:
        await _problem("not_found", "no such stream", scope)(scope, receive, send)
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    patterns = query.get("topic", [])
    errors = [
        {"pointer": f"/topic/{i}", "message": "a topic or pattern (dot-separated tokens, `*`, final `>`)"}
        for i, p in enumerate(patterns)
        if not topics.is_pattern(p)
    ]
    if not patterns:
        errors.append({"pointer": "/topic", "message": "at least one `topic` is required"})
    if len(set(patterns)) > gateway.settings.max_subscriptions:
        errors.append(
            {"pointer": "/topic", "message": f"at most {gateway.settings.max_subscriptions} topics"}
        )
    if errors:
        await _problem("validation_failed", "the query is invalid", scope, errors=errors)(
            scope, receive, send
        )
        return
    cursor = _last_event_id(scope) or query.get("cursor", [None])[0]
    try:
        principal = await gateway.authenticate(_credential(scope, query), project_id)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        await _unavailable(exc, scope)(scope, receive, send)
        return
    if principal is None:
        response = _problem(
            "unauthenticated", "a valid API key or client token of this project is required", scope
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        await response(scope, receive, send)
        return
    refusal = await gateway.origin_refusal(principal, _header(scope, b"origin"))
    if refusal is not None:
        retry = {"Retry-After": "1"} if refusal[0] == "dependency_unavailable" else {}
        await _problem(*refusal, scope, headers=retry)(scope, receive, send)
        return
    denied = [p for p in patterns if not grants_mod.allows(principal.grants, "subscribe", p)]
    if denied:
        await _problem("forbidden", f"this credential may not subscribe to {denied[0]!r}", scope)(
            scope, receive, send
        )
        return
    if cursor is not None:
        try:
            decoded = gateway.codec.decode(cursor)
        except InvalidCursor as exc:
            errors = [{"pointer": "/cursor", "message": str(exc)}]
            await _problem("invalid_cursor", str(exc), scope, errors=errors)(scope, receive, send)
            return
        if decoded.project_id != project_id:
            await _problem("invalid_cursor", "this cursor belongs to another project", scope)(
                scope, receive, send
            )
            return
    try:
        refusal = await gateway.admit(principal, "sse")
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        await _unavailable(exc, scope)(scope, receive, send)
        return
    if refusal is not None:
        code, message = refusal
        headers = {"Retry-After": "1"} if code in ("connection_limit", "going_away") else {}
        if code == "going_away":
            code = "dependency_unavailable"
        response = _problem(code, message, scope)
        response.headers.update(headers)
        await response(scope, receive, send)
        return
    await _stream(
        gateway, SSEConnection(gateway, principal, project_id), patterns, cursor, scope, receive, send
    )


async def _end_socket(scope: Scope, watcher: asyncio.Task[None], flush_timeout: float | None) -> None:
    """End the connection of a stream the server closed: abort it at once (`flush_timeout`
    None: a slow consumer, whose queued bytes — in the process and in the kernel — are dropped
    with it), or let the last bytes leave within `flush_timeout` and close it, aborting if they
    do not. Never left to HTTP keep-alive: a client that does not read keeps no socket."""
    find = scope.get("state", {}).get(TRANSPORT_OF)
    transport = find(scope.get("client")) if find is not None else None
    if transport is None or transport.is_closing():
        return
    if flush_timeout is not None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + flush_timeout
        while transport.get_write_buffer_size() and loop.time() < deadline:
            await asyncio.sleep(_FLUSH_POLL_SECONDS)
            if transport.is_closing():
                return
    if flush_timeout is None or transport.get_write_buffer_size():
        transport.abort()
    else:
        transport.close()
    # uvicorn sees the disconnection before the stream returns.
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(asyncio.shield(watcher), 1.0)


class SSEEndpoint:
    """`sse_endpoint` as an ASGI application object (what a Starlette `Route` mounts as is)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await sse_endpoint(scope, receive, send)


async def _stream(
    gateway: Gateway,
    conn: SSEConnection,
    patterns: list[str],
    cursor: str | None,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    await gateway.register(conn)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/event-stream; charset=utf-8"),
                (b"cache-control", b"no-cache, no-transform"),
                (b"x-accel-buffering", b"no"),
            ],
        }
    )
    if scope["method"] == "HEAD":
        await send({"type": "http.response.body", "body": b""})
        conn.lost()
        return

    async def watch_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                conn.lost()
                conn.ending = True
                conn.wake.set()
                return

    watcher = asyncio.get_running_loop().create_task(watch_disconnect())
    heartbeat = gateway.settings.heartbeat_seconds
    write_timeout = gateway.settings.write_timeout
    try:
        conn.write(b"retry: " + str(gateway.settings.sse_retry_ms).encode() + b"\n\n" + sse_comment("ok"))
        conn.opened()
        for pattern in dict.fromkeys(patterns):
            for command in conn.session.handle(protocol.Subscribe(topic=pattern, cursor=cursor)):
                await conn.execute(command)
        while True:
            if not conn.buffer:
                conn.drained.set()
                if conn.ending:
                    break
                conn.wake.clear()
                try:
                    await asyncio.wait_for(conn.wake.wait(), timeout=heartbeat)
                except TimeoutError:
                    conn.write(sse_comment("hb"))
                continue
            chunk = bytes(conn.buffer)
            conn.buffer.clear()
            async with asyncio.timeout(write_timeout):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        async with asyncio.timeout(write_timeout):
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        if conn.close_code == "slow_consumer":
            await _end_socket(scope, watcher, None)
        elif conn.close_code is not None and conn.close_code != "peer":
            await _end_socket(scope, watcher, write_timeout)
    except TimeoutError:
        # A write waited past its deadline: the client stopped reading; cut the socket (its
        # queued bytes go with it).
        if not conn.closed:
            SLOW_CONSUMER_DISCONNECTS.labels("sse").inc()
        conn.close("slow_consumer", "the stream did not keep up; reconnect and resume from your cursor")
        await _end_socket(scope, watcher, None)
    except OSError:
        pass
    finally:
        conn.done = True
        conn.buffer = bytearray()
        conn.drained.set()
        watcher.cancel()
        conn.lost()
        conn.release_slot(conn.close_code or "peer")
