# Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""Models of Tidings API 0.1.0: request and response bodies, realtime frames.

Objects are TypedDicts: a value is the plain JSON object, so unknown fields the server adds later
pass through untouched. `NotRequired[X]` means the key may be absent; `X | None` means it may be
null; a field can be both.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "JsonValue",
    "Ack",
    "AckRequest",
    "AckRequestAction",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyList",
    "ApiKeyWithSecret",
    "AuditEntry",
    "AuditEntryActor",
    "AuditEntryActorType",
    "AuditEntryTarget",
    "AuditList",
    "Auth",
    "Authed",
    "BillingState",
    "Capabilities",
    "CheckoutRequest",
    "ClientFrame",
    "ClientToken",
    "Cursor",
    "DeadLetter",
    "DeadLetterList",
    "Delivery",
    "DeliveryList",
    "DependencyCheck",
    "DurableName",
    "Email",
    "ErrorFrame",
    "Event",
    "EventBatchCreate",
    "EventCreate",
    "EventCursor",
    "EventFrame",
    "EventId",
    "EventPage",
    "EventsFrame",
    "FrameId",
    "Grants",
    "Health",
    "Id",
    "Invitation",
    "InvitationAccept",
    "InvitationCreate",
    "Kid",
    "LimitUsage",
    "Login",
    "Member",
    "MemberList",
    "MemberUpdate",
    "Metrics",
    "Name",
    "PageCursor",
    "Password",
    "Patterns",
    "Ping",
    "Plan",
    "PlanList",
    "PlanName",
    "PlanOverage",
    "PlanUpdate",
    "PlanUpdateOverage",
    "Pong",
    "PortalRequest",
    "Problem",
    "Project",
    "ProjectCreate",
    "ProjectList",
    "ProjectSettings",
    "ProjectState",
    "ProjectUpdate",
    "Published",
    "PublishedBatch",
    "PullRequest",
    "PurgeResult",
    "RateLimit",
    "Readiness",
    "ReadinessStatus",
    "RefreshRequest",
    "Reset",
    "ResetReason",
    "Resume",
    "ResumeStatus",
    "Retention",
    "RetentionState",
    "ReturnUrl",
    "Role",
    "SchemaCreate",
    "SchemaCreateCompatibility",
    "ServerFrame",
    "Session",
    "SessionLink",
    "SigningAlg",
    "SigningKey",
    "SigningKeyCreate",
    "SigningKeyList",
    "SigningKeyWithSecret",
    "Signup",
    "Slug",
    "StripeEvent",
    "Subscribe",
    "Subscribed",
    "Subscription",
    "SubscriptionCreate",
    "SubscriptionList",
    "SubscriptionName",
    "Suspend",
    "SuspendReason",
    "Tenant",
    "TenantCreate",
    "TenantList",
    "TenantPlan",
    "TenantStatus",
    "TenantUpdate",
    "Timestamp",
    "TokenRequest",
    "Topic",
    "TopicPattern",
    "TopicSchema",
    "TopicSchemaList",
    "TopicSchemaStatus",
    "Unsubscribe",
    "Unsubscribed",
    "Usage",
    "UsageDay",
    "UsageExport",
    "UsageMonth",
    "UsageRow",
    "UsageRowKind",
    "User",
    "UserMembershipsItem",
    "Version",
    "Violation",
    "WebhookReceipt",
    "WebhookReceiptOutcome",
    "Welcome",
    "Whoami",
    "WhoamiCredential",
]

JsonValue: TypeAlias = "dict[str, JsonValue] | list[JsonValue] | str | int | float | bool | None"


class Ack(TypedDict):
    """Acknowledge an event of a durable subscription (by the event's cursor)."""
    type: Literal["ack"]
    id: NotRequired[FrameId]
    durable: DurableName
    cursor: Cursor


class AckRequest(TypedDict):
    ack_tokens: list[str]
    # `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter).
    action: NotRequired[AckRequestAction]


# `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter).
AckRequestAction: TypeAlias = Literal["ack", "nak", "term"]


class ApiKey(TypedDict):
    id: Id
    # The public part of the key, safe to log.
    key_id: str
    project_id: Id
    name: Name
    scopes: Grants
    rate_limit: NotRequired[RateLimit]
    created_at: Timestamp
    last_used_at: NotRequired[Timestamp]
    expires_at: NotRequired[Timestamp]
    revoked_at: NotRequired[Timestamp]


