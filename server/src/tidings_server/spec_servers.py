"""The served OpenAPI document names the server that serves it, so Swagger UI's server list
(and its "Try it out") shows the running server, not the spec's relative `/`.

The origin is the one the client used (scheme and `Host`), which behind a proxy is the public
one; a `Host` that is not a plain host[:port] leaves the document as it is.
"""

from __future__ import annotations

import re

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SPEC_PATH", "SpecServersMiddleware"]

SPEC_PATH = "/openapi.json"

# A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


class SpecServersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != SPEC_PATH or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
        if not _HOST.fullmatch(host):
            await self.app(scope, receive, send)
            return
        origin = f"{scope['scheme']}://{host}{scope.get('root_path', '')}"
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            body = b"".join(chunks)
            if start["status"] == 200:
                spec = orjson.loads(body)
                spec["servers"] = [{"url": origin, "description": "this server"}]
                body = orjson.dumps(spec)
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, collect)
