"""The SDK's exceptions. One root; an answer of the server is an `APIStatusError`.

TidingsError
├── APIConnectionError        no answer: refused, reset, DNS, TLS
│   └── APITimeoutError       no answer in time
├── APIResponseError          a successful answer that is not the JSON promised
├── APIStatusError            an error status; `code`, `request_id`, `retry_after`
│   ├── BadRequestError       400, 422
│   ├── AuthenticationError   401
│   ├── PermissionDeniedError 403
│   ├── NotFoundError         404
│   ├── ConflictError         409
│   ├── RateLimitError        429
│   └── ServerError           5xx
└── RealtimeError             a realtime connection or subscription failed; `code`, `close_code`
    ├── SubscriptionError     the server refused a frame of a subscription (an `error` frame)
    └── ConnectionTerminated  a close whose registry `action` is `terminal`: do not reconnect

A WebSocket handshake or SSE request the server refuses with a status raises the same
`APIStatusError` subclass a REST call would (e.g. `AuthenticationError` for 401).
"""

from __future__ import annotations

from typing import cast

from .generated.errors import ERRORS, ErrorCode, ErrorInfo
from .generated.models import Problem

__all__ = [
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectionTerminated",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RealtimeError",
    "ServerError",
    "SubscriptionError",
    "TidingsError",
]


class TidingsError(Exception):
    """Root of every exception this SDK raises."""


class APIConnectionError(TidingsError):
    """The server could not be reached or dropped the connection (after any retries)."""


class APITimeoutError(APIConnectionError):
    """The server did not answer in time (after any retries)."""


class APIResponseError(TidingsError):
    """A successful status with a body that is not the JSON the operation promises."""


class APIStatusError(TidingsError):
    """The server answered with an error status (after any retries).

    `code` is the stable machine-readable code of the problem (spec/errors.yaml), `request_id`
    the id to quote to support, `retry_after` the seconds the server asked to wait, if any.
    """

    status: int
    code: str | None
    request_id: str | None
    retry_after: float | None
    problem: Problem | None
    body: object

    def __init__(
        self,
        status: int,
        body: object,
        *,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        problem = _as_problem(body)
        self.status = status
        self.body = body
        self.problem = problem
        self.code = problem["code"] if problem else None
        # The body's id is the server's own; the header is the fallback (e.g. a proxy's error page).
        self.request_id = (problem.get("request_id") if problem else None) or request_id
        self.retry_after = retry_after
        detail = (problem.get("detail") or problem["title"]) if problem else None
        message = (
            f"HTTP {status}" + (f" {self.code}" if self.code else "") + (f": {detail}" if detail else "")
        )
        if self.request_id:
            message += f" (request id {self.request_id})"
        super().__init__(message)

    @property
    def error_info(self) -> ErrorInfo | None:
        """The registry entry of `code`; None if absent or newer than this SDK."""
        if self.code is None:
            return None
        try:
            return ERRORS[ErrorCode(self.code)]
        except ValueError:
            return None


class BadRequestError(APIStatusError):
    """400 or 422: the request is malformed or fails validation; `problem["errors"]` says where."""


class AuthenticationError(APIStatusError):
    """401: no credential, or one that is unknown, revoked or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the credential is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409: the resource's state does not allow this (e.g. a slug already taken)."""


class RateLimitError(APIStatusError):
    """429: too many requests; `retry_after` says for how long."""


class ServerError(APIStatusError):
    """5xx: the server or one of its dependencies failed."""


class RealtimeError(TidingsError):
    """A realtime connection or subscription failed.

    `code` is the registry code (spec/errors.yaml) when the server gave one; `close_code` the
    WebSocket close code, when the connection was closed with one.
    """

    def __init__(self, message: str, *, code: str | None = None, close_code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.close_code = close_code

    @property
    def error_info(self) -> ErrorInfo | None:
        """The registry entry of `code`; None if absent or newer than this SDK."""
        if self.code is None:
            return None
        try:
            return ERRORS[ErrorCode(self.code)]
        except ValueError:
            return None


class SubscriptionError(RealtimeError):
    """The server refused a frame of this subscription (`forbidden`, `too_many_subscriptions`,
    `invalid_cursor`, ...); the connection and the other subscriptions carry on."""


class ConnectionTerminated(RealtimeError):
    """The server ended the connection for a reason that reconnecting would not cure (a close
    code whose registry `action` is `terminal`: `unauthenticated`, `forbidden`, ...)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def status_error(
    status: int, body: object, *, request_id: str | None, retry_after: float | None
) -> APIStatusError:
    """The exception for an error answer, by status."""
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIStatusError)
    return cls(status, body, request_id=request_id, retry_after=retry_after)


def _as_problem(body: object) -> Problem | None:
    # Only trust the shape we rely on: a proxy's HTML error page must not look like a problem.
    if isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("title"), str):
        return cast(Problem, body)
    return None
