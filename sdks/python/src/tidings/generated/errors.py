# Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
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
    BAD_REQUEST = "bad_request"
    INVALID_JSON = "invalid_json"
    VALIDATION_FAILED = "validation_failed"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INVALID_ACK_TOKEN = "invalid_ack_token"
    PLAN_BOUND_EXCEEDED = "plan_bound_exceeded"
    INSUFFICIENT_STORAGE = "insufficient_storage"
    UNSTORABLE_TEXT = "unstorable_text"
    INVALID_KEY_MATERIAL = "invalid_key_material"
    CONFLICT = "conflict"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    REQUEST_HEADER_FIELDS_TOO_LARGE = "request_header_fields_too_large"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    SIGNUP_CLOSED = "signup_closed"
    RATE_LIMITED = "rate_limited"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    INTERNAL_ERROR = "internal_error"
    DEPENDENCY_UNAVAILABLE = "dependency_unavailable"
    GOING_AWAY = "going_away"
    EVENT_TOO_LARGE = "event_too_large"
    RETENTION_EXCEEDED = "retention_exceeded"
    SCHEMA_VIOLATION = "schema_violation"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID_CURSOR = "invalid_cursor"
    CURSOR_EXPIRED = "cursor_expired"
    SCHEMA_INCOMPATIBLE = "schema_incompatible"
    SCHEMA_UNSUPPORTED = "schema_unsupported"
    SCHEMA_TOO_EXPENSIVE = "schema_too_expensive"
    SCHEMA_LIMIT_REACHED = "schema_limit_reached"
    INVALID_FRAME = "invalid_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions"
    NOT_SUBSCRIBED = "not_subscribed"
    SLOW_CONSUMER = "slow_consumer"
    CONNECTION_LIMIT = "connection_limit"
    TENANT_SUSPENDED = "tenant_suspended"
    TOKEN_EXPIRED = "token_expired"
    IDLE_TIMEOUT = "idle_timeout"
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    PROJECT_LIMIT_REACHED = "project_limit_reached"
    WEBHOOK_SIGNATURE_INVALID = "webhook_signature_invalid"
    BILLING_NOT_CONFIGURED = "billing_not_configured"
    INVALID_USAGE_RANGE = "invalid_usage_range"
    PAYMENT_PROVIDER_UNAVAILABLE = "payment_provider_unavailable"


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
        ErrorCode.BAD_REQUEST: ErrorInfo(
            ErrorCode.BAD_REQUEST,
            "Bad Request",
            retryable=False,
            status=400,
            close_code=None,
            action=None,
            description="The request could not be understood (malformed syntax).",
            frame=False,
        ),
        ErrorCode.INVALID_JSON: ErrorInfo(
            ErrorCode.INVALID_JSON,
            "Invalid JSON",
            retryable=False,
            status=400,
            close_code=None,
            action=None,
            description="The body is not valid UTF-8 JSON.",
            frame=False,
        ),
        ErrorCode.VALIDATION_FAILED: ErrorInfo(
            ErrorCode.VALIDATION_FAILED,
            "Validation Failed",
            retryable=False,
            status=400,
            close_code=None,
            action=None,
            description="A parameter or the body does not match the schema; `errors` lists the violations.",
            frame=False,
        ),
        ErrorCode.NOT_FOUND: ErrorInfo(
            ErrorCode.NOT_FOUND,
            "Not Found",
            retryable=False,
            status=404,
            close_code=4404,
            action="terminal",
            description="No such resource or route.",
            frame=True,
        ),
        ErrorCode.METHOD_NOT_ALLOWED: ErrorInfo(
            ErrorCode.METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            retryable=False,
            status=405,
            close_code=None,
            action=None,
            description="The route exists but not with this method; see the `Allow` header.",
            frame=False,
        ),
        ErrorCode.NOT_ACCEPTABLE: ErrorInfo(
            ErrorCode.NOT_ACCEPTABLE,
            "Not Acceptable",
            retryable=False,
            status=406,
            close_code=None,
            action=None,
            description="The server cannot answer in a media type the `Accept` header allows.",
            frame=False,
        ),
        ErrorCode.PAYLOAD_TOO_LARGE: ErrorInfo(
            ErrorCode.PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            retryable=False,
            status=413,
            close_code=None,
            action=None,
            description="The request body is over the configured size limit.",
            frame=False,
        ),
        ErrorCode.INVALID_ACK_TOKEN: ErrorInfo(
            ErrorCode.INVALID_ACK_TOKEN,
            "Invalid Ack Token",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="An ack token was altered or belongs to another subscription; acknowledge with the tokens `pull` returned.",
            frame=True,
        ),
        ErrorCode.PLAN_BOUND_EXCEEDED: ErrorInfo(
            ErrorCode.PLAN_BOUND_EXCEEDED,
            "Over the Plan's Bound",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="A setting is above what the tenant's plan allows; `errors` names each setting and its bound.",
            frame=False,
        ),
        ErrorCode.INSUFFICIENT_STORAGE: ErrorInfo(
            ErrorCode.INSUFFICIENT_STORAGE,
            "Insufficient Storage",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The cluster cannot reserve the storage the retention policy asks for; lower `max_bytes`.",
            frame=False,
        ),
        ErrorCode.UNSTORABLE_TEXT: ErrorInfo(
            ErrorCode.UNSTORABLE_TEXT,
            "Unstorable Text",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="A text field or key holds a NUL (U+0000) character, which the database cannot store.",
            frame=False,
        ),
        ErrorCode.INVALID_KEY_MATERIAL: ErrorInfo(
            ErrorCode.INVALID_KEY_MATERIAL,
            "Invalid Key Material",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The key is well-formed text but not a usable key for its algorithm (not PEM, wrong type, RSA under 2048 bits).",
            frame=False,
        ),
        ErrorCode.CONFLICT: ErrorInfo(
            ErrorCode.CONFLICT,
            "Conflict",
            retryable=False,
            status=409,
            close_code=None,
            action=None,
            description="The request conflicts with the current state (a slug or id already taken, the last owner).",
            frame=False,
        ),
        ErrorCode.UNSUPPORTED_MEDIA_TYPE: ErrorInfo(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type",
            retryable=False,
            status=415,
            close_code=None,
            action=None,
            description="The body's `Content-Type` is not one the operation accepts.",
            frame=False,
        ),
        ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE: ErrorInfo(
            ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Request Header Fields Too Large",
            retryable=False,
            status=431,
            close_code=None,
            action=None,
            description="The request line and headers are over 64 KiB, or there are more than 128 header fields; the connection is closed.",
            frame=False,
        ),
        ErrorCode.UNAUTHENTICATED: ErrorInfo(
            ErrorCode.UNAUTHENTICATED,
            "Unauthenticated",
            retryable=False,
            status=401,
            close_code=4401,
            action="terminal",
            description="No credential, or one that is malformed, unknown, revoked or expired.",
            frame=False,
        ),
        ErrorCode.FORBIDDEN: ErrorInfo(
            ErrorCode.FORBIDDEN,
            "Forbidden",
            retryable=False,
            status=403,
            close_code=4403,
            action="terminal",
            description="The credential is valid but lacks the permission for this action.",
            frame=False,
        ),
        ErrorCode.SIGNUP_CLOSED: ErrorInfo(
            ErrorCode.SIGNUP_CLOSED,
            "Sign-up Closed",
            retryable=False,
            status=403,
            close_code=None,
            action=None,
            description="The operator has turned self-service sign-up off; ask for an invitation.",
            frame=False,
        ),
        ErrorCode.RATE_LIMITED: ErrorInfo(
            ErrorCode.RATE_LIMITED,
            "Too Many Requests",
            retryable=True,
            status=429,
            close_code=4429,
            action="reconnect",
            description="A rate limit was reached; retry after `Retry-After` seconds (`RateLimit-*` headers say which limit).",
            frame=False,
        ),
        ErrorCode.ORIGIN_NOT_ALLOWED: ErrorInfo(
            ErrorCode.ORIGIN_NOT_ALLOWED,
            "Origin Not Allowed",
            retryable=False,
            status=403,
            close_code=4406,
            action="terminal",
            description="A client token was used from a browser page (its `Origin` header) that is not in the project's `allowed_origins`, or a CORS preflight came from such a page; API keys are not checked.",
            frame=False,
        ),
        ErrorCode.INTERNAL_ERROR: ErrorInfo(
            ErrorCode.INTERNAL_ERROR,
            "Internal Server Error",
            retryable=True,
            status=500,
            close_code=4500,
            action="reconnect",
            description="An unexpected error; nothing internal is disclosed. Quote the request id.",
            frame=False,
        ),
        ErrorCode.DEPENDENCY_UNAVAILABLE: ErrorInfo(
            ErrorCode.DEPENDENCY_UNAVAILABLE,
            "Service Unavailable",
            retryable=True,
            status=503,
            close_code=4503,
            action="reconnect",
            description="A dependency (database or JetStream) is unreachable; retry after `Retry-After`.",
            frame=False,
        ),
        ErrorCode.GOING_AWAY: ErrorInfo(
            ErrorCode.GOING_AWAY,
            "Going Away",
            retryable=True,
            status=None,
            close_code=4001,
            action="reconnect",
            description="The node is shutting down; reconnect (to another node) and resume from your cursor.",
            frame=False,
        ),
        ErrorCode.EVENT_TOO_LARGE: ErrorInfo(
            ErrorCode.EVENT_TOO_LARGE,
            "Event Too Large",
            retryable=False,
            status=413,
            close_code=None,
            action=None,
            description="An event's `data` is over the event size limit (64 KiB by default); `errors` points at it.",
            frame=False,
        ),
        ErrorCode.RETENTION_EXCEEDED: ErrorInfo(
            ErrorCode.RETENTION_EXCEEDED,
            "Event Exceeds Retention",
            retryable=False,
            status=413,
            close_code=None,
            action=None,
            description="The event (or the batch together) is larger than the project's retention `max_bytes`, or the batch has more events than `max_events`: JetStream would store it and remove it at once, so it is refused and nothing is stored. Publish less, or raise the retention limits.",
            frame=False,
        ),
        ErrorCode.SCHEMA_VIOLATION: ErrorInfo(
            ErrorCode.SCHEMA_VIOLATION,
            "Schema Violation",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="An event's `data` does not match a schema registered for its topic; `errors` lists each violation with its JSON pointer.",
            frame=False,
        ),
        ErrorCode.IDEMPOTENCY_CONFLICT: ErrorInfo(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "Idempotency Key Reused",
            retryable=False,
            status=409,
            close_code=None,
            action=None,
            description="The `Idempotency-Key` (or event id) was already used, within the duplicate window, for a different request body.",
            frame=False,
        ),
        ErrorCode.INVALID_CURSOR: ErrorInfo(
            ErrorCode.INVALID_CURSOR,
            "Invalid Cursor",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The cursor is malformed or was altered; cursors are opaque and must be passed back as received.",
            frame=True,
        ),
        ErrorCode.CURSOR_EXPIRED: ErrorInfo(
            ErrorCode.CURSOR_EXPIRED,
            "Cursor Expired",
            retryable=False,
            status=410,
            close_code=None,
            action=None,
            description="Events after the cursor are no longer stored (retention), or the project's stream was recreated (another epoch); `errors[0].oldest_cursor` is where reading can resume.",
            frame=False,
        ),
        ErrorCode.SCHEMA_INCOMPATIBLE: ErrorInfo(
            ErrorCode.SCHEMA_INCOMPATIBLE,
            "Schema Incompatible",
            retryable=False,
            status=409,
            close_code=None,
            action=None,
            description="The new schema version is not backward compatible with the current one (the rule is in the `SchemaCreate` description); `errors` lists why.",
            frame=False,
        ),
        ErrorCode.SCHEMA_UNSUPPORTED: ErrorInfo(
            ErrorCode.SCHEMA_UNSUPPORTED,
            "Schema Unsupported",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The schema uses a construct the server cannot run in linear time or resolve locally (a backreference or lookaround in a `pattern` or `patternProperties` key, `$dynamicRef`, `$id` below the root); `errors` points at each and names the construct.",
            frame=False,
        ),
        ErrorCode.SCHEMA_TOO_EXPENSIVE: ErrorInfo(
            ErrorCode.SCHEMA_TOO_EXPENSIVE,
            "Schema Too Expensive",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="Validation would be over the budget of one event. At registration, the schema alone is (a `$ref` cycle that does not descend into the value, subschemas that multiply through `$ref`/`allOf`/`anyOf`/`oneOf` or recursion, or over the limits of 2,048 subschemas, 1,024 `enum` values, 64 levels of nesting, 1,000 characters or 1 MiB compiled per pattern); at publish, the event against every schema for its topic is (a smaller or shallower event fits). `errors` points at the cause.",
            frame=False,
        ),
        ErrorCode.SCHEMA_LIMIT_REACHED: ErrorInfo(
            ErrorCode.SCHEMA_LIMIT_REACHED,
            "Schema Limit Reached",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The project already has active schemas for 100 topics or patterns; deprecate one before registering a schema for another topic.",
            frame=False,
        ),
        ErrorCode.INVALID_FRAME: ErrorInfo(
            ErrorCode.INVALID_FRAME,
            "Invalid Frame",
            retryable=False,
            status=None,
            close_code=4400,
            action="terminal",
            description="A client frame is not one JSON object of a known type with valid fields; the client is broken.",
            frame=False,
        ),
        ErrorCode.FRAME_TOO_LARGE: ErrorInfo(
            ErrorCode.FRAME_TOO_LARGE,
            "Frame Too Large",
            retryable=False,
            status=None,
            close_code=4409,
            action="terminal",
            description="A client frame is over the `max_frame_bytes` announced in `welcome`.",
            frame=False,
        ),
        ErrorCode.TOO_MANY_SUBSCRIPTIONS: ErrorInfo(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            "Too Many Subscriptions",
            retryable=False,
            status=None,
            close_code=None,
            action=None,
            description="The connection already holds its maximum of subscriptions; unsubscribe first or open another connection.",
            frame=True,
        ),
        ErrorCode.NOT_SUBSCRIBED: ErrorInfo(
            ErrorCode.NOT_SUBSCRIBED,
            "Not Subscribed",
            retryable=False,
            status=None,
            close_code=None,
            action=None,
            description="The frame names a subscription the connection does not hold.",
            frame=True,
        ),
        ErrorCode.SLOW_CONSUMER: ErrorInfo(
            ErrorCode.SLOW_CONSUMER,
            "Slow Consumer",
            retryable=True,
            status=None,
            close_code=4008,
            action="reconnect",
            description="The client did not read fast enough and its bounded send queue overflowed; reconnect and resume from your last cursor (nothing is lost).",
            frame=False,
        ),
        ErrorCode.CONNECTION_LIMIT: ErrorInfo(
            ErrorCode.CONNECTION_LIMIT,
            "Connection Limit",
            retryable=True,
            status=429,
            close_code=4430,
            action="reconnect",
            description="The tenant holds its maximum of concurrent realtime connections (for SSE, of SSE streams) across the cluster; retry later with backoff.",
            frame=False,
        ),
        ErrorCode.TENANT_SUSPENDED: ErrorInfo(
            ErrorCode.TENANT_SUSPENDED,
            "Tenant Suspended",
            retryable=False,
            status=403,
            close_code=4423,
            action="terminal",
            description="The tenant or project is suspended (kill switch, billing); nothing is published or delivered until it is resumed.",
            frame=False,
        ),
        ErrorCode.TOKEN_EXPIRED: ErrorInfo(
            ErrorCode.TOKEN_EXPIRED,
            "Token Expired",
            retryable=True,
            status=None,
            close_code=4402,
            action="reconnect",
            description="The connection's credential expired before an `auth` frame replaced it; reconnect with a fresh token and resume from your last cursor.",
            frame=False,
        ),
        ErrorCode.IDLE_TIMEOUT: ErrorInfo(
            ErrorCode.IDLE_TIMEOUT,
            "Idle Timeout",
            retryable=False,
            status=None,
            close_code=4408,
            action="terminal",
            description="The connection held no subscription for longer than the idle timeout.",
            frame=False,
        ),
        ErrorCode.USAGE_LIMIT_REACHED: ErrorInfo(
            ErrorCode.USAGE_LIMIT_REACHED,
            "Usage Limit Reached",
            retryable=False,
            status=403,
            close_code=None,
            action=None,
            description="The tenant used its plan's monthly allowance (events or deliveries) and its plan blocks overage; upgrade the plan or wait for the next month. `errors` names the limit.",
            frame=False,
        ),
        ErrorCode.PROJECT_LIMIT_REACHED: ErrorInfo(
            ErrorCode.PROJECT_LIMIT_REACHED,
            "Project Limit Reached",
            retryable=False,
            status=403,
            close_code=None,
            action=None,
            description="The tenant already has as many projects as its plan allows.",
            frame=False,
        ),
        ErrorCode.WEBHOOK_SIGNATURE_INVALID: ErrorInfo(
            ErrorCode.WEBHOOK_SIGNATURE_INVALID,
            "Invalid Webhook Signature",
            retryable=False,
            status=400,
            close_code=None,
            action=None,
            description="The `Stripe-Signature` header is missing, malformed, too old (over 300 s) or does not sign this body; nothing was processed.",
            frame=False,
        ),
        ErrorCode.BILLING_NOT_CONFIGURED: ErrorInfo(
            ErrorCode.BILLING_NOT_CONFIGURED,
            "Billing Not Configured",
            retryable=False,
            status=409,
            close_code=None,
            action=None,
            description="This server has no Stripe key (`TIDINGS_STRIPE_API_KEY`), or the plan has no Stripe price; billing links cannot be made.",
            frame=False,
        ),
        ErrorCode.INVALID_USAGE_RANGE: ErrorInfo(
            ErrorCode.INVALID_USAGE_RANGE,
            "Invalid Usage Range",
            retryable=False,
            status=422,
            close_code=None,
            action=None,
            description="The usage range ends before it starts, or spans more than 400 days.",
            frame=False,
        ),
        ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE: ErrorInfo(
            ErrorCode.PAYMENT_PROVIDER_UNAVAILABLE,
            "Payment Provider Unavailable",
            retryable=True,
            status=502,
            close_code=None,
            action=None,
            description="Stripe did not answer or refused the request; retry later.",
            frame=False,
        ),
    }
)

BY_CLOSE_CODE: Final = MappingProxyType({info.close_code: info for info in ERRORS.values() if info.close_code})
