"""CORS: which browser pages on other sites may call the HTTP port, answered per project.

Data plane — every operation of spec/openapi.yaml that a client token may call (publish,
replay; presence reads when they exist), and the SSE stream: a request with an `Origin` that the
project's `allowed_origins` allows (identity/origins.py: exact or `https://*.host` rules; an
empty list allows any origin) gets `Access-Control-Allow-Origin: <that origin>` and the exposed
headers on every answer, problem+json errors included, so the page can read them. Preflights
(`OPTIONS` with `Access-Control-Request-Method`) are answered here, before connexion and its
rate limits, from the node's cache of the project's rules (no database read once cached): 204
with the methods, the request headers a client sends and `Access-Control-Max-Age`. An origin
that is not allowed gets no CORS headers, a 403 `origin_not_allowed` preflight, and, when it
sends a client token of the project anyway (a simple request needs no preflight), a 403
`origin_not_allowed` instead of the answer — the refusal the WebSocket and SSE handshakes give
(they check it themselves, with the principal they authenticated).

Control plane — the admin API is same-origin (served with the console): no CORS grant, unless
the operator lists origins in `TIDINGS_CONSOLE_ORIGINS` (the same rule syntax).

Every answer of a data-plane route carries `Vary: Origin`: it depends on the origin, and a
shared cache must not hand one site's answer to another.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server.errors import problem_response
from tidings_server.identity.origins import OriginRules, origin_refused

__all__ = ["ALLOWED_HEADERS", "EXPOSED_HEADERS", "MAX_AGE_SECONDS", "CORSMiddleware", "DataPlane"]

log = logging.getLogger(__name__)

# What the SDKs and a browser page send: credentials, JSON bodies, idempotent retries, SSE
# resumption (EventSource polyfills set it by hand) and W3C trace context.
ALLOWED_HEADERS = (
    "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, traceparent, tracestate, X-Request-ID"
)
# What a page needs to read: the request id to quote, and when to retry (429/503).
EXPOSED_HEADERS = "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
# How long a browser may reuse a preflight: ten minutes spares a round trip per request while
# bounding how long a removed origin's cached preflight lingers (its actual requests lose their
# CORS headers at once). Chromium caps the value at two hours, Firefox at one day.
MAX_AGE_SECONDS = 600
CONSOLE_METHODS = "GET, POST, PUT, PATCH, DELETE"
SSE_TEMPLATE = "/v1/projects/{project}/stream"

_HTTP_METHODS = ("get", "put", "post", "delete", "patch")
_PROJECT_ID = re.compile(r"[0-9a-fA-F-]{36}")


@dataclass(frozen=True, slots=True)
class _Route:
    regex: re.Pattern[str]
    methods: str
    checks_origin: bool
    """The endpoint refuses foreign origins itself (the SSE handshake)."""


@dataclass(frozen=True, slots=True)
class DataPlaneMatch:
    project_id: uuid.UUID | None
    """None for a malformed id (no project, so no grant)."""
    methods: str
    checks_origin: bool


class DataPlane:
    """The routes a browser may call with a client token: each operation of the OpenAPI
    document whose security lists `ClientToken`, and the SSE stream."""

    def __init__(self, spec: Path) -> None:
        doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
        default_security = doc.get("security") or []
        self._routes: list[_Route] = []
        for template, item in doc.get("paths", {}).items():
            methods = [
                m.upper()
                for m in _HTTP_METHODS
                if m in item
                and any("ClientToken" in req for req in (item[m].get("security", default_security) or []))
            ]
            if methods and "{project}" in template:
                self._routes.append(_Route(_regex(template), ", ".join(methods), checks_origin=False))
        self._routes.append(_Route(_regex(SSE_TEMPLATE), "GET, HEAD", checks_origin=True))

    def match(self, path: str) -> DataPlaneMatch | None:
        for route in self._routes:
            found = route.regex.fullmatch(path)
            if found is not None:
                return DataPlaneMatch(_project_id(found["project"]), route.methods, route.checks_origin)
        return None


def _project_id(text: str) -> uuid.UUID | None:
    if _PROJECT_ID.fullmatch(text) is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _regex(template: str) -> re.Pattern[str]:
    pattern = re.escape(template).replace(r"\{project\}", "(?P<project>[^/]+)")
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Scope) -> str | None:
    header = _header(scope, b"authorization")
    if header is not None and header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


class CORSMiddleware:
    def __init__(self, app: ASGIApp, data_plane: DataPlane, console: OriginRules) -> None:
        self.app = app
        self.data_plane = data_plane
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.data_plane.match(scope["path"])
        origin = _header(scope, b"origin")
        if origin is None:
            await self.app(scope, receive, _decorate(send, route is not None, None))
            return
        services = scope.get("state", {}).get("services")
        if route is None:
            allowed, methods = self.console.allows(origin), CONSOLE_METHODS
        else:
            allowed, methods = await _project_allows(services, route.project_id, origin), route.methods
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method") is not None:
            await _preflight(scope, receive, send, origin if allowed else None, methods)
            return
        if (
            route is not None
            and not allowed
            and not route.checks_origin
            and await _client_token_refused(services, scope, route.project_id, origin)
        ):
            await _refusal(scope)(scope, receive, send)
            return
        await self.app(scope, receive, _decorate(send, route is not None, origin if allowed else None))


async def _project_allows(services: Any, project_id: uuid.UUID | None, origin: str) -> bool:
    if services is None or project_id is None:
        return False
    try:
        rules = await services.origins.rules(project_id)
    except Exception as exc:  # noqa: BLE001 - PostgreSQL away and nothing cached: no grant, answer on
        log.warning("allowed origins unavailable for project %s: %r", project_id, exc)
        return False
    # No such project: any origin, like a project without a list, so the page can read the 404
    # (and the answer does not tell which project ids exist).
    return rules is None or bool(rules.allows(origin))


async def _client_token_refused(
    services: Any, scope: Scope, project_id: uuid.UUID | None, origin: str
) -> bool:
    """A valid client token of the project, sent from an origin the project does not allow."""
    token = _bearer(scope)
    if services is None or project_id is None or token is None or token.startswith("tdg_"):
        return False
    try:
        principal = await services.client_tokens.verify(token)
        if principal is None or principal.project_id != project_id:
            return False  # the operation answers 401 itself
        return bool(await origin_refused(services.origins, principal, origin))
    except Exception as exc:  # noqa: BLE001 - the operation meets the same outage and answers 503
        log.warning("origin check unavailable: %r", exc)
        return False


def _refusal(scope: Scope) -> Any:
    return problem_response(
        "origin_not_allowed",
        detail="this page's origin is not in the project's allowed origins",
        instance=scope["path"],
        request_id=scope.get("state", {}).get("request_id"),
        headers={"Vary": "Origin"},
    )


async def _preflight(scope: Scope, receive: Receive, send: Send, origin: str | None, methods: str) -> None:
    if origin is None:
        await _refusal(scope)(scope, receive, send)
        return
    headers: Sequence[tuple[bytes, bytes]] = (
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-methods", methods.encode()),
        (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
        (b"access-control-max-age", str(MAX_AGE_SECONDS).encode()),
        (b"vary", b"Origin"),
    )
    await send({"type": "http.response.start", "status": 204, "headers": list(headers)})
    await send({"type": "http.response.body", "body": b""})


def _decorate(send: Send, varies: bool, origin: str | None) -> Send:
    """`send` adding `Vary: Origin` (data plane) and the CORS grant (an allowed origin)."""
    if not varies and origin is None:
        return send
    extra = [(b"vary", b"Origin")] if varies else []
    if origin is not None:
        extra += [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
        ]

    async def send_with_cors(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return send_with_cors