class ApiKeyCreate(TypedDict):
    name: Name
    scopes: Grants
    expires_at: NotRequired[Timestamp]
    rate_limit: NotRequired[RateLimit]


class ApiKeyList(TypedDict):
    items: list[ApiKey]
    next_cursor: NotRequired[PageCursor]


class ApiKeyWithSecret(TypedDict):
    id: Id
    # The public part of the key, safe to log.
    key_id: str
    project_id: Id
    name: Name
    scopes: Grants
    rate_limit: NotRequired[RateLimit]
    created_at: Timestamp
    last_used_at: NotRequired[Timestamp]
    expires_at: NotRequired[Timestamp]
    revoked_at: NotRequired[Timestamp]
    # The whole key. Shown this once; store it now.
    key: str


class AuditEntry(TypedDict):
    id: str
    tenant_id: NotRequired[Id]
    action: str
    actor: AuditEntryActor
    target: NotRequired[AuditEntryTarget]
    request_id: NotRequired[str]
    source_ip: NotRequired[str]
    details: NotRequired[dict[str, JsonValue]]
    created_at: Timestamp


class AuditEntryActor(TypedDict):
    type: AuditEntryActorType
    id: str


AuditEntryActorType: TypeAlias = Literal["user", "api_key", "operator", "system"]


class AuditEntryTarget(TypedDict):
    type: str
    id: str


class AuditList(TypedDict):
    items: list[AuditEntry]
    next_cursor: NotRequired[PageCursor]


class Auth(TypedDict):
    """Replace the connection's credential (a fresh client token) without dropping subscriptions."""
    type: Literal["auth"]
    id: NotRequired[FrameId]
    token: str


class Authed(TypedDict):
    type: Literal["authed"]
    id: NotRequired[FrameId]
    expires_at: Timestamp


class BillingState(TypedDict):
    tenant_id: Id
    status: TenantStatus
    plan: str
    trial_ends_at: NotRequired[str | None]
    suspended_reason: NotRequired[str | None]
    subscription_status: NotRequired[str | None]
    past_due_since: NotRequired[str | None]
    has_stripe_customer: bool
    has_payment_method: bool


class Capabilities(TypedDict):
    """Scope → topic patterns for a client token (no `admin`)."""
    publish: NotRequired[Patterns]
    subscribe: NotRequired[Patterns]
    history: NotRequired[Patterns]


class CheckoutRequest(TypedDict):
    plan: PlanName
    success_url: ReturnUrl
    cancel_url: ReturnUrl


# Tagged by `type`: subscribe -> Subscribe, unsubscribe -> Unsubscribe, ack -> Ack, ping -> Ping, auth -> Auth.
ClientFrame: TypeAlias = "Subscribe | Unsubscribe | Ack | Ping | Auth"


class ClientToken(TypedDict):
    # A JWT for browsers and devices (`Authorization: Bearer`, or `?token=` on realtime endpoints).
    token: str
    expires_at: Timestamp


Cursor: TypeAlias = "EventCursor"


class DeadLetter(TypedDict):
    id: str
    subscription: SubscriptionName
    reason: str
    deliveries: int
    dead_at: str
    event: Event


class DeadLetterList(TypedDict):
    items: list[DeadLetter]
    next_cursor: NotRequired[PageCursor]


class Delivery(TypedDict):
    event: Event
    # Acknowledge this delivery with it (`…/ack`).
    ack_token: str
    # Times this event was delivered to the subscription, this one included.
    deliveries: int


class DeliveryList(TypedDict):
    items: list[Delivery]


class DependencyCheck(TypedDict):
    ok: bool
    latency_ms: NotRequired[float]
    # Why the dependency is not reachable (present when `ok` is false).
    error: NotRequired[str]


# Name of a durable (acknowledged) subscription of the project.
DurableName: TypeAlias = "str"


# An ASCII address (`local@domain.tld`, local part up to 64 characters); internationalized domains in their punycode form.
Email: TypeAlias = "str"


class ErrorFrame(TypedDict):
    """Sent before the server closes a connection, or in reply to a frame it refuses."""
    type: Literal["error"]
    id: NotRequired[FrameId]
    # Stable code from spec/errors.yaml.
    code: str
    message: str
    # The WebSocket close code that follows, when the server is about to close.
    close_code: NotRequired[int]
    # Whether the client should reconnect (and resume from its last cursor).
    retry: NotRequired[bool]


class Event(TypedDict):
    id: EventId
    topic: Topic
    # The payload as published.
    data: JsonValue
    published_at: Timestamp
    cursor: EventCursor
    # Trace context (`traceparent`) when the publisher sent one.
    headers: NotRequired[dict[str, str]]


class EventBatchCreate(TypedDict):
    # 1 to 100 events, stored in this order. The whole request is at most 1 MiB.
    events: list[EventCreate]


class EventCreate(TypedDict):
    topic: Topic
    # Any JSON value, at most 64 KiB as compact JSON and 32 levels deep; validated against
    # every schema registered for a pattern matching `topic`.
    data: JsonValue
    id: NotRequired[EventId]


# Opaque position in the project's event stream, just after one event; pass it back unchanged.
EventCursor: TypeAlias = "str"


class EventFrame(TypedDict):
    """One event, in order within its topic."""
    id: EventId
    topic: Topic
    # The payload as published.
    data: JsonValue
    published_at: Timestamp
    cursor: EventCursor
    # Trace context (`traceparent`) when the publisher sent one.
    headers: NotRequired[dict[str, str]]
    type: Literal["event"]
    durable: NotRequired[DurableName]


# The event's id. Sent by the publisher (then also its de-duplication id when no
# `Idempotency-Key` is given) or generated by the server.
EventId: TypeAlias = "str"


class EventPage(TypedDict):
    items: list[Event]
    next_cursor: EventCursor
    # Whether more matching events are stored after `next_cursor` now.
    has_more: bool


class EventsFrame(TypedDict):
    """Several events in one frame, in order, each with its own cursor. Sent when more than one
    event is pending for the connection (bursts, replay, catch-up); bounded by count and bytes.
    """
    type: Literal["events"]
    durable: NotRequired[DurableName]
    events: list[Event]


# Optional client-chosen correlation id, echoed in the server's reply.
FrameId: TypeAlias = "str"


class Grants(TypedDict):
    """Scope → topic patterns the scope is limited to. A scope that is absent is not granted;
    `[">"]` grants it on every topic. `admin` ignores patterns (it manages the project).
    """
    publish: NotRequired[Patterns]
    subscribe: NotRequired[Patterns]
    history: NotRequired[Patterns]
    admin: NotRequired[Patterns]


class Health(TypedDict):
    status: Literal["ok"]


Id: TypeAlias = "str"


class Invitation(TypedDict):
    id: Id
    tenant_id: Id
    email: str
    role: Role
    expires_at: Timestamp
    # The invitation secret, shown once; the invitee presents it to accept.
    token: NotRequired[str]


class InvitationAccept(TypedDict):
    """Accept as the signed-in user, or sign up at the same time (with `name` and `password`)."""
    token: str
    name: NotRequired[Name]
    password: NotRequired[Password]


class InvitationCreate(TypedDict):
    email: Email
    role: Role


Kid: TypeAlias = "str"


class LimitUsage(TypedDict):
    # The plan limit (`events_per_month`, `deliveries_per_month`).
    limit: str
    used: int
    max: int
    ratio: float
    # At or past the plan's `warn_ratio` (soft limit).
    warning: bool
    # At or past the limit (hard limit).
    reached: bool


class Login(TypedDict):
    email: Email
    password: str


class Member(TypedDict):
    user_id: Id
    email: str
    name: str
    role: Role
    created_at: Timestamp


class MemberList(TypedDict):
    items: list[Member]


class MemberUpdate(TypedDict):
    role: Role


# Usage by metric: `events_published`, `messages_delivered`, `api_calls`, `connection_seconds`
# (sums), `peak_connections`, `storage_bytes` (daily maxima). Metrics without usage are absent.
Metrics: TypeAlias = "dict[str, int]"


# Printable text (no control characters, C0 or C1) with at least one visible character.
Name: TypeAlias = "str"


# Opaque pagination cursor; pass it back as `after` to get the next page.
PageCursor: TypeAlias = "str"


# 12 to 256 characters.
Password: TypeAlias = "str"


Patterns: TypeAlias = "list[TopicPattern]"


class Ping(TypedDict):
    type: Literal["ping"]
    id: NotRequired[FrameId]


