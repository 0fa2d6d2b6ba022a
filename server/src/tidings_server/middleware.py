"""ASGI middleware around the whole application (REST, SSE and WebSocket alike).

`RequestContextMiddleware` (outermost): gives every request an id (the client's valid
`X-Request-ID`, or a new one), returns it in the response, logs one access line without the
query string, and turns anything that escaped every handler into a 500 problem.

`BodyLimitMiddleware`: refuses bodies over `max_body_bytes` with 413, from `Content-Length` at
once and by counting for chunked bodies, so a large body is never buffered.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server.errors import PayloadTooLarge, problem_response
from tidings_server.observability.logging import request_id_var

__all__ = ["BodyLimitMiddleware", "RequestContextMiddleware"]

log = logging.getLogger("tidings.access")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.match(value):
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
                scope["path"],
                status,
                extra={"status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 2)},
            )
            request_id_var.reset(token)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    response = problem_response(
                        "payload_too_large",
                        detail=f"request body is over the {limit}-byte limit",
                        request_id=scope.get("state", {}).get("request_id"),
                        instance=scope["path"],
                        headers={"Connection": "close"},
                    )
                    await response(scope, receive, send)
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"request body is over the {limit}-byte limit")
            return message

        await self.app(scope, counting_receive, send)
