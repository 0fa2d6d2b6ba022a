"""The composition root: builds the ASGI application from settings.

    RequestMetricsMiddleware      request count and latency by operation (Prometheus)
    └── RequestTracingMiddleware  one server span per request (only when an exporter is set)
        └── RequestContextMiddleware  request id, access log, last-resort 500
            └── CORSMiddleware        per-project CORS on the data plane, preflights (api/cors.py)
                └── BodyLimitMiddleware   413 before a large body is read
                    └── Starlette  lifespan owns the database engine, NATS, background tasks
                        ├── /metrics (Prometheus exposition, optional bearer token)
                        ├── /v1/projects/{project}/stream (SSE, realtime/sse.py)
                        └── Mount "/" → connexion AsyncApp: every operation of spec/openapi.yaml

The lifespan creates `Services` and the realtime `Gateway` once and hands them to every request
as `scope["state"]`; it also runs the WebSocket gateway (the `websockets` server, realtime/
websocket.py) on `gateway_port` in the same event loop, so both transports share one hub.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import connexion
import yaml
from connexion.exceptions import (
    BadRequestProblem,
    ClientProblem,
    NonConformingResponse,
    OAuthProblem,
    ProblemException,
    UnsupportedMediaTypeProblem,
)
from connexion.exceptions import Forbidden as ConnexionForbidden
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tidings_server.api.billing import WEBHOOK_PATH
from tidings_server.api.cors import CORSMiddleware, DataPlane
from tidings_server.auth.limits import RateLimitMiddleware
from tidings_server.billing.rawbody import RawBodyMiddleware
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.config import Settings, console_origin_rules
from tidings_server.errors import TidingsError, problem_response
from tidings_server.identity.origins import OriginRules
from tidings_server.middleware import BodyLimitMiddleware, RequestContextMiddleware
from tidings_server.observability.metrics import (
    MetricsEndpoint,
    check_multiprocess,
    configure_metrics,
    mark_process_dead,
)
from tidings_server.observability.middleware import RequestMetricsMiddleware
from tidings_server.observability.tracing import RequestTracingMiddleware
from tidings_server.realtime.gateway import Gateway
from tidings_server.realtime.sse import SSEEndpoint
from tidings_server.realtime.websocket import gateway_socket, start_websocket_server
from tidings_server.services import Services
from tidings_server.spec import spec_dir
from tidings_server.spec_servers import SpecServersMiddleware
from tidings_server.store.db import Database, is_unavailable, log_outage
from tidings_server.validation import VALIDATORS

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


# PostgreSQL SQLSTATEs: a unique violation (two requests raced for the same slug or id), and
# text PostgreSQL cannot store (a NUL character).
_UNIQUE_VIOLATION = "23505"
_UNSTORABLE_TEXT = {"22021", "22P05"}


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _code_for(exc: Exception) -> tuple[str, int | None]:
    """The registry code (and status, when not the code's own) for an exception."""
    if isinstance(exc, TidingsError):
        return exc.code, None
    if isinstance(exc, IntegrityError):
        return ("conflict", None) if _sqlstate(exc) == _UNIQUE_VIOLATION else ("internal_error", None)
    if isinstance(exc, DBAPIError) and _sqlstate(exc) in _UNSTORABLE_TEXT:
        return "unstorable_text", None
    if is_unavailable(exc):
        return "dependency_unavailable", None
    if isinstance(exc, OAuthProblem):
        return "unauthenticated", None
    if isinstance(exc, ConnexionForbidden):
        return "forbidden", None
    if isinstance(exc, UnsupportedMediaTypeProblem):
        return "unsupported_media_type", None
    if isinstance(exc, BadRequestProblem):
        return "validation_failed", None
    if isinstance(exc, NonConformingResponse):
        return "internal_error", None
    status = exc.status_code if isinstance(exc, HTTPException) else getattr(exc, "status", 500)
    if status in _STATUS_CODES:
        return _STATUS_CODES[status], None
    if isinstance(exc, ClientProblem) or 400 <= status < 500:
        return "bad_request", status
    return "internal_error", None


class AllowTable:
    """The methods each path of an OpenAPI document has, for the `Allow` header of a 405.
    connexion registers one route per operation and answers a 405 with the methods of the
    first route whose path matches, not all of them."""

    def __init__(self, spec: Path) -> None:
        doc = yaml.safe_load(spec.read_text(encoding="utf-8"))
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template, item in doc.get("paths", {}).items():
            methods = sorted(m.upper() for m in item if m in _HTTP_METHODS)
            if "GET" in methods:
                methods.append("HEAD")
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self._routes.append((re.compile(regex), ", ".join(methods)))

    def allow(self, path: str) -> str | None:
        for regex, methods in self._routes:
            if regex.fullmatch(path):
                return methods
        return None


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _problem_for(
    request: Request | ConnexionRequest, exc: Exception, allow: AllowTable | None = None
) -> Response:
    code, status = _code_for(exc)
    request_id = request.scope.get("state", {}).get("request_id")
    headers: Mapping[str, str] = {}
    detail: str | None = None
    errors: list[Any] = []
    if isinstance(exc, TidingsError):
        detail, headers, errors = exc.detail, exc.headers, exc.errors
    elif code == "unstorable_text":
        detail = "text fields cannot contain NUL (U+0000) characters"
    elif code == "conflict":
        detail = "the request conflicts with an existing resource"
    elif code == "dependency_unavailable":
        log_outage("requests", exc, "a dependency")
        detail, headers = "a dependency is unavailable; retry later", {"Retry-After": "1"}
    elif isinstance(exc, ProblemException | HTTPException) and code != "internal_error":
        detail = str(exc.detail) if exc.detail else None
        headers = exc.headers or {}
    if code == "method_not_allowed" and allow is not None:
        methods = allow.allow(request.url.path)
        if methods:
            headers = {**headers, "Allow": methods}
    if code == "internal_error":
        log.error("unexpected error", exc_info=exc)
        detail = "an unexpected error occurred; quote the request id to support"
    return problem_response(
        code,
        detail=detail,
        instance=request.url.path,
        request_id=request_id,
        errors=errors,
        headers=headers,
        status=status,
    )


def _connexion_problem_handler(allow: AllowTable) -> Any:
    def handler(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        response = _problem_for(request, exc, allow)
        return ConnexionResponse(
            status_code=response.status_code,
            mimetype=response.media_type,
            body=response.body,
            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
        )

    return handler


def _rest_api(spec: Path, validate_responses: bool) -> connexion.AsyncApp:
    api = connexion.AsyncApp(
        __name__,
        specification_dir=str(spec.parent),
        validator_map=VALIDATORS,
        swagger_ui_options=connexion.options.SwaggerUIOptions(swagger_ui_path="/docs"),
    )
    api.add_api(spec.name, strict_validation=True, validate_responses=validate_responses)
    api.add_middleware(RateLimitMiddleware, position=MiddlewarePosition.BEFORE_VALIDATION)
    handler = _connexion_problem_handler(AllowTable(spec))
    for exc_type in (Exception, HTTPException, ProblemException, TidingsError):
        api.add_error_handler(exc_type, handler)
    return api


async def open_services(settings: Settings) -> Services:
    """Connect to PostgreSQL and NATS (both must answer now; later outages are survived)."""
    settings.require("database_url", "nats_url", "api_key_pepper", "token_secret")
    assert settings.database_url is not None
    assert settings.nats_url is not None
    db = Database.connect(settings.database_url.get_secret_value(), pool_size=settings.db_pool_size)
    try:
        broker = await JetStreamBroker.connect(settings.nats_url.split(","))
    except BaseException:
        await db.close()
        raise
    return await Services.start(settings, db, broker)


async def close_services(services: Services) -> None:
    try:
        await services.stop()
        await services.broker.close()
    finally:
        await services.db.close()


def create_app(
    settings: Settings,
    *,
    validate_responses: bool = False,
    api_spec: Path | None = None,
    gateway_sock: socket.socket | None = None,
) -> ASGIApp:
    """The whole ASGI application. `validate_responses` checks every answer against the spec
    (tests turn it on; a non-conforming answer becomes a 500 there). `api_spec` serves another
    OpenAPI document than spec/openapi.yaml through the same stack (tests of the stack itself)."""

    check_multiprocess()
    configure_metrics(tenant_labels=settings.metrics_tenant_labels)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        services = await open_services(settings)
        gateway = Gateway(services)
        ws_server = None
        try:
            await gateway.start()
            sock = gateway_sock or gateway_socket(settings.host, settings.gateway_port)
            ws_server = await start_websocket_server(gateway, sock)
            yield {"services": services, "gateway": gateway}
        finally:
            try:
                await gateway.drain()
                if ws_server is not None:
                    ws_server.close()
                    await ws_server.wait_closed()
                await gateway.stop()
            finally:
                await close_services(services)
                mark_process_dead()

    async def starlette_problem(request: Request, exc: Exception) -> Response:
        return _problem_for(request, exc)

    spec = api_spec or spec_dir() / "openapi.yaml"
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    app = Starlette(
        routes=[
            # Before the Mount, so neither connexion nor the API rate limits see scrapes.
            Route("/metrics", MetricsEndpoint(token=metrics_token), methods=["GET", "HEAD"]),
            # The SSE stream (asyncapi.yaml), beside the REST API, which connexion serves.
            Route("/v1/projects/{project}/stream", SSEEndpoint(), methods=None),
            Mount("/", app=_rest_api(spec, validate_responses)),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: starlette_problem, TidingsError: starlette_problem},
    )
    # The Stripe webhook's signature covers the exact bytes of its body.
    app_with_raw = RawBodyMiddleware(SpecServersMiddleware(app), {WEBHOOK_PATH})
    # Inside the request context (preflights get a request id and an access line), outside the
    # body limit (a 413 carries the CORS grant, so the page can read it).
    console = OriginRules(console_origin_rules(settings.console_origins), any_when_empty=False)
    cors = CORSMiddleware(
        BodyLimitMiddleware(app_with_raw, settings.max_body_bytes), DataPlane(spec), console
    )
    stack: ASGIApp = RequestContextMiddleware(cors)
    if settings.trusted_proxies.strip():
        # Only a configured proxy's X-Forwarded-For names the client (the login throttle and the
        # audit log use it); from anyone else it is ignored and the peer address stands.
        proxied: Any = ProxyHeadersMiddleware(stack, trusted_hosts=settings.trusted_proxies)  # type: ignore[arg-type]
        stack = proxied
    if settings.trace_exporter != "none":
        # Outside the request context, so the access log line is written inside the span.
        stack = RequestTracingMiddleware(stack)
    # Outermost: it also counts the 500 that RequestContextMiddleware answers.
    return RequestMetricsMiddleware(stack)
