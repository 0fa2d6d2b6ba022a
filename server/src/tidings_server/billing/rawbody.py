"""Keeps the exact bytes of a request body for handlers that must verify a signature over them
(the Stripe webhook): connexion parses and re-reads bodies through fresh request objects, so a
handler cannot read the raw body itself once the validator has consumed it.

`RawBodyMiddleware` buffers the body of requests to the given paths (the body limit middleware
outside it bounds the size), stores it as `scope["state"][RAW_BODY]` and replays it downstream.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RAW_BODY", "RawBodyMiddleware"]

RAW_BODY = "raw_body"


class RawBodyMiddleware:
    def __init__(self, app: ASGIApp, paths: Collection[str]) -> None:
        self.app = app
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away before sending the body.
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        scope.setdefault("state", {})[RAW_BODY] = body
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
