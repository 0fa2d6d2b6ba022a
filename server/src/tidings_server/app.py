"""The composition root: builds the ASGI application from settings.

    RequestContextMiddleware      request id, access log, last-resort 500
    └── BodyLimitMiddleware       413 before a large body is read
        └── Starlette             lifespan owns the database engine, NATS, background tasks
            ├── (WebSocket and SSE routes: realtime gateway)
            └── Mount "/" → connexion AsyncApp: every operation of spec/openapi.yaml

The lifespan creates `Services` once and hands it to every request as `scope["state"]`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import connexion
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
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp

from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.config import Settings
from tidings_server.errors import TidingsError, problem_response
from tidings_server.middleware import BodyLimitMiddleware, RequestContextMiddleware
from tidings_server.services import Services
from tidings_server.spec import spec_dir
from tidings_server.store.db import Database
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


def _code_for(exc: Exception) -> tuple[str, int | None]:
    """The registry code (and status, when not the code's own) for an exception."""
    if isinstance(exc, TidingsError):
        return exc.code, None
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


def _problem_for(request: Request | ConnexionRequest, exc: Exception) -> Response:
    code, status = _code_for(exc)
    request_id = request.scope.get("state", {}).get("request_id")
    headers: Mapping[str, str] = {}
    detail: str | None = None
    errors: list[Any] = []
    if isinstance(exc, TidingsError):
        detail, headers, errors = exc.detail, exc.headers, exc.errors
    elif isinstance(exc, ProblemException | HTTPException) and code != "internal_error":
        detail = str(exc.detail) if exc.detail else None
        headers = exc.headers or {}
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


def _connexion_problem(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    response = _problem_for(request, exc)
    return ConnexionResponse(
        status_code=response.status_code,
        mimetype=response.media_type,
        body=response.body,
        headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
    )


def _rest_api(spec: Path, validate_responses: bool) -> connexion.AsyncApp:
    api = connexion.AsyncApp(
        __name__,
        specification_dir=str(spec.parent),
        validator_map=VALIDATORS,
        swagger_ui_options=connexion.options.SwaggerUIOptions(swagger_ui_path="/docs"),
    )
    api.add_api(spec.name, strict_validation=True, validate_responses=validate_responses)
    for exc_type in (Exception, HTTPException, ProblemException, TidingsError):
        api.add_error_handler(exc_type, _connexion_problem)
    return api


async def open_services(settings: Settings) -> Services:
    """Connect to PostgreSQL and NATS (both must answer now; later outages are survived)."""
    settings.require("database_url", "nats_url", "api_key_pepper")
    assert settings.database_url is not None
    assert settings.nats_url is not None
    db = Database.connect(settings.database_url.get_secret_value(), pool_size=settings.db_pool_size)
    try:
        broker = await JetStreamBroker.connect(settings.nats_url.split(","))
    except BaseException:
        await db.close()
        raise
    return Services(settings=settings, db=db, broker=broker)


async def close_services(services: Services) -> None:
    try:
        await services.broker.close()
    finally:
        await services.db.close()


def create_app(
    settings: Settings, *, validate_responses: bool = False, api_spec: Path | None = None
) -> ASGIApp:
    """The whole ASGI application. `validate_responses` checks every answer against the spec
    (tests turn it on; a non-conforming answer becomes a 500 there). `api_spec` serves another
    OpenAPI document than spec/openapi.yaml through the same stack (tests of the stack itself)."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        services = await open_services(settings)
        try:
            yield {"services": services}
        finally:
            await close_services(services)

    async def starlette_problem(request: Request, exc: Exception) -> Response:
        return _problem_for(request, exc)

    app = Starlette(
        routes=[Mount("/", app=_rest_api(api_spec or spec_dir() / "openapi.yaml", validate_responses))],
        lifespan=lifespan,
        exception_handlers={HTTPException: starlette_problem, TidingsError: starlette_problem},
    )
    return RequestContextMiddleware(BodyLimitMiddleware(app, settings.max_body_bytes))
