"""ASGI middleware around the whole application (REST, SSE and WebSocket alike).

`RequestContextMiddleware` (outermost): gives every request an id (the client's valid
`X-Request-ID`, or a new one), returns it in the response, logs one access line without the
query string (control characters in the path percent-encoded, so `%0A` cannot forge a line),
and turns anything that escaped every handler into a 500 problem.

`BodyLimitMiddleware`: refuses bodies over `max_body_bytes` with 413, from `Content-Length` at
once (the body is never read) and by counting for chunked bodies, which it never buffers past
the limit.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server.errors import PayloadTooLarge, problem_response
from tidings_server.observability.logging import request_id_var

__all__ = ["BodyLimitMiddleware", "RequestContextMiddleware"]

log = logging.getLogger("tidings.access")

REQUEST_ID_HEADER = b"x-request-id"
# Past the limit, a chunked body is still read (and dropped) up to this much so the client gets
# the 413; beyond it the connection is closed on a client that keeps sending.
DRAIN_LIMIT_BYTES = 4 * 1024 * 1024
_VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _loggable_path(path: str) -> str:
    """The decoded path with its control characters percent-encoded again (as they arrived)."""
    return _CONTROL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), path)


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.fullmatch(value):
            return str(value.decode("ascii"))
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.accept"):
                status = message.get("status", 101)
                headers = [(k, v) for k, v in message.get("headers", []) if k != REQUEST_ID_HEADER]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if scope["type"] == "http" and status == 0:
                status = 500
                response = problem_response("internal_error", request_id=request_id, instance=scope["path"])
                await response(scope, receive, send_with_id)
            else:
                raise
        finally:
            log.info(
                "%s %s %s",
                scope.get("method", "WS"),
                _loggable_path(scope["path"]),
                status,
                extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
            )
            request_id_var.reset(token)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _too_large(self, scope: Scope) -> Response:
        return problem_response(
            "payload_too_large",
            detail=f"request body is over the {self.max_body_bytes}-byte limit",
            request_id=scope.get("state", {}).get("request_id"),
            instance=scope["path"],
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        if b"content-length" in headers:
            try:
                declared = int(headers[b"content-length"])
            except ValueError:
                declared = -1
            if declared > self.max_body_bytes:
                await self._too_large(scope)(scope, receive, send)
                return
            await self.app(scope, self._counting(receive), send)
        elif b"transfer-encoding" in headers:
            await self._chunked(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _counting(self, receive: Receive) -> Receive:
        """Guards against a body longer than its Content-Length claims."""
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise PayloadTooLarge(f"request body is over the {self.max_body_bytes}-byte limit")
            return message

        return counting_receive

    async def _drain(self, receive: Receive, message: Message) -> None:
        """Read and drop the rest of a refused body (up to a bound), so the client, which is
        still sending, can read our 413 instead of seeing its connection reset."""
        dropped = 0
        while message.get("more_body", False) and dropped < DRAIN_LIMIT_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return
            dropped += len(message.get("body", b""))

    async def _chunked(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A chunked body is read here, up to the limit, and passed on with a Content-Length:
        connexion takes a request without Content-Length for one without a body."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._drain(receive, message)
                await self._too_large(scope)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        headers = [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"]
        headers.append((b"content-length", str(len(body)).encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": headers}, replay, send)
