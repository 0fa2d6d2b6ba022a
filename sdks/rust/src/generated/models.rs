// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! Models of Tidings API 0.1.0: request and response bodies, realtime frames.
//!
//! An optional field is `Option<T>` and is left out when `None`; a nullable field is
//! `Option<T>` and is sent as `null`; a field that is both is `Option<Option<T>>` (absent vs null).

#![allow(clippy::large_enum_variant)]

use serde::de::Error as _;
use serde::{Deserialize, Serialize};

/// Keeps `Some(None)` for an explicit `null`, where plain `Option<Option<T>>` would give `None`.
fn deserialize_present<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Acknowledge an event of a durable subscription (by the event's cursor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub durable: DurableName,
    pub cursor: Cursor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckRequest {
    pub ack_tokens: Vec<String>,
    /// `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<AckRequestAction>,
}

/// `ack` (done), `nak` (deliver again now) or `term` (give up, no dead letter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AckRequestAction {
    #[serde(rename = "ack")]
    Ack,
    #[serde(rename = "nak")]
    Nak,
    #[serde(rename = "term")]
    Term,
}

impl AckRequestAction {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Ack, Self::Nak, Self::Term];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ack => "ack",
            Self::Nak => "nak",
            Self::Term => "term",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: Id,
    /// The public part of the key, safe to log.
    pub key_id: String,
    pub project_id: Id,
    pub name: Name,
    pub scopes: Grants,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyCreate {
    pub name: Name,
    pub scopes: Grants,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyList {
    pub items: Vec<ApiKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyWithSecret {
    pub id: Id,
    /// The public part of the key, safe to log.
    pub key_id: String,
    pub project_id: Id,
    pub name: Name,
    pub scopes: Grants,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    /// The whole key. Shown this once; store it now.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<Id>,
    pub action: String,
    pub actor: AuditEntryActor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<AuditEntryTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<std::collections::BTreeMap<String, serde_json::Value>>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryActor {
    pub r#type: AuditEntryActorType,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditEntryActorType {
    #[serde(rename = "user")]
    User,
    #[serde(rename = "api_key")]
    ApiKey,
    #[serde(rename = "operator")]
    Operator,
    #[serde(rename = "system")]
    System,
}

impl AuditEntryActorType {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::User, Self::ApiKey, Self::Operator, Self::System];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::ApiKey => "api_key",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryTarget {
    pub r#type: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

/// Replace the connection's credential (a fresh client token) without dropping subscriptions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Auth {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authed {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingState {
    pub tenant_id: Id,
    pub status: TenantStatus,
    pub plan: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub trial_ends_at: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub suspended_reason: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub subscription_status: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub past_due_since: Option<Option<String>>,
    pub has_stripe_customer: bool,
    pub has_payment_method: bool,
}

/// Scope → topic patterns for a client token (no `admin`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capabilities {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Patterns>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    pub plan: PlanName,
    pub success_url: ReturnUrl,
    pub cancel_url: ReturnUrl,
}

/// Tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ClientFrame {
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
    Ack(Ack),
    Ping(Ping),
    Auth(Auth),
}

impl<'de> Deserialize<'de> for ClientFrame {
    // Dispatch on the tag, then deserialize the whole object (tag included) as the variant,
    // so each variant struct stays usable on its own.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("type"))?
            .to_owned();
        match tag.as_str() {
            "subscribe" => serde_json::from_value(value).map(Self::Subscribe),
            "unsubscribe" => serde_json::from_value(value).map(Self::Unsubscribe),
            "ack" => serde_json::from_value(value).map(Self::Ack),
            "ping" => serde_json::from_value(value).map(Self::Ping),
            "auth" => serde_json::from_value(value).map(Self::Auth),
            other => {
                return Err(D::Error::unknown_variant(
                    other,
                    &["subscribe", "unsubscribe", "ack", "ping", "auth"],
                ))
            }
        }
        .map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientToken {
    /// A JWT for browsers and devices (`Authorization: Bearer`, or `?token=` on realtime endpoints).
    pub token: String,
    pub expires_at: Timestamp,
}

pub type Cursor = EventCursor;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub id: String,
    pub subscription: SubscriptionName,
    pub reason: String,
    pub deliveries: i64,
    pub dead_at: String,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetterList {
    pub items: Vec<DeadLetter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub event: Event,
    /// Acknowledge this delivery with it (`…/ack`).
    pub ack_token: String,
    /// Times this event was delivered to the subscription, this one included.
    pub deliveries: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependencyCheck {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Why the dependency is not reachable (present when `ok` is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Name of a durable (acknowledged) subscription of the project.
pub type DurableName = String;

/// An ASCII address (`local@domain.tld`, local part up to 64 characters); internationalized domains in their punycode form.
pub type Email = String;

/// Sent before the server closes a connection, or in reply to a frame it refuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorFrame {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    /// Stable code from spec/errors.yaml.
    pub code: String,
    pub message: String,
    /// The WebSocket close code that follows, when the server is about to close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_code: Option<i64>,
    /// Whether the client should reconnect (and resume from its last cursor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub topic: Topic,
    /// The payload as published.
    pub data: serde_json::Value,
    pub published_at: Timestamp,
    pub cursor: EventCursor,
    /// Trace context (`traceparent`) when the publisher sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatchCreate {
    /// 1 to 100 events, stored in this order. The whole request is at most 1 MiB.
    pub events: Vec<EventCreate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCreate {
    pub topic: Topic,
    /// Any JSON value, at most 64 KiB as compact JSON and 32 levels deep; validated against
    /// every schema registered for a pattern matching `topic`.
    pub data: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<EventId>,
}

/// Opaque position in the project's event stream, just after one event; pass it back unchanged.
pub type EventCursor = String;

/// One event, in order within its topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventFrame {
    pub id: EventId,
    pub topic: Topic,
    /// The payload as published.
    pub data: serde_json::Value,
    pub published_at: Timestamp,
    pub cursor: EventCursor,
    /// Trace context (`traceparent`) when the publisher sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durable: Option<DurableName>,
}

/// The event's id. Sent by the publisher (then also its de-duplication id when no
/// `Idempotency-Key` is given) or generated by the server.
pub type EventId = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub items: Vec<Event>,
    pub next_cursor: EventCursor,
    /// Whether more matching events are stored after `next_cursor` now.
    pub has_more: bool,
}

/// Several events in one frame, in order, each with its own cursor. Sent when more than one
/// event is pending for the connection (bursts, replay, catch-up); bounded by count and bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsFrame {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durable: Option<DurableName>,
    pub events: Vec<Event>,
}

/// Optional client-chosen correlation id, echoed in the server's reply.
pub type FrameId = String;

/// Scope → topic patterns the scope is limited to. A scope that is absent is not granted;
/// `[">"]` grants it on every topic. `admin` ignores patterns (it manages the project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grants {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Patterns>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<Patterns>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

pub type Id = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: Id,
    pub tenant_id: Id,
    pub email: String,
    pub role: Role,
    pub expires_at: Timestamp,
    /// The invitation secret, shown once; the invitee presents it to accept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Accept as the signed-in user, or sign up at the same time (with `name` and `password`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationAccept {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationCreate {
    pub email: Email,
    pub role: Role,
}

pub type Kid = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitUsage {
    /// The plan limit (`events_per_month`, `deliveries_per_month`).
    pub limit: String,
    pub used: i64,
    pub max: i64,
    pub ratio: f64,
    /// At or past the plan's `warn_ratio` (soft limit).
    pub warning: bool,
    /// At or past the limit (hard limit).
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub email: Email,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: Id,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberList {
    pub items: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberUpdate {
    pub role: Role,
}

/// Usage by metric: `events_published`, `messages_delivered`, `api_calls`, `connection_seconds`
/// (sums), `peak_connections`, `storage_bytes` (daily maxima). Metrics without usage are absent.
pub type Metrics = std::collections::BTreeMap<String, i64>;

/// Printable text (no control characters, C0 or C1) with at least one visible character.
pub type Name = String;

/// Opaque pagination cursor; pass it back as `after` to get the next page.
pub type PageCursor = String;

/// 12 to 256 characters.
pub type Password = String;

pub type Patterns = Vec<TopicPattern>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ping {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
}

/// A plan's hard limits; `null` is unlimited. Monthly limits count the UTC calendar month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub name: PlanName,
    pub display_name: String,
    pub events_per_month: Option<i64>,
    pub deliveries_per_month: Option<i64>,
    pub peak_connections: Option<i64>,
    /// Events per second
    pub publish_rate: Option<f64>,
    pub publish_burst: Option<i64>,
    pub max_projects: Option<i64>,
    pub retention_max_age_seconds: Option<i64>,
    /// Share of a limit past which usage is flagged (soft limit).
    pub warn_ratio: f64,
    /// `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage.
    pub overage: PlanOverage,
    pub stripe_price_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanList {
    pub items: Vec<Plan>,
}

pub type PlanName = String;

/// `block`: refuse past a monthly limit (403 `usage_limit_reached`); `bill`: serve and bill the overage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlanOverage {
    #[serde(rename = "block")]
    Block,
    #[serde(rename = "bill")]
    Bill,
}

impl PlanOverage {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Block, Self::Bill];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Bill => "bill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Name>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub events_per_month: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub deliveries_per_month: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub peak_connections: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub publish_rate: Option<Option<f64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub publish_burst: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub max_projects: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_present"
    )]
    pub retention_max_age_seconds: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overage: Option<PlanUpdateOverage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_price_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PlanUpdateOverage {
    #[serde(rename = "block")]
    Block,
    #[serde(rename = "bill")]
    Bill,
}

impl PlanUpdateOverage {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Block, Self::Bill];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Bill => "bill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pong {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalRequest {
    pub return_url: ReturnUrl,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI reference naming the problem type (`https://tidings.dev/problems/<code>`).
    pub r#type: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: i64,
    /// Stable machine-readable error code (see the error registry, spec/errors.yaml).
    pub code: String,
    /// Human-readable explanation specific to this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path that produced the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id (also in the `X-Request-ID` response header); quote it to support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Individual violations, for validation problems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Violation>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: Id,
    pub tenant_id: Id,
    pub slug: Slug,
    pub name: Name,
    pub settings: ProjectSettings,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectCreate {
    pub slug: Slug,
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ProjectSettings>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectList {
    pub items: Vec<Project>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

/// Per-project settings; later issues add retention and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSettings {
    /// Browser origins (web pages) allowed to use the project's data plane with client tokens:
    /// the SSE stream, the WebSocket, publish and replay. Each entry is an origin
    /// (`https://app.example.com`, `http://127.0.0.1:17690`; no port means the scheme's default)
    /// or a wildcard `https://*.example.com`, which matches any host ending in `.example.com`
    /// (one or more labels before it; never `example.com` itself) with that scheme and port.
    /// Matching is on the whole origin (full match), case-insensitive on the host; `null`
    /// origins match nothing. An allowed origin gets CORS headers (`Access-Control-Allow-Origin`
    /// with that origin, `Vary: Origin`); any other gets none, and a client token sent from it is
    /// refused with `origin_not_allowed` (403 over HTTP, close 4406 on WebSocket). API keys are
    /// not checked (servers send no `Origin`). Empty (the default) allows any origin: set it in
    /// production, so a client token is usable only from your own sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// The longest a client token of this project may live, in seconds (default one day). Enforced
    /// at verification for every client token, minted by the server or signed by your backend: a
    /// token whose `exp` is further than this from now, or from its `iat`, is refused (401 / close
    /// 4401). Minting a longer `ttl_seconds` is 400 `validation_failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_client_token_ttl: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    pub id: Id,
    pub tenant_id: Id,
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<ProjectSettings>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    pub id: EventId,
    pub topic: Topic,
    pub cursor: EventCursor,
    pub published_at: Timestamp,
    /// True when this answers a retry within the duplicate window (the original event, not a new one).
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedBatch {
    pub items: Vec<Published>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_events: Option<i64>,
    /// How long to wait for a first event when none is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurgeResult {
    pub purged: i64,
}

/// Per-key override of the plan's request rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub status: ReadinessStatus,
    /// One entry per dependency.
    pub checks: std::collections::BTreeMap<String, DependencyCheck>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadinessStatus {
    #[serde(rename = "ready")]
    Ready,
    #[serde(rename = "unavailable")]
    Unavailable,
}

impl ReadinessStatus {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Ready, Self::Unavailable];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Unavailable => "unavailable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// The cursor of a subscription is older than what the stream keeps (retention) or of another
/// stream epoch. Events between it and `oldest_cursor` are gone; the subscription continues from
/// `oldest_cursor`. Never silent loss: the client decides what to do (e.g. refetch state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reset {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub topic: String,
    pub oldest_cursor: Cursor,
    pub reason: ResetReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResetReason {
    #[serde(rename = "expired")]
    Expired,
    #[serde(rename = "epoch")]
    Epoch,
}

impl ResetReason {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Expired, Self::Epoch];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Epoch => "epoch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resume {
    /// The status to resume in; default `active`, or `trialing` while the trial lasts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ResumeStatus>,
}

/// The status to resume in; default `active`, or `trialing` while the trial lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResumeStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "trialing")]
    Trialing,
}

impl ResumeStatus {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Active, Self::Trialing];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Trialing => "trialing",
        }
    }
}

/// Limits of the project's stream, applied by JetStream at once: events older than
/// `max_age_seconds` are removed, and the oldest go whenever more than `max_events` events or
/// `max_bytes` bytes are stored. Bounded by the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    pub max_age_seconds: i64,
    pub max_events: i64,
    pub max_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionState {
    pub policy: Retention,
    pub stored_events: i64,
    pub stored_bytes: i64,
    pub oldest_cursor: EventCursor,
}

pub type ReturnUrl = String;

/// A member's role in a tenant (see the permission matrix in docs/rbac.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    #[serde(rename = "owner")]
    Owner,
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "developer")]
    Developer,
    #[serde(rename = "billing")]
    Billing,
    #[serde(rename = "viewer")]
    Viewer,
}

impl Role {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[
        Self::Owner,
        Self::Admin,
        Self::Developer,
        Self::Billing,
        Self::Viewer,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Developer => "developer",
            Self::Billing => "billing",
            Self::Viewer => "viewer",
        }
    }
}

/// Registers a new version of the schema for `topic` (a topic or pattern). With
/// `compatibility: backward` (default), every event valid under the current version must
/// stay valid under the new one, checked structurally: `type` may only widen, `required`
/// may not grow, properties may not be removed under `additionalProperties: false` nor may it
/// become false, `enum` may only grow, `const` may not change, bounds may only loosen, and
/// `pattern`/`format` may not be added or changed. `none` skips the check.
///
/// Patterns (`pattern`, `patternProperties` keys) run on a linear-time engine (RE2
/// semantics: Rust's `regex` crate), so no pattern and string can make validation
/// backtrack. ECMA-262 constructs that need backtracking are refused with 422
/// `schema_unsupported` naming the construct: backreferences (`\1`, `\k<name>`) and
/// lookaround (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`); so are `$dynamicRef` and `$id` below
/// the root. A pattern is at most 1,000 characters and 1 MiB compiled (a large counted
/// repetition such as `(\p{L}|\p{N}){1,100}` is over it: 400 `validation_failed`).
/// `format` is an annotation, not checked.
///
/// Validation has a budget per event. At registration the schema's work per value is
/// bounded statically: a `$ref` cycle that does not descend into the value, subschemas
/// multiplying through `$ref`/`allOf`/`anyOf`/`oneOf` or recursion past the budget for one
/// value, more than 2,048 subschemas, an `enum` of more than 1,024 values or nesting deeper
/// than 64 levels are refused with 422 `schema_too_expensive`. At publish, an event whose
/// work against every schema for its topic is over the budget is refused with 422
/// `schema_too_expensive` before anything is validated or stored. A project has active
/// schemas for at most 100 topics or patterns (422 `schema_limit_reached`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaCreate {
    pub topic: TopicPattern,
    /// A JSON Schema (draft 2020-12), at most 64 KiB, with local `$ref`s only.
    pub schema: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<SchemaCreateCompatibility>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SchemaCreateCompatibility {
    #[serde(rename = "backward")]
    Backward,
    #[serde(rename = "none")]
    None,
}

impl SchemaCreateCompatibility {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Backward, Self::None];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backward => "backward",
            Self::None => "none",
        }
    }
}

/// Tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ServerFrame {
    Welcome(Welcome),
    Subscribed(Subscribed),
    Unsubscribed(Unsubscribed),
    Event(EventFrame),
    Events(EventsFrame),
    Reset(Reset),
    Pong(Pong),
    Authed(Authed),
    Error(ErrorFrame),
}

impl<'de> Deserialize<'de> for ServerFrame {
    // Dispatch on the tag, then deserialize the whole object (tag included) as the variant,
    // so each variant struct stays usable on its own.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let tag = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("type"))?
            .to_owned();
        match tag.as_str() {
            "welcome" => serde_json::from_value(value).map(Self::Welcome),
            "subscribed" => serde_json::from_value(value).map(Self::Subscribed),
            "unsubscribed" => serde_json::from_value(value).map(Self::Unsubscribed),
            "event" => serde_json::from_value(value).map(Self::Event),
            "events" => serde_json::from_value(value).map(Self::Events),
            "reset" => serde_json::from_value(value).map(Self::Reset),
            "pong" => serde_json::from_value(value).map(Self::Pong),
            "authed" => serde_json::from_value(value).map(Self::Authed),
            "error" => serde_json::from_value(value).map(Self::Error),
            other => {
                return Err(D::Error::unknown_variant(
                    other,
                    &[
                        "welcome",
                        "subscribed",
                        "unsubscribed",
                        "event",
                        "events",
                        "reset",
                        "pong",
                        "authed",
                        "error",
                    ],
                ))
            }
        }
        .map_err(D::Error::custom)
    }
}

