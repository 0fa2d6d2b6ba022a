"""Errors of the event pipeline (all `RequestError`s of `tidings_server.errors`).

EventError (RequestError)
├── EventTooLarge          413 `event_too_large`
├── SchemaViolation        422 `schema_violation`, one violation per JSON pointer
├── IdempotencyConflict    409 `idempotency_conflict`
├── InvalidCursor          422 `invalid_cursor`
├── CursorExpired          410 `cursor_expired`, carries the oldest valid cursor
├── SchemaIncompatible     409 `schema_incompatible`
├── SchemaUnsupported      422 `schema_unsupported`, a construct the linear-time engine cannot run
├── SchemaTooExpensive     422 `schema_too_expensive`, over the validation budget (schema or event)
└── SchemaLimitReached     422 `schema_limit_reached`, too many topics with a schema in a project
"""

from __future__ import annotations

from collections.abc import Sequence

from tidings_server.errors import RequestError, Violation

__all__ = [
    "CursorExpired",
    "EventError",
    "EventTooLarge",
    "IdempotencyConflict",
    "InvalidCursor",
    "RetentionExceeded",
    "SchemaIncompatible",
    "SchemaLimitReached",
    "SchemaTooExpensive",
    "SchemaUnsupported",
    "SchemaViolation",
]


class EventError(RequestError):
    pass


class EventTooLarge(EventError):
    code = "event_too_large"


class RetentionExceeded(EventError):
    code = "retention_exceeded"


class SchemaViolation(EventError):
    code = "schema_violation"

    def __init__(self, detail: str, errors: Sequence[Violation]) -> None:
        super().__init__(detail, errors=errors)


class IdempotencyConflict(EventError):
    code = "idempotency_conflict"


class InvalidCursor(EventError):
    code = "invalid_cursor"


class CursorExpired(EventError):
    code = "cursor_expired"

    def __init__(self, detail: str, *, parameter: str, oldest_cursor: str) -> None:
        super().__init__(
            f"{detail}; resume from the oldest valid cursor",
            errors=[{"pointer": parameter, "message": detail, "oldest_cursor": oldest_cursor}],
            headers={"Tidings-Oldest-Cursor": oldest_cursor},
        )
        self.oldest_cursor = oldest_cursor


class SchemaIncompatible(EventError):
    code = "schema_incompatible"

    def __init__(self, errors: Sequence[Violation]) -> None:
        super().__init__("the new version is not backward compatible with the current one", errors=errors)


class SchemaUnsupported(EventError):
    code = "schema_unsupported"

    def __init__(self, errors: Sequence[Violation]) -> None:
        super().__init__(
            "the schema uses constructs the linear-time pattern engine cannot run", errors=errors
        )


class SchemaTooExpensive(EventError):
    code = "schema_too_expensive"

    def __init__(self, detail: str, errors: Sequence[Violation]) -> None:
        super().__init__(detail, errors=errors)


class SchemaLimitReached(EventError):
    code = "schema_limit_reached"
