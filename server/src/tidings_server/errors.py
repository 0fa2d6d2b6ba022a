"""The exception root of the server and its mapping to RFC 9457 problem details.

Hierarchy::

    TidingsError                 every error this package raises on purpose; has a registry `code`
    ├── RequestError             the client's request is wrong (4xx)
    │   ├── InvalidJSON          body not UTF-8 or not JSON (400)
    │   ├── PayloadTooLarge      body over the configured limit (413)
    │   ├── NotFound             (404)
    │   ├── Unauthenticated      (401)
    │   └── Forbidden            (403)
    └── DependencyUnavailable    PostgreSQL or NATS does not answer (503, retryable)

Each error carries a `code` from `spec/errors.yaml`; the HTTP status and title come from the
registry, so a code can never be answered with two statuses. Anything else that escapes a
handler becomes `internal_error` (500) with the request id and nothing internal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response

from tidings_server.spec import error_registry

__all__ = [
    "DependencyUnavailable",
    "Forbidden",
    "InvalidJSON",
    "NotFound",
    "PayloadTooLarge",
    "RequestError",
    "TidingsError",
    "Unauthenticated",
    "Violation",
    "problem_body",
    "problem_response",
]

PROBLEM_TYPE_BASE = "https://tidings.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

Violation = Mapping[str, str]


class TidingsError(Exception):
    """Root of the errors the server raises on purpose."""

    code: str = "internal_error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Sequence[Violation] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        if self.code not in error_registry():
            raise ValueError(f"{self.code!r} is not in spec/errors.yaml")
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        super().__init__(detail or self.code)

    @property
    def status(self) -> int:
        status = error_registry()[self.code].status
        return 500 if status is None else status


class RequestError(TidingsError):
    code = "bad_request"


class InvalidJSON(RequestError):
    code = "invalid_json"


class PayloadTooLarge(RequestError):
    code = "payload_too_large"


class NotFound(RequestError):
    code = "not_found"


class Unauthenticated(RequestError):
    code = "unauthenticated"


class Forbidden(RequestError):
    code = "forbidden"


class DependencyUnavailable(TidingsError):
    code = "dependency_unavailable"

    def __init__(self, dependency: str, *, retry_after: int = 1) -> None:
        super().__init__(
            f"{dependency} is unavailable; retry later",
            headers={"Retry-After": str(retry_after)},
        )
        self.dependency = dependency


def problem_body(
    code: str,
    *,
    detail: str | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    errors: Sequence[Violation] = (),
    status: int | None = None,
) -> dict[str, Any]:
    """The problem+json document for a registry code."""
    spec = error_registry()[code]
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": spec.title,
        "status": status or spec.status or 500,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = [dict(e) for e in errors]
    return body


def problem_response(
    code: str,
    *,
    detail: str | None = None,
    instance: str | None = None,
    request_id: str | None = None,
    errors: Sequence[Violation] = (),
    headers: Mapping[str, str] | None = None,
    status: int | None = None,
) -> Response:
    """A complete problem+json response for a registry code."""
    body = problem_body(
        code,
        detail=detail,
        instance=instance,
        request_id=request_id,
        errors=errors,
        status=status,
    )
    return Response(
        orjson.dumps(body),
        status_code=body["status"],
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )
