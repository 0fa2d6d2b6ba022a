// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! The error registry (spec/errors.yaml): one entry per stable `code`.
//!
//! REST problems carry the code in their `code` field; realtime error frames carry it too, and
//! the WebSocket close code that follows tells a client to reconnect and resume or to stop.

/// What a realtime client does after a close with this code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseAction {
    /// Reconnect with backoff and resume from the last cursor.
    Reconnect,
    /// Do not reconnect with the same credential or request.
    Terminal,
}

/// A registry entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    pub title: &'static str,
    /// Whether the same request may succeed if retried later unchanged.
    pub retryable: bool,
    /// HTTP status of the problem response; `None` when the error is realtime-only.
    pub status: Option<u16>,
    /// WebSocket close code (4000-4999); `None` when the error never ends a connection.
    pub close_code: Option<u16>,
    pub action: Option<CloseAction>,
    pub description: &'static str,
    /// Answered with a realtime `error` frame; the connection stays open.
    pub frame: bool,
}

/// Every code of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Bad Request
    BadRequest,
    /// Invalid JSON
    InvalidJson,
    /// Validation Failed
    ValidationFailed,
    /// Not Found
    NotFound,
    /// Method Not Allowed
    MethodNotAllowed,
    /// Not Acceptable
    NotAcceptable,
    /// Payload Too Large
    PayloadTooLarge,
    /// Invalid Ack Token
    InvalidAckToken,
    /// Over the Plan's Bound
    PlanBoundExceeded,
    /// Insufficient Storage
    InsufficientStorage,
    /// Unstorable Text
    UnstorableText,
    /// Invalid Key Material
    InvalidKeyMaterial,
    /// Conflict
    Conflict,
    /// Unsupported Media Type
    UnsupportedMediaType,
    /// Request Header Fields Too Large
    RequestHeaderFieldsTooLarge,
    /// Unauthenticated
    Unauthenticated,
    /// Forbidden
    Forbidden,
    /// Sign-up Closed
    SignupClosed,
    /// Too Many Requests
    RateLimited,
    /// Origin Not Allowed
    OriginNotAllowed,
    /// Internal Server Error
    InternalError,
    /// Service Unavailable
    DependencyUnavailable,
    /// Going Away
    GoingAway,
    /// Event Too Large
    EventTooLarge,
    /// Event Exceeds Retention
    RetentionExceeded,
    /// Schema Violation
    SchemaViolation,
    /// Idempotency Key Reused
    IdempotencyConflict,
    /// Invalid Cursor
    InvalidCursor,
    /// Cursor Expired
    CursorExpired,
    /// Schema Incompatible
    SchemaIncompatible,
    /// Schema Unsupported
    SchemaUnsupported,
    /// Schema Too Expensive
    SchemaTooExpensive,
    /// Schema Limit Reached
    SchemaLimitReached,
    /// Invalid Frame
    InvalidFrame,
    /// Frame Too Large
    FrameTooLarge,
    /// Too Many Subscriptions
    TooManySubscriptions,
    /// Not Subscribed
    NotSubscribed,
    /// Slow Consumer
    SlowConsumer,
    /// Connection Limit
    ConnectionLimit,
    /// Tenant Suspended
    TenantSuspended,
    /// Token Expired
    TokenExpired,
    /// Idle Timeout
    IdleTimeout,
    /// Usage Limit Reached
    UsageLimitReached,
    /// Project Limit Reached
    ProjectLimitReached,
    /// Invalid Webhook Signature
    WebhookSignatureInvalid,
    /// Billing Not Configured
    BillingNotConfigured,
    /// Invalid Usage Range
    InvalidUsageRange,
    /// Payment Provider Unavailable
    PaymentProviderUnavailable,
}

