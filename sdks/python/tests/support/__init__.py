"""Test helpers: a scripted aiohttp server and canned answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Server:
    """Answers every request with the next scripted handler (the last one repeats)."""

    url: str = ""
    script: list[Handler] = field(default_factory=list)
    requests: list[web.Request] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        self.bodies.append(await request.read())
        handler = self.script[min(len(self.requests), len(self.script)) - 1]
        return await handler(request)


@dataclass
class Sleeps:
    """Records the waits a client asks for instead of sleeping through them."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def json_answer(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status, headers=headers)

    return handler


def problem(status: int, code: str, headers: dict[str, str] | None = None, **extra: object) -> Handler:
    body = {
        "type": f"https://tidings.dev/problems/{code}",
        "title": code.title(),
        "status": status,
        "code": code,
    }
    return json_answer({**body, **extra}, status, headers)


def empty_answer(status: int) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status)

    return handler