class Plan(TypedDict):
    """A plan's hard limits; `null` is unlimited. Monthly limits count the UTC calendar month."""
    name: PlanName
    display_name: str
    events_per_month: int | None
    deliveries_per_month: int | None
    peak_connections: int | None
    # Events per second
    publish_rate: float | None
    publish_burst: int | None
    max_projects: int | None
    retention_max_age_seconds: int | None
    # Share of a limit past which usage is flagged (soft limit).
    warn_ratio: float
    # `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage.
    overage: PlanOverage
    stripe_price_ids: list[str]


class PlanList(TypedDict):
    items: list[Plan]


PlanName: TypeAlias = "str"


# `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage.
PlanOverage: TypeAlias = Literal["block", "bill"]


class PlanUpdate(TypedDict):
    display_name: NotRequired[Name]
    events_per_month: NotRequired[int | None]
    deliveries_per_month: NotRequired[int | None]
    peak_connections: NotRequired[int | None]
    publish_rate: NotRequired[float | None]
    publish_burst: NotRequired[int | None]
    max_projects: NotRequired[int | None]
    retention_max_age_seconds: NotRequired[int | None]
    warn_ratio: NotRequired[float]
    overage: NotRequired[PlanUpdateOverage]
    stripe_price_ids: NotRequired[list[str]]


PlanUpdateOverage: TypeAlias = Literal["block", "bill"]


class Pong(TypedDict):
    type: Literal["pong"]
    id: NotRequired[FrameId]


class PortalRequest(TypedDict):
    return_url: ReturnUrl


class Problem(TypedDict):
    # A URI reference naming the problem type (`https://tidings.dev/problems/<code>`).
    type: str
    # Short, human-readable summary of the problem type.
    title: str
    # The HTTP status code of this response.
    status: int
    # Stable machine-readable error code (see the error registry, spec/errors.yaml).
    code: str
    # Human-readable explanation specific to this occurrence.
    detail: NotRequired[str]
    # The request path that produced the problem.
    instance: NotRequired[str]
    # The request id (also in the `X-Request-ID` response header); quote it to support.
    request_id: NotRequired[str]
    # Individual violations, for validation problems.
    errors: NotRequired[list[Violation]]


class Project(TypedDict):
    id: Id
    tenant_id: Id
    slug: Slug
    name: Name
    settings: ProjectSettings
    created_at: Timestamp


class ProjectCreate(TypedDict):
    slug: Slug
    name: Name
    settings: NotRequired[ProjectSettings]


class ProjectList(TypedDict):
    items: list[Project]
    next_cursor: NotRequired[PageCursor]


class ProjectSettings(TypedDict):
    """Per-project settings; later issues add retention and limits."""
    # Browser origins (web pages) allowed to use the project's data plane with client tokens:
    # the SSE stream, the WebSocket, publish and replay. Each entry is an origin
    # (`https://app.example.com`, `http://127.0.0.1:17690`; no port means the scheme's default)
    # or a wildcard `https://*.example.com`, which matches any host ending in `.example.com`
    # (one or more labels before it; never `example.com` itself) with that scheme and port.
    # Matching is on the whole origin (full match), case-insensitive on the host; `null`
    # origins match nothing. An allowed origin gets CORS headers (`Access-Control-Allow-Origin`
    # with that origin, `Vary: Origin`); any other gets none, and a client token sent from it is
    # refused with `origin_not_allowed` (403 over HTTP, close 4406 on WebSocket). API keys are
    # not checked (servers send no `Origin`). Empty (the default) allows any origin: set it in
    # production, so a client token is usable only from your own sites.
    allowed_origins: NotRequired[list[str]]
    # The longest a client token of this project may live, in seconds (default one day). Enforced
    # at verification for every client token, minted by the server or signed by your backend: a
    # token whose `exp` is further than this from now, or from its `iat`, is refused (401 / close
    # 4401). Minting a longer `ttl_seconds` is 400 `validation_failed`.
    max_client_token_ttl: NotRequired[int]


class ProjectState(TypedDict):
    id: Id
    tenant_id: Id
    suspended: bool


class ProjectUpdate(TypedDict):
    name: NotRequired[Name]
    settings: NotRequired[ProjectSettings]


class Published(TypedDict):
    id: EventId
    topic: Topic
    cursor: EventCursor
    published_at: Timestamp
    # True when this answers a retry within the duplicate window (the original event, not a new one).
    duplicate: bool


class PublishedBatch(TypedDict):
    items: list[Published]


