# Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""The error registry (spec/errors.yaml): one entry per stable `code`.

REST problems carry the code in their `code` field; realtime error frames carry it too, and the
WebSocket close code that follows tells a client to reconnect and resume or to stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

__all__ = ["ERRORS", "BY_CLOSE_CODE", "ErrorCode", "ErrorInfo"]


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    GOING_AWAY = "going_away"


@dataclass(frozen=True)
class ErrorInfo:
    code: ErrorCode
    title: str
    # Whether the same request may succeed if retried later unchanged.
    retryable: bool
    # HTTP status of the problem response; None when the error is realtime-only.
    status: int | None
    # WebSocket close code (4000-4999); None when the error never ends a connection.
    close_code: int | None
    # For realtime: reconnect (and resume from the last cursor) or stop.
    action: Literal["reconnect", "terminal"] | None
    description: str
    # Answered with a realtime `error` frame; the connection stays open.
    frame: bool


ERRORS: Final = MappingProxyType(
    {
        ErrorCode.NOT_FOUND: ErrorInfo(
            ErrorCode.NOT_FOUND,
            "Not Found",
            retryable=False,
            status=404,
            close_code=None,
            action=None,
            description="No such pet.",
            frame=False,
        ),
        ErrorCode.RATE_LIMITED: ErrorInfo(
            ErrorCode.RATE_LIMITED,
            "Too Many Requests",
            retryable=True,
            status=429,
            close_code=4429,
            action="reconnect",
            description="",
            frame=False,
        ),
        ErrorCode.GOING_AWAY: ErrorInfo(
            ErrorCode.GOING_AWAY,
            "Going Away",
            retryable=True,
            status=None,
            close_code=4001,
            action="reconnect",
            description="The node is shutting down.",
            frame=False,
        ),
    }
)

BY_CLOSE_CODE: Final = MappingProxyType({info.close_code: info for info in ERRORS.values() if info.close_code})