/// A user session. The access token is short-lived; the refresh token rotates on every use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionLink {
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    #[serde(rename = "HS256")]
    Hs256,
    #[serde(rename = "EdDSA")]
    EdDsa,
    #[serde(rename = "RS256")]
    Rs256,
}

impl SigningAlg {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Hs256, Self::EdDsa, Self::Rs256];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: Kid,
    pub alg: SigningAlg,
    /// PEM public key (EdDSA, RS256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Present when an API key registered this signing key: that key's `publish`, `subscribe` and
    /// `history` grants, the most a token signed with it may carry (a token asking for more is
    /// refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
    /// signed-in user, no cap beyond the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capabilities: Option<Capabilities>,
    pub created_at: Timestamp,
}

/// HS256: the server generates the secret and returns it once. EdDSA (Ed25519) and RS256
/// (2048 bits or more): send the PEM public key; the private key never leaves your backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyCreate {
    pub kid: Kid,
    pub alg: SigningAlg,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyList {
    pub items: Vec<SigningKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningKeyWithSecret {
    pub kid: Kid,
    pub alg: SigningAlg,
    /// PEM public key (EdDSA, RS256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Present when an API key registered this signing key: that key's `publish`, `subscribe` and
    /// `history` grants, the most a token signed with it may carry (a token asking for more is
    /// refused, 401), so a narrow key cannot sign itself a wider token. Absent: registered by a
    /// signed-in user, no cap beyond the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capabilities: Option<Capabilities>,
    pub created_at: Timestamp,
    /// For HS256 keys, the generated secret, shown this once. Sign with it as the HMAC key as it is (its ASCII bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signup {
    pub email: Email,
    pub password: Password,
    pub name: Name,
    pub tenant: TenantCreate,
}

/// Lower-case letters, digits and single hyphens; starts with a letter.
pub type Slug = String;

/// A Stripe event as Stripe sends it; verified against `Stripe-Signature` on the raw body.
pub type StripeEvent = std::collections::BTreeMap<String, serde_json::Value>;

/// Start receiving events whose topic matches `topic` (NATS semantics: `*` one token, `>` the
/// rest). With `cursor`, events after it are replayed first, then live ones follow with no
/// gap and no duplicate. With `durable`, events come from that durable subscription and each
/// must be acknowledged (`ack`); unacknowledged ones are redelivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribe {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub topic: TopicPattern,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durable: Option<DurableName>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscribed {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub topic: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durable: Option<DurableName>,
    /// Where delivery starts: events after this cursor follow. Without a `cursor` in
    /// `subscribe`, the stream's position when the subscription went live; with one, that
    /// cursor (the replay of what follows it comes first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub name: SubscriptionName,
    pub topic: TopicPattern,
    pub ack_wait_seconds: i64,
    pub max_deliveries: i64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionCreate {
    pub name: SubscriptionName,
    pub topic: TopicPattern,
    /// Seconds an unacknowledged delivery waits before it is delivered again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_wait_seconds: Option<i64>,
    /// Deliveries before an event goes to the dead-letter stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deliveries: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionList {
    pub items: Vec<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

pub type SubscriptionName = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspend {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SuspendReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SuspendReason {
    #[serde(rename = "operator")]
    Operator,
    #[serde(rename = "abuse")]
    Abuse,
    #[serde(rename = "usage")]
    Usage,
}

impl SuspendReason {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Operator, Self::Abuse, Self::Usage];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Abuse => "abuse",
            Self::Usage => "usage",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: Id,
    pub slug: Slug,
    pub name: Name,
    pub status: TenantStatus,
    pub plan: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantCreate {
    pub slug: Slug,
    pub name: Name,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantList {
    pub items: Vec<Tenant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantPlan {
    pub plan: PlanName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TenantStatus {
    #[serde(rename = "trialing")]
    Trialing,
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "past_due")]
    PastDue,
    #[serde(rename = "suspended")]
    Suspended,
    #[serde(rename = "canceled")]
    Canceled,
}

impl TenantStatus {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[
        Self::Trialing,
        Self::Active,
        Self::PastDue,
        Self::Suspended,
        Self::Canceled,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Suspended => "suspended",
            Self::Canceled => "canceled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
}

pub type Timestamp = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Your end user's id, carried as the token's `sub`.
    pub user_id: String,
    pub capabilities: Capabilities,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<i64>,
}

/// A concrete topic: 1 to 16 dot-separated tokens of `A-Z a-z 0-9 _ -` (case-sensitive), at
/// most 255 characters, no wildcards. Subscriptions and filters use patterns (`*`, `>`).
pub type Topic = String;

/// A topic or a NATS-style pattern: dot-separated tokens of `A-Z a-z 0-9 _ -`, where a token
/// may be `*` (exactly one token) and the last token may be `>` (one or more tokens).
pub type TopicPattern = String;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSchema {
    pub id: Id,
    pub topic: TopicPattern,
    pub version: i64,
    pub schema: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub status: TopicSchemaStatus,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSchemaList {
    pub items: Vec<TopicSchema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<PageCursor>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TopicSchemaStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "deprecated")]
    Deprecated,
}

impl TopicSchemaStatus {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Active, Self::Deprecated];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deprecated => "deprecated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsubscribe {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub topic: TopicPattern,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unsubscribed {
    pub r#type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<FrameId>,
    pub topic: String,
}

/// Usage from the ledger, in daily (UTC) buckets. Counts reach the ledger within
/// `TIDINGS_USAGE_FLUSH_INTERVAL` (5 s) of happening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub tenant_id: Id,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Id>,
    pub start: String,
    pub end: String,
    pub days: Vec<UsageDay>,
    pub totals: Metrics,
    pub plan: String,
    /// The current month's totals of the tenant (what the limits count).
    pub month: UsageMonth,
    pub limits: Vec<LimitUsage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageDay {
    pub day: String,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageExport {
    pub tenant_id: Id,
    pub start: String,
    pub end: String,
    pub rows: Vec<UsageRow>,
}

/// The current month's totals of the tenant (what the limits count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageMonth {
    pub start: String,
    pub totals: Metrics,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    pub day: String,
    pub project_id: Id,
    pub metric: String,
    pub quantity: i64,
    pub kind: UsageRowKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UsageRowKind {
    #[serde(rename = "sum")]
    Sum,
    #[serde(rename = "max")]
    Max,
}

impl UsageRowKind {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::Sum, Self::Max];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Max => "max",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub email: String,
    pub name: String,
    /// Platform operator (cross-tenant support and kill switch).
    pub operator: bool,
    pub memberships: Vec<UserMembershipsItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserMembershipsItem {
    pub tenant_id: Id,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The server's release version.
    pub version: String,
    /// The version of spec/openapi.yaml the server implements.
    pub api_version: String,
    pub python: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// JSON Pointer (RFC 6901) into the request body, or the parameter name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookReceipt {
    pub received: bool,
    pub outcome: WebhookReceiptOutcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookReceiptOutcome {
    #[serde(rename = "processed")]
    Processed,
    #[serde(rename = "duplicate")]
    Duplicate,
    #[serde(rename = "ignored")]
    Ignored,
    #[serde(rename = "stale")]
    Stale,
}

impl WebhookReceiptOutcome {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] =
        &[Self::Processed, Self::Duplicate, Self::Ignored, Self::Stale];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Processed => "processed",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
            Self::Stale => "stale",
        }
    }
}

/// First frame of every connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    pub r#type: String,
    pub connection_id: String,
    /// The server sends a frame (or a ping) at least this often; silence for twice as long means a dead connection.
    pub heartbeat_ms: i64,
    /// The largest client frame the server accepts.
    pub max_frame_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Whoami {
    pub credential: WhoamiCredential,
    /// `key:<key id>`, the client token's end-user id, or the user id.
    pub subject: String,
    /// Public id of the API key (the part of the key that is safe to log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Id>,
    /// Scope → topic patterns (API keys and client tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WhoamiCredential {
    #[serde(rename = "api_key")]
    ApiKey,
    #[serde(rename = "client_token")]
    ClientToken,
    #[serde(rename = "user")]
    User,
}

impl WhoamiCredential {
    /// Every value, in spec order.
    pub const ALL: &'static [Self] = &[Self::ApiKey, Self::ClientToken, Self::User];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::ClientToken => "client_token",
            Self::User => "user",
        }
    }
}