/// The registry, in spec order (`ErrorCode as usize` indexes it).
pub static ERRORS: [ErrorInfo; 48] = [
    ErrorInfo {
        code: ErrorCode::BadRequest,
        title: "Bad Request",
        retryable: false,
        status: Some(400),
        close_code: None,
        action: None,
        description: "The request could not be understood (malformed syntax).",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidJson,
        title: "Invalid JSON",
        retryable: false,
        status: Some(400),
        close_code: None,
        action: None,
        description: "The body is not valid UTF-8 JSON.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::ValidationFailed,
        title: "Validation Failed",
        retryable: false,
        status: Some(400),
        close_code: None,
        action: None,
        description: "A parameter or the body does not match the schema; `errors` lists the violations.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::NotFound,
        title: "Not Found",
        retryable: false,
        status: Some(404),
        close_code: Some(4404),
        action: Some(CloseAction::Terminal),
        description: "No such resource or route.",
        frame: true,
    },
    ErrorInfo {
        code: ErrorCode::MethodNotAllowed,
        title: "Method Not Allowed",
        retryable: false,
        status: Some(405),
        close_code: None,
        action: None,
        description: "The route exists but not with this method; see the `Allow` header.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::NotAcceptable,
        title: "Not Acceptable",
        retryable: false,
        status: Some(406),
        close_code: None,
        action: None,
        description: "The server cannot answer in a media type the `Accept` header allows.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::PayloadTooLarge,
        title: "Payload Too Large",
        retryable: false,
        status: Some(413),
        close_code: None,
        action: None,
        description: "The request body is over the configured size limit.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidAckToken,
        title: "Invalid Ack Token",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "An ack token was altered or belongs to another subscription; acknowledge with the tokens `pull` returned.",
        frame: true,
    },
    ErrorInfo {
        code: ErrorCode::PlanBoundExceeded,
        title: "Over the Plan's Bound",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "A setting is above what the tenant's plan allows; `errors` names each setting and its bound.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InsufficientStorage,
        title: "Insufficient Storage",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The cluster cannot reserve the storage the retention policy asks for; lower `max_bytes`.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::UnstorableText,
        title: "Unstorable Text",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "A text field or key holds a NUL (U+0000) character, which the database cannot store.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidKeyMaterial,
        title: "Invalid Key Material",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The key is well-formed text but not a usable key for its algorithm (not PEM, wrong type, RSA under 2048 bits).",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::Conflict,
        title: "Conflict",
        retryable: false,
        status: Some(409),
        close_code: None,
        action: None,
        description: "The request conflicts with the current state (a slug or id already taken, the last owner).",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::UnsupportedMediaType,
        title: "Unsupported Media Type",
        retryable: false,
        status: Some(415),
        close_code: None,
        action: None,
        description: "The body's `Content-Type` is not one the operation accepts.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::RequestHeaderFieldsTooLarge,
        title: "Request Header Fields Too Large",
        retryable: false,
        status: Some(431),
        close_code: None,
        action: None,
        description: "The request line and headers are over 64 KiB, or there are more than 128 header fields; the connection is closed.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::Unauthenticated,
        title: "Unauthenticated",
        retryable: false,
        status: Some(401),
        close_code: Some(4401),
        action: Some(CloseAction::Terminal),
        description: "No credential, or one that is malformed, unknown, revoked or expired.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::Forbidden,
        title: "Forbidden",
        retryable: false,
        status: Some(403),
        close_code: Some(4403),
        action: Some(CloseAction::Terminal),
        description: "The credential is valid but lacks the permission for this action.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SignupClosed,
        title: "Sign-up Closed",
        retryable: false,
        status: Some(403),
        close_code: None,
        action: None,
        description: "The operator has turned self-service sign-up off; ask for an invitation.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::RateLimited,
        title: "Too Many Requests",
        retryable: true,
        status: Some(429),
        close_code: Some(4429),
        action: Some(CloseAction::Reconnect),
        description: "A rate limit was reached; retry after `Retry-After` seconds (`RateLimit-*` headers say which limit).",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::OriginNotAllowed,
        title: "Origin Not Allowed",
        retryable: false,
        status: Some(403),
        close_code: Some(4406),
        action: Some(CloseAction::Terminal),
        description: "A client token was used from a browser page (its `Origin` header) that is not in the project's `allowed_origins`, or a CORS preflight came from such a page; API keys are not checked.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InternalError,
        title: "Internal Server Error",
        retryable: true,
        status: Some(500),
        close_code: Some(4500),
        action: Some(CloseAction::Reconnect),
        description: "An unexpected error; nothing internal is disclosed. Quote the request id.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::DependencyUnavailable,
        title: "Service Unavailable",
        retryable: true,
        status: Some(503),
        close_code: Some(4503),
        action: Some(CloseAction::Reconnect),
        description: "A dependency (database or JetStream) is unreachable; retry after `Retry-After`.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::GoingAway,
        title: "Going Away",
        retryable: true,
        status: None,
        close_code: Some(4001),
        action: Some(CloseAction::Reconnect),
        description: "The node is shutting down; reconnect (to another node) and resume from your cursor.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::EventTooLarge,
        title: "Event Too Large",
        retryable: false,
        status: Some(413),
        close_code: None,
        action: None,
        description: "An event's `data` is over the event size limit (64 KiB by default); `errors` points at it.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::RetentionExceeded,
        title: "Event Exceeds Retention",
        retryable: false,
        status: Some(413),
        close_code: None,
        action: None,
        description: "The event (or the batch together) is larger than the project's retention `max_bytes`, or the batch has more events than `max_events`: JetStream would store it and remove it at once, so it is refused and nothing is stored. Publish less, or raise the retention limits.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SchemaViolation,
        title: "Schema Violation",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "An event's `data` does not match a schema registered for its topic; `errors` lists each violation with its JSON pointer.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::IdempotencyConflict,
        title: "Idempotency Key Reused",
        retryable: false,
        status: Some(409),
        close_code: None,
        action: None,
        description: "The `Idempotency-Key` (or event id) was already used, within the duplicate window, for a different request body.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidCursor,
        title: "Invalid Cursor",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The cursor is malformed or was altered; cursors are opaque and must be passed back as received.",
        frame: true,
    },
    ErrorInfo {
        code: ErrorCode::CursorExpired,
        title: "Cursor Expired",
        retryable: false,
        status: Some(410),
        close_code: None,
        action: None,
        description: "Events after the cursor are no longer stored (retention), or the project's stream was recreated (another epoch); `errors[0].oldest_cursor` is where reading can resume.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SchemaIncompatible,
        title: "Schema Incompatible",
        retryable: false,
        status: Some(409),
        close_code: None,
        action: None,
        description: "The new schema version is not backward compatible with the current one (the rule is in the `SchemaCreate` description); `errors` lists why.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SchemaUnsupported,
        title: "Schema Unsupported",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The schema uses a construct the server cannot run in linear time or resolve locally (a backreference or lookaround in a `pattern` or `patternProperties` key, `$dynamicRef`, `$id` below the root); `errors` points at each and names the construct.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SchemaTooExpensive,
        title: "Schema Too Expensive",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "Validation would be over the budget of one event. At registration, the schema alone is (a `$ref` cycle that does not descend into the value, subschemas that multiply through `$ref`/`allOf`/`anyOf`/`oneOf` or recursion, or over the limits of 2,048 subschemas, 1,024 `enum` values, 64 levels of nesting, 1,000 characters or 1 MiB compiled per pattern); at publish, the event against every schema for its topic is (a smaller or shallower event fits). `errors` points at the cause.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::SchemaLimitReached,
        title: "Schema Limit Reached",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The project already has active schemas for 100 topics or patterns; deprecate one before registering a schema for another topic.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidFrame,
        title: "Invalid Frame",
        retryable: false,
        status: None,
        close_code: Some(4400),
        action: Some(CloseAction::Terminal),
        description: "A client frame is not one JSON object of a known type with valid fields; the client is broken.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::FrameTooLarge,
        title: "Frame Too Large",
        retryable: false,
        status: None,
        close_code: Some(4409),
        action: Some(CloseAction::Terminal),
        description: "A client frame is over the `max_frame_bytes` announced in `welcome`.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::TooManySubscriptions,
        title: "Too Many Subscriptions",
        retryable: false,
        status: None,
        close_code: None,
        action: None,
        description: "The connection already holds its maximum of subscriptions; unsubscribe first or open another connection.",
        frame: true,
    },
    ErrorInfo {
        code: ErrorCode::NotSubscribed,
        title: "Not Subscribed",
        retryable: false,
        status: None,
        close_code: None,
        action: None,
        description: "The frame names a subscription the connection does not hold.",
        frame: true,
    },
    ErrorInfo {
        code: ErrorCode::SlowConsumer,
        title: "Slow Consumer",
        retryable: true,
        status: None,
        close_code: Some(4008),
        action: Some(CloseAction::Reconnect),
        description: "The client did not read fast enough and its bounded send queue overflowed; reconnect and resume from your last cursor (nothing is lost).",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::ConnectionLimit,
        title: "Connection Limit",
        retryable: true,
        status: Some(429),
        close_code: Some(4430),
        action: Some(CloseAction::Reconnect),
        description: "The tenant holds its maximum of concurrent realtime connections (for SSE, of SSE streams) across the cluster; retry later with backoff.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::TenantSuspended,
        title: "Tenant Suspended",
        retryable: false,
        status: Some(403),
        close_code: Some(4423),
        action: Some(CloseAction::Terminal),
        description: "The tenant or project is suspended (kill switch, billing); nothing is published or delivered until it is resumed.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::TokenExpired,
        title: "Token Expired",
        retryable: true,
        status: None,
        close_code: Some(4402),
        action: Some(CloseAction::Reconnect),
        description: "The connection's credential expired before an `auth` frame replaced it; reconnect with a fresh token and resume from your last cursor.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::IdleTimeout,
        title: "Idle Timeout",
        retryable: false,
        status: None,
        close_code: Some(4408),
        action: Some(CloseAction::Terminal),
        description: "The connection held no subscription for longer than the idle timeout.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::UsageLimitReached,
        title: "Usage Limit Reached",
        retryable: false,
        status: Some(403),
        close_code: None,
        action: None,
        description: "The tenant used its plan's monthly allowance (events or deliveries) and its plan blocks overage; upgrade the plan or wait for the next month. `errors` names the limit.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::ProjectLimitReached,
        title: "Project Limit Reached",
        retryable: false,
        status: Some(403),
        close_code: None,
        action: None,
        description: "The tenant already has as many projects as its plan allows.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::WebhookSignatureInvalid,
        title: "Invalid Webhook Signature",
        retryable: false,
        status: Some(400),
        close_code: None,
        action: None,
        description: "The `Stripe-Signature` header is missing, malformed, too old (over 300 s) or does not sign this body; nothing was processed.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::BillingNotConfigured,
        title: "Billing Not Configured",
        retryable: false,
        status: Some(409),
        close_code: None,
        action: None,
        description: "This server has no Stripe key (`TIDINGS_STRIPE_API_KEY`), or the plan has no Stripe price; billing links cannot be made.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::InvalidUsageRange,
        title: "Invalid Usage Range",
        retryable: false,
        status: Some(422),
        close_code: None,
        action: None,
        description: "The usage range ends before it starts, or spans more than 400 days.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::PaymentProviderUnavailable,
        title: "Payment Provider Unavailable",
        retryable: true,
        status: Some(502),
        close_code: None,
        action: None,
        description: "Stripe did not answer or refused the request; retry later.",
        frame: false,
    },
];

