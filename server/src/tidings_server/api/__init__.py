"""REST handlers, one module per spec tag. Thin: parse, call a service, return."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from tidings_server.auth.principal import Principal
from tidings_server.jsonutil import dumps

__all__ = ["json_response", "no_content", "principal_of"]


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """An `application/json` answer. Handlers return one explicitly because every operation also
    declares `application/problem+json` for its errors, so connexion cannot infer the type."""
    return Response(dumps(body), status_code=status, media_type="application/json", headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def principal_of(token_info: Mapping[str, Any]) -> Principal:
    principal: Principal = token_info["principal"]
    return principal