class PullRequest(TypedDict):
    max_events: NotRequired[int]
    # How long to wait for a first event when none is pending.
    wait_ms: NotRequired[int]


class PurgeResult(TypedDict):
    purged: int


class RateLimit(TypedDict):
    """Per-key override of the plan's request rate."""
    per_second: float
    burst: int


class Readiness(TypedDict):
    status: ReadinessStatus
    # One entry per dependency.
    checks: dict[str, DependencyCheck]


ReadinessStatus: TypeAlias = Literal["ready", "unavailable"]


class RefreshRequest(TypedDict):
    refresh_token: str


class Reset(TypedDict):
    """The cursor of a subscription is older than what the stream keeps (retention) or of another
    stream epoch. Events between it and `oldest_cursor` are gone; the subscription continues from
    `oldest_cursor`. Never silent loss: the client decides what to do (e.g. refetch state).
    """
    type: Literal["reset"]
    id: NotRequired[FrameId]
    topic: str
    oldest_cursor: Cursor
    reason: ResetReason


ResetReason: TypeAlias = Literal["expired", "epoch"]


class Resume(TypedDict):
    # The status to resume in; default `active`, or `trialing` while the trial lasts.
    status: NotRequired[ResumeStatus]


# The status to resume in; default `active`, or `trialing` while the trial lasts.
ResumeStatus: TypeAlias = Literal["active", "trialing"]


class Retention(TypedDict):
    """Limits of the project's stream, applied by JetStream at once: events older than
    `max_age_seconds` are removed, and the oldest go whenever more than `max_events` events or
    `max_bytes` bytes are stored. Bounded by the plan.
    """
    max_age_seconds: int
    max_events: int
    max_bytes: int


class RetentionState(TypedDict):
    policy: Retention
    stored_events: int
    stored_bytes: int
    oldest_cursor: EventCursor


ReturnUrl: TypeAlias = "str"


# A member's role in a tenant (see the permission matrix in docs/rbac.md).
Role: TypeAlias = Literal["owner", "admin", "developer", "billing", "viewer"]


class SchemaCreate(TypedDict):
    """Registers a new version of the schema for `topic` (a topic or pattern). With
    `compatibility: backward` (default), every event valid under the current version must
    stay valid under the new one, checked structurally: `type` may only widen, `required`
    may not grow, properties may not be removed under `additionalProperties: false` nor may it
    become false, `enum` may only grow, `const` may not change, bounds may only loosen, and
    `pattern`/`format` may not be added or changed. `none` skips the check.

    Patterns (`pattern`, `patternProperties` keys) run on a linear-time engine (RE2
    semantics: Rust's `regex` crate), so no pattern and string can make validation
    backtrack. ECMA-262 constructs that need backtracking are refused with 422
    `schema_unsupported` naming the construct: backreferences (`\\1`, `\\k<name>`) and
    lookaround (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`); so are `$dynamicRef` and `$id` below
    the root. A pattern is at most 1,000 characters and 1 MiB compiled (a large counted
    repetition such as `(\\p{L}|\\p{N}){1,100}` is over it: 400 `validation_failed`).
    `format` is an annotation, not checked.

    Validation has a budget per event. At registration the schema's work per value is
    bounded statically: a `$ref` cycle that does not descend into the value, subschemas
    multiplying through `$ref`/`allOf`/`anyOf`/`oneOf` or recursion past the budget for one
    value, more than 2,048 subschemas, an `enum` of more than 1,024 values or nesting deeper
    than 64 levels are refused with 422 `schema_too_expensive`. At publish, an event whose
    work against every schema for its topic is over the budget is refused with 422
    `schema_too_expensive` before anything is validated or stored. A project has active
    schemas for at most 100 topics or patterns (422 `schema_limit_reached`).
    """
    topic: TopicPattern
    # A JSON Schema (draft 2020-12), at most 64 KiB, with local `$ref`s only.
    schema: dict[str, JsonValue]
    description: NotRequired[str]
    compatibility: NotRequired[SchemaCreateCompatibility]


SchemaCreateCompatibility: TypeAlias = Literal["backward", "none"]


# Tagged by `type`: welcome -> Welcome, subscribed -> Subscribed, unsubscribed -> Unsubscribed, event -> EventFrame, events -> EventsFrame, reset -> Reset, pong -> Pong, authed -> Authed, error -> ErrorFrame.
ServerFrame: TypeAlias = "Welcome | Subscribed | Unsubscribed | EventFrame | EventsFrame | Reset | Pong | Authed | ErrorFrame"