impl ErrorCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidJson => "invalid_json",
            Self::ValidationFailed => "validation_failed",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NotAcceptable => "not_acceptable",
            Self::PayloadTooLarge => "payload_too_large",
            Self::InvalidAckToken => "invalid_ack_token",
            Self::PlanBoundExceeded => "plan_bound_exceeded",
            Self::InsufficientStorage => "insufficient_storage",
            Self::UnstorableText => "unstorable_text",
            Self::InvalidKeyMaterial => "invalid_key_material",
            Self::Conflict => "conflict",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RequestHeaderFieldsTooLarge => "request_header_fields_too_large",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::SignupClosed => "signup_closed",
            Self::RateLimited => "rate_limited",
            Self::OriginNotAllowed => "origin_not_allowed",
            Self::InternalError => "internal_error",
            Self::DependencyUnavailable => "dependency_unavailable",
            Self::GoingAway => "going_away",
            Self::EventTooLarge => "event_too_large",
            Self::RetentionExceeded => "retention_exceeded",
            Self::SchemaViolation => "schema_violation",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::InvalidCursor => "invalid_cursor",
            Self::CursorExpired => "cursor_expired",
            Self::SchemaIncompatible => "schema_incompatible",
            Self::SchemaUnsupported => "schema_unsupported",
            Self::SchemaTooExpensive => "schema_too_expensive",
            Self::SchemaLimitReached => "schema_limit_reached",
            Self::InvalidFrame => "invalid_frame",
            Self::FrameTooLarge => "frame_too_large",
            Self::TooManySubscriptions => "too_many_subscriptions",
            Self::NotSubscribed => "not_subscribed",
            Self::SlowConsumer => "slow_consumer",
            Self::ConnectionLimit => "connection_limit",
            Self::TenantSuspended => "tenant_suspended",
            Self::TokenExpired => "token_expired",
            Self::IdleTimeout => "idle_timeout",
            Self::UsageLimitReached => "usage_limit_reached",
            Self::ProjectLimitReached => "project_limit_reached",
            Self::WebhookSignatureInvalid => "webhook_signature_invalid",
            Self::BillingNotConfigured => "billing_not_configured",
            Self::InvalidUsageRange => "invalid_usage_range",
            Self::PaymentProviderUnavailable => "payment_provider_unavailable",
        }
    }

    /// The code for a wire spelling; `None` for a code this SDK does not know yet.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "bad_request" => Some(Self::BadRequest),
            "invalid_json" => Some(Self::InvalidJson),
            "validation_failed" => Some(Self::ValidationFailed),
            "not_found" => Some(Self::NotFound),
            "method_not_allowed" => Some(Self::MethodNotAllowed),
            "not_acceptable" => Some(Self::NotAcceptable),
            "payload_too_large" => Some(Self::PayloadTooLarge),
            "invalid_ack_token" => Some(Self::InvalidAckToken),
            "plan_bound_exceeded" => Some(Self::PlanBoundExceeded),
            "insufficient_storage" => Some(Self::InsufficientStorage),
            "unstorable_text" => Some(Self::UnstorableText),
            "invalid_key_material" => Some(Self::InvalidKeyMaterial),
            "conflict" => Some(Self::Conflict),
            "unsupported_media_type" => Some(Self::UnsupportedMediaType),
            "request_header_fields_too_large" => Some(Self::RequestHeaderFieldsTooLarge),
            "unauthenticated" => Some(Self::Unauthenticated),
            "forbidden" => Some(Self::Forbidden),
            "signup_closed" => Some(Self::SignupClosed),
            "rate_limited" => Some(Self::RateLimited),
            "origin_not_allowed" => Some(Self::OriginNotAllowed),
            "internal_error" => Some(Self::InternalError),
            "dependency_unavailable" => Some(Self::DependencyUnavailable),
            "going_away" => Some(Self::GoingAway),
            "event_too_large" => Some(Self::EventTooLarge),
            "retention_exceeded" => Some(Self::RetentionExceeded),
            "schema_violation" => Some(Self::SchemaViolation),
            "idempotency_conflict" => Some(Self::IdempotencyConflict),
            "invalid_cursor" => Some(Self::InvalidCursor),
            "cursor_expired" => Some(Self::CursorExpired),
            "schema_incompatible" => Some(Self::SchemaIncompatible),
            "schema_unsupported" => Some(Self::SchemaUnsupported),
            "schema_too_expensive" => Some(Self::SchemaTooExpensive),
            "schema_limit_reached" => Some(Self::SchemaLimitReached),
            "invalid_frame" => Some(Self::InvalidFrame),
            "frame_too_large" => Some(Self::FrameTooLarge),
            "too_many_subscriptions" => Some(Self::TooManySubscriptions),
            "not_subscribed" => Some(Self::NotSubscribed),
            "slow_consumer" => Some(Self::SlowConsumer),
            "connection_limit" => Some(Self::ConnectionLimit),
            "tenant_suspended" => Some(Self::TenantSuspended),
            "token_expired" => Some(Self::TokenExpired),
            "idle_timeout" => Some(Self::IdleTimeout),
            "usage_limit_reached" => Some(Self::UsageLimitReached),
            "project_limit_reached" => Some(Self::ProjectLimitReached),
            "webhook_signature_invalid" => Some(Self::WebhookSignatureInvalid),
            "billing_not_configured" => Some(Self::BillingNotConfigured),
            "invalid_usage_range" => Some(Self::InvalidUsageRange),
            "payment_provider_unavailable" => Some(Self::PaymentProviderUnavailable),
            _ => None,
        }
    }

    /// The code a WebSocket close code stands for.
    pub fn from_close_code(close_code: u16) -> Option<Self> {
        ERRORS
            .iter()
            .find(|info| info.close_code == Some(close_code))
            .map(|info| info.code)
    }

    /// Its registry entry.
    pub fn info(self) -> &'static ErrorInfo {
        &ERRORS[self as usize]
    }
}