class Session(TypedDict):
    """A user session. The access token is short-lived; the refresh token rotates on every use."""
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    # Seconds until the access token expires.
    expires_in: int


class SessionLink(TypedDict):
    url: str


SigningAlg: TypeAlias = Literal["HS256", "EdDSA", "RS256"]


class SigningKey(TypedDict):
    kid: Kid
    alg: SigningAlg
    # PEM public key (EdDSA, RS256).
    public_key: NotRequired[str]
    # Present when an API key registered this signing key: that key's `publish`, `subscribe` and
    # `history` grants, the most a token signed with it may carry (a token asking for more is
    # refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
    # signed-in user, no cap beyond the project's.
    max_capabilities: NotRequired[Capabilities]
    created_at: Timestamp


class SigningKeyCreate(TypedDict):
    """HS256: the server generates the secret and returns it once. EdDSA (Ed25519) and RS256
    (2048 bits or more): send the PEM public key; the private key never leaves your backend.
    """
    kid: Kid
    alg: SigningAlg
    public_key: NotRequired[str]


class SigningKeyList(TypedDict):
    items: list[SigningKey]


class SigningKeyWithSecret(TypedDict):
    kid: Kid
    alg: SigningAlg
    # PEM public key (EdDSA, RS256).
    public_key: NotRequired[str]
    # Present when an API key registered this signing key: that key's `publish`, `subscribe` and
    # `history` grants, the most a token signed with it may carry (a token asking for more is
    # refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
    # signed-in user, no cap beyond the project's.
    max_capabilities: NotRequired[Capabilities]
    created_at: Timestamp
    # For HS256 keys, the generated secret, shown this once. Sign with it as the HMAC key as it is (its ASCII bytes).
    secret: NotRequired[str]


class Signup(TypedDict):
    email: Email
    password: Password
    name: Name
    tenant: TenantCreate


# Lower-case letters, digits and single hyphens; starts with a letter.
Slug: TypeAlias = "str"


# A Stripe event as Stripe sends it; verified against `Stripe-Signature` on the raw body.
StripeEvent: TypeAlias = "dict[str, JsonValue]"


class Subscribe(TypedDict):
    """Start receiving events whose topic matches `topic` (NATS semantics: `*` one token, `>` the
    rest). With `cursor`, events after it are replayed first, then live ones follow with no
    gap and no duplicate. With `durable`, events come from that durable subscription and each
    must be acknowledged (`ack`); unacknowledged ones are redelivered.
    """
    type: Literal["subscribe"]
    id: NotRequired[FrameId]
    topic: TopicPattern
    cursor: NotRequired[Cursor]
    durable: NotRequired[DurableName]


class Subscribed(TypedDict):
    type: Literal["subscribed"]
    id: NotRequired[FrameId]
    topic: str
    durable: NotRequired[DurableName]
    # Where delivery starts: events after this cursor follow. Without a `cursor` in
    # `subscribe`, the stream's position when the subscription went live; with one, that
    # cursor (the replay of what follows it comes first).
    cursor: NotRequired[Cursor]


class Subscription(TypedDict):
    name: SubscriptionName
    topic: TopicPattern
    ack_wait_seconds: int
    max_deliveries: int
    created_at: Timestamp


class SubscriptionCreate(TypedDict):
    name: SubscriptionName
    topic: TopicPattern
    # Seconds an unacknowledged delivery waits before it is delivered again.
    ack_wait_seconds: NotRequired[int]
    # Deliveries before an event goes to the dead-letter stream.
    max_deliveries: NotRequired[int]


class SubscriptionList(TypedDict):
    items: list[Subscription]
    next_cursor: NotRequired[PageCursor]


SubscriptionName: TypeAlias = "str"


class Suspend(TypedDict):
    reason: NotRequired[SuspendReason]
    note: NotRequired[str]


SuspendReason: TypeAlias = Literal["operator", "abuse", "usage"]


class Tenant(TypedDict):
    id: Id
    slug: Slug
    name: Name
    status: TenantStatus
    plan: str
    created_at: Timestamp
    role: NotRequired[Role]


class TenantCreate(TypedDict):
    slug: Slug
    name: Name


class TenantList(TypedDict):
    items: list[Tenant]
    next_cursor: NotRequired[PageCursor]


class TenantPlan(TypedDict):
    plan: PlanName


TenantStatus: TypeAlias = Literal["trialing", "active", "past_due", "suspended", "canceled"]


class TenantUpdate(TypedDict):
    name: NotRequired[Name]


Timestamp: TypeAlias = "str"


class TokenRequest(TypedDict):
    # Your end user's id, carried as the token's `sub`.
    user_id: str
    capabilities: Capabilities
    ttl_seconds: NotRequired[int]


# A concrete topic: 1 to 16 dot-separated tokens of `A-Z a-z 0-9 _ -` (case-sensitive), at
# most 255 characters, no wildcards. Subscriptions and filters use patterns (`*`, `>`).
Topic: TypeAlias = "str"


# A topic or a NATS-style pattern: dot-separated tokens of `A-Z a-z 0-9 _ -`, where a token
# may be `*` (exactly one token) and the last token may be `>` (one or more tokens).
TopicPattern: TypeAlias = "str"


class TopicSchema(TypedDict):
    id: Id
    topic: TopicPattern
    version: int
    schema: dict[str, JsonValue]
    description: NotRequired[str]
    status: TopicSchemaStatus
    created_at: Timestamp
    deprecated_at: NotRequired[Timestamp]


class TopicSchemaList(TypedDict):
    items: list[TopicSchema]
    next_cursor: NotRequired[PageCursor]


TopicSchemaStatus: TypeAlias = Literal["active", "deprecated"]


class Unsubscribe(TypedDict):
    type: Literal["unsubscribe"]
    id: NotRequired[FrameId]
    topic: TopicPattern


class Unsubscribed(TypedDict):
    type: Literal["unsubscribed"]
    id: NotRequired[FrameId]
    topic: str


class Usage(TypedDict):
    """Usage from the ledger, in daily (UTC) buckets. Counts reach the ledger within
    `TIDINGS_USAGE_FLUSH_INTERVAL` (5 s) of happening.
    """
    tenant_id: Id
    project_id: NotRequired[Id]
    start: str
    end: str
    days: list[UsageDay]
    totals: Metrics
    plan: str
    # The current month's totals of the tenant (what the limits count).
    month: UsageMonth
    limits: list[LimitUsage]


class UsageDay(TypedDict):
    day: str
    metrics: Metrics


class UsageExport(TypedDict):
    tenant_id: Id
    start: str
    end: str
    rows: list[UsageRow]


class UsageMonth(TypedDict):
    """The current month's totals of the tenant (what the limits count)."""
    start: str
    totals: Metrics


class UsageRow(TypedDict):
    day: str
    project_id: Id
    metric: str
    quantity: int
    kind: UsageRowKind


UsageRowKind: TypeAlias = Literal["sum", "max"]


class User(TypedDict):
    id: Id
    email: str
    name: str
    # Platform operator (cross-tenant support and kill switch).
    operator: bool
    memberships: list[UserMembershipsItem]


class UserMembershipsItem(TypedDict):
    tenant_id: Id
    role: Role


class Version(TypedDict):
    # The server's release version.
    version: str
    # The version of spec/openapi.yaml the server implements.
    api_version: str
    python: str


class Violation(TypedDict):
    # JSON Pointer (RFC 6901) into the request body, or the parameter name.
    pointer: NotRequired[str]
    message: str


class WebhookReceipt(TypedDict):
    received: bool
    outcome: WebhookReceiptOutcome


WebhookReceiptOutcome: TypeAlias = Literal["processed", "duplicate", "ignored", "stale"]


class Welcome(TypedDict):
    """First frame of every connection."""
    type: Literal["welcome"]
    connection_id: str
    # The server sends a frame (or a ping) at least this often; silence for twice as long means a dead connection.
    heartbeat_ms: int
    # The largest client frame the server accepts.
    max_frame_bytes: int


class Whoami(TypedDict):
    credential: WhoamiCredential
    # `key:<key id>`, the client token's end-user id, or the user id.
    subject: str
    # Public id of the API key (the part of the key that is safe to log).
    key_id: NotRequired[str]
    tenant_id: NotRequired[Id]
    project_id: NotRequired[Id]
    # Scope → topic patterns (API keys and client tokens).
    scopes: NotRequired[dict[str, list[str]]]


WhoamiCredential: TypeAlias = Literal["api_key", "client_token", "user"]
