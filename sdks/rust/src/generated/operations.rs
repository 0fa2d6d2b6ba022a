// Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! One method per REST operation of Tidings API 0.1.0, on `crate::Client`.
//!
//! These methods only shape requests; the hand-written client sends them (`Client::send` and
//! `Client::send_empty`): auth, retries, idempotency keys and error mapping live there.

#![allow(clippy::too_many_arguments)]

use super::models;

/// A security scheme of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityScheme {
    pub name: &'static str,
    /// `http` or `apiKey`.
    pub kind: &'static str,
    /// `bearer` or `basic`, for `http`.
    pub scheme: Option<&'static str>,
    /// `header` or `query`, for `apiKey`.
    pub location: Option<&'static str>,
    /// The header or query parameter, for `apiKey`.
    pub param_name: Option<&'static str>,
}

/// Every security scheme, by name.
pub static SECURITY_SCHEMES: [SecurityScheme; 3] = [
    SecurityScheme {
        name: "ApiKeyAuth",
        kind: "http",
        scheme: Some("bearer"),
        location: None,
        param_name: None,
    },
    SecurityScheme {
        name: "ClientToken",
        kind: "http",
        scheme: Some("bearer"),
        location: None,
        param_name: None,
    },
    SecurityScheme {
        name: "UserToken",
        kind: "http",
        scheme: Some("bearer"),
        location: None,
        param_name: None,
    },
];

/// One logical call: what the client needs to perform it (and retry it).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: &'static str,
    /// Already percent-encoded.
    pub path: String,
    pub operation: &'static str,
    /// Schemes any one of which the operation accepts; empty: send no credential.
    pub security: &'static [&'static str],
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

/// A page of a cursor-paginated list: pass `next_cursor` back as the `after` parameter.
///
/// Fetch the following page with [`Page::next_page_cursor`] until it is `None`: a list ends at a
/// page without `next_cursor`, or at one whose `has_more` is false (such a page still carries a
/// cursor, the position to resume from later).
pub trait Page {
    type Item;
    fn items(&self) -> &[Self::Item];
    fn next_cursor(&self) -> Option<&str>;

    /// Whether more items follow this page now; `true` for lists whose last page has no cursor.
    fn has_more(&self) -> bool {
        true
    }

    /// The cursor to fetch the following page with, or `None` after the last page.
    fn next_page_cursor(&self) -> Option<&str> {
        self.next_cursor()
            .filter(|cursor| !cursor.is_empty() && self.has_more())
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl Page for models::TenantList {
    type Item = models::Tenant;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::ProjectList {
    type Item = models::Project;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::ApiKeyList {
    type Item = models::ApiKey;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::AuditList {
    type Item = models::AuditEntry;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::EventPage {
    type Item = models::Event;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        Some(self.next_cursor.as_str())
    }

    fn has_more(&self) -> bool {
        self.has_more
    }
}

impl Page for models::TopicSchemaList {
    type Item = models::TopicSchema;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::SubscriptionList {
    type Item = models::Subscription;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::DeadLetterList {
    type Item = models::DeadLetter;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

/// Query and header parameters of `list_tenants`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListTenantsParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListTenantsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_projects`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListProjectsParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListProjectsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_keys`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListKeysParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListKeysParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_audit`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListAuditParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
    /// Only entries of this action (e.g. `api_key.revoked`).
    pub action: Option<String>,
}

impl ListAuditParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        if let Some(value) = &self.action {
            pairs.push(("action", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_events`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListEventsParams {
    /// A topic or pattern (`*`, `>`); default every topic.
    pub topic: Option<String>,
    /// Events after this cursor.
    pub after: Option<String>,
    /// Stop at this cursor (its event included, later ones not).
    pub before: Option<String>,
    /// Start at the first event published at or after this time (ignored with `after`).
    pub since: Option<String>,
    pub limit: Option<i64>,
}

impl ListEventsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.topic {
            pairs.push(("topic", value.to_string()));
        }
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.before {
            pairs.push(("before", value.to_string()));
        }
        if let Some(value) = &self.since {
            pairs.push(("since", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `publish_event`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublishEventParams {
    /// De-duplicates retries for 2 minutes (printable ASCII, at most 128 characters).
    pub idempotency_key: Option<String>,
}

impl PublishEventParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.idempotency_key {
            pairs.push(("Idempotency-Key", value.to_string()));
        }
        pairs
    }
}

/// Query and header parameters of `publish_events`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublishEventsParams {
    /// De-duplicates retries for 2 minutes (printable ASCII, at most 128 characters).
    pub idempotency_key: Option<String>,
}

impl PublishEventsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.idempotency_key {
            pairs.push(("Idempotency-Key", value.to_string()));
        }
        pairs
    }
}

/// Query and header parameters of `list_schemas`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListSchemasParams {
    /// Only versions registered for exactly this topic or pattern.
    pub topic: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListSchemasParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.topic {
            pairs.push(("topic", value.to_string()));
        }
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_subscriptions`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListSubscriptionsParams {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListSubscriptionsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `list_dead_letters`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListDeadLettersParams {
    /// Only this subscription's dead letters.
    pub subscription: Option<String>,
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ListDeadLettersParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.subscription {
            pairs.push(("subscription", value.to_string()));
        }
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `purge_dead_letters`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PurgeDeadLettersParams {
    /// Only this subscription's dead letters.
    pub subscription: Option<String>,
}

impl PurgeDeadLettersParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.subscription {
            pairs.push(("subscription", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `tenant_usage`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TenantUsageParams {
    /// First day (UTC) of the range; default the first day of the current month.
    pub start: Option<String>,
    /// Last day (UTC) of the range, included; default today. At most 400 days after `start`.
    pub end: Option<String>,
}

impl TenantUsageParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.start {
            pairs.push(("start", value.to_string()));
        }
        if let Some(value) = &self.end {
            pairs.push(("end", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `export_usage`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportUsageParams {
    /// First day (UTC) of the range; default the first day of the current month.
    pub start: Option<String>,
    /// Last day (UTC) of the range, included; default today. At most 400 days after `start`.
    pub end: Option<String>,
}

impl ExportUsageParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.start {
            pairs.push(("start", value.to_string()));
        }
        if let Some(value) = &self.end {
            pairs.push(("end", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `project_usage`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectUsageParams {
    /// First day (UTC) of the range; default the first day of the current month.
    pub start: Option<String>,
    /// Last day (UTC) of the range, included; default today. At most 400 days after `start`.
    pub end: Option<String>,
}

impl ProjectUsageParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.start {
            pairs.push(("start", value.to_string()));
        }
        if let Some(value) = &self.end {
            pairs.push(("end", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Query and header parameters of `stripe_webhook`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StripeWebhookParams {
    pub stripe_signature: Option<String>,
}

impl StripeWebhookParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.stripe_signature {
            pairs.push(("Stripe-Signature", value.to_string()));
        }
        pairs
    }
}

impl crate::Client {
    /// Liveness probe
    ///
    /// Answers 200 while the process runs; checks no dependency.
    pub async fn healthz(&self) -> Result<models::Health, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/healthz".to_string(),
            operation: "healthz",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Readiness probe
    ///
    /// 200 when PostgreSQL and NATS JetStream both answer and this process's live delivery runs
    /// (`live_delivery`: after a NATS reconnection the live feeds are re-created first); 503
    /// naming the failing check otherwise (the body has the same shape in both cases).
    pub async fn readyz(&self) -> Result<models::Readiness, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/readyz".to_string(),
            operation: "readyz",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Server and API version
    pub async fn version(&self) -> Result<models::Version, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/version".to_string(),
            operation: "version",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Introspect the calling credential
    ///
    /// What the credential of the request is and what it may do.
    pub async fn whoami(&self) -> Result<models::Whoami, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/v1/whoami".to_string(),
            operation: "whoami",
            security: &["ApiKeyAuth", "ClientToken", "UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Sign up: a user and their first tenant
    ///
    /// Creates a user, a tenant with that user as `owner`, and a session. Refused with 403 `signup_closed` when the operator turned sign-up off.
    pub async fn signup(&self, body: &models::Signup) -> Result<models::Session, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/auth/signup".to_string(),
            operation: "signup",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Log in with email and password
    ///
    /// Failed attempts are throttled per email and per source address (429 with `Retry-After`). The answer never says whether the email exists.
    pub async fn login(&self, body: &models::Login) -> Result<models::Session, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/auth/login".to_string(),
            operation: "login",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Rotate a refresh token
    ///
    /// Every refresh token works once. Presenting one that was already used revokes the whole session (token theft detection).
    pub async fn refresh(
        &self,
        body: &models::RefreshRequest,
    ) -> Result<models::Session, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/auth/refresh".to_string(),
            operation: "refresh",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// End a session
    ///
    /// Revokes the session of this refresh token; its access tokens stop working at once.
    pub async fn logout(&self, body: &models::RefreshRequest) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/auth/logout".to_string(),
            operation: "logout",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send_empty(request).await
    }

    /// The signed-in user and their memberships
    pub async fn me(&self) -> Result<models::User, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/v1/me".to_string(),
            operation: "me",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Tenants the user belongs to (all of them for an operator)
    pub async fn list_tenants(
        &self,
        params: &ListTenantsParams,
    ) -> Result<models::TenantList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/v1/tenants".to_string(),
            operation: "list_tenants",
            security: &["UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Create a tenant (the caller becomes its owner)
    pub async fn create_tenant(
        &self,
        body: &models::TenantCreate,
    ) -> Result<models::Tenant, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/tenants".to_string(),
            operation: "create_tenant",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A tenant
    pub async fn get_tenant(&self, tenant: &str) -> Result<models::Tenant, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}", encode_path_segment(tenant)),
            operation: "get_tenant",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Update a tenant
    pub async fn update_tenant(
        &self,
        tenant: &str,
        body: &models::TenantUpdate,
    ) -> Result<models::Tenant, crate::Error> {
        let request = ApiRequest {
            method: "PATCH",
            path: format!("/v1/tenants/{}", encode_path_segment(tenant)),
            operation: "update_tenant",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Members and their roles
    pub async fn list_members(&self, tenant: &str) -> Result<models::MemberList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/members", encode_path_segment(tenant)),
            operation: "list_members",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Remove a member
    pub async fn remove_member(&self, tenant: &str, user_id: &str) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!(
                "/v1/tenants/{}/members/{}",
                encode_path_segment(tenant),
                encode_path_segment(user_id)
            ),
            operation: "remove_member",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send_empty(request).await
    }

    /// Change a member's role
    ///
    /// Takes effect on the member's very next request, on every node. Only an owner grants or removes `owner`; nobody changes their own role; the last owner stays.
    pub async fn update_member(
        &self,
        tenant: &str,
        user_id: &str,
        body: &models::MemberUpdate,
    ) -> Result<models::Member, crate::Error> {
        let request = ApiRequest {
            method: "PATCH",
            path: format!(
                "/v1/tenants/{}/members/{}",
                encode_path_segment(tenant),
                encode_path_segment(user_id)
            ),
            operation: "update_member",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Invite someone by email
    ///
    /// Returns the invitation token once (deliver it to the invitee); it expires after 7 days.
    pub async fn invite(
        &self,
        tenant: &str,
        body: &models::InvitationCreate,
    ) -> Result<models::Invitation, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/tenants/{}/invitations", encode_path_segment(tenant)),
            operation: "invite",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Accept an invitation
    ///
    /// Signed in (bearer user token): joins the tenant. Not signed in: send `name` and `password` to create the account at the same time.
    pub async fn accept_invitation(
        &self,
        body: &models::InvitationAccept,
    ) -> Result<models::Session, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/invitations/accept".to_string(),
            operation: "accept_invitation",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A tenant's projects
    pub async fn list_projects(
        &self,
        tenant: &str,
        params: &ListProjectsParams,
    ) -> Result<models::ProjectList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/projects", encode_path_segment(tenant)),
            operation: "list_projects",
            security: &["UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Create a project
    pub async fn create_project(
        &self,
        tenant: &str,
        body: &models::ProjectCreate,
    ) -> Result<models::Project, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/tenants/{}/projects", encode_path_segment(tenant)),
            operation: "create_project",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A project
    pub async fn get_project(&self, project: &str) -> Result<models::Project, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}", encode_path_segment(project)),
            operation: "get_project",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Update a project
    pub async fn update_project(
        &self,
        project: &str,
        body: &models::ProjectUpdate,
    ) -> Result<models::Project, crate::Error> {
        let request = ApiRequest {
            method: "PATCH",
            path: format!("/v1/projects/{}", encode_path_segment(project)),
            operation: "update_project",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A project's API keys (never their secrets)
    pub async fn list_keys(
        &self,
        project: &str,
        params: &ListKeysParams,
    ) -> Result<models::ApiKeyList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/keys", encode_path_segment(project)),
            operation: "list_keys",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Create an API key
    ///
    /// The key is in this answer only. An API key caller can only create keys within its own grants.
    pub async fn create_key(
        &self,
        project: &str,
        body: &models::ApiKeyCreate,
    ) -> Result<models::ApiKeyWithSecret, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/keys", encode_path_segment(project)),
            operation: "create_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// An API key
    pub async fn get_key(
        &self,
        project: &str,
        key_id: &str,
    ) -> Result<models::ApiKey, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/v1/projects/{}/keys/{}",
                encode_path_segment(project),
                encode_path_segment(key_id)
            ),
            operation: "get_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Revoke an API key
    ///
    /// Every node refuses the key within a second.
    pub async fn revoke_key(&self, project: &str, key_id: &str) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!(
                "/v1/projects/{}/keys/{}",
                encode_path_segment(project),
                encode_path_segment(key_id)
            ),
            operation: "revoke_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send_empty(request).await
    }

    /// Replace an API key with a new secret
    ///
    /// Creates a key with the same name, grants and limits, and revokes the old one.
    pub async fn rotate_key(
        &self,
        project: &str,
        key_id: &str,
    ) -> Result<models::ApiKeyWithSecret, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/keys/{}/rotate",
                encode_path_segment(project),
                encode_path_segment(key_id)
            ),
            operation: "rotate_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Keys your backend signs client tokens with
    pub async fn list_signing_keys(
        &self,
        project: &str,
    ) -> Result<models::SigningKeyList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/signing-keys", encode_path_segment(project)),
            operation: "list_signing_keys",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Register a signing key
    ///
    /// Registered with an API key, the signing key records that key's `publish`, `subscribe` and
    /// `history` grants as its `max_capabilities`: tokens it signs that ask for more are refused
    /// (401), so a narrow key gains nothing by registering a signing key. Registered by a signed-in
    /// user (a role that may create any API key of the project), it has no cap. Every client token
    /// also lives at most the project's `max_client_token_ttl`.
    pub async fn create_signing_key(
        &self,
        project: &str,
        body: &models::SigningKeyCreate,
    ) -> Result<models::SigningKeyWithSecret, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/signing-keys", encode_path_segment(project)),
            operation: "create_signing_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Revoke a signing key
    ///
    /// Tokens signed with it stop verifying on every node within a second.
    pub async fn delete_signing_key(&self, project: &str, kid: &str) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!(
                "/v1/projects/{}/signing-keys/{}",
                encode_path_segment(project),
                encode_path_segment(kid)
            ),
            operation: "delete_signing_key",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send_empty(request).await
    }

    /// Mint a client token for a browser or device
    ///
    /// Needs an API key of this project; the token's capabilities must be within the key's grants,
    /// and `ttl_seconds` within the project's `max_client_token_ttl` (400 `validation_failed`).
    pub async fn mint_token(
        &self,
        project: &str,
        body: &models::TokenRequest,
    ) -> Result<models::ClientToken, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/tokens", encode_path_segment(project)),
            operation: "mint_token",
            security: &["ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// The tenant's audit log, newest first
    pub async fn list_audit(
        &self,
        tenant: &str,
        params: &ListAuditParams,
    ) -> Result<models::AuditList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/audit-log", encode_path_segment(tenant)),
            operation: "list_audit",
            security: &["UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Replay events by cursor
    ///
    /// Stored events in publish order, after `after` (or from `since`, or from the oldest). Pass
    /// `next_cursor` back as `after` for the next page. A cursor whose following events were removed by
    /// retention, or from before the stream was recreated, is 410 `cursor_expired` with the oldest
    /// valid cursor in `errors[0].oldest_cursor`. Needs `history` on the topic filter (users: any
    /// role).
    pub async fn list_events(
        &self,
        project: &str,
        params: &ListEventsParams,
    ) -> Result<models::EventPage, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/events", encode_path_segment(project)),
            operation: "list_events",
            security: &["ApiKeyAuth", "ClientToken", "UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Publish an event
    ///
    /// Needs an API key with `publish` on the topic, or a client token with the `publish` capability.
    /// Answered once JetStream has stored the event. With `Idempotency-Key` (or an `id`), a retry
    /// within 2 minutes answers the original event (`duplicate: true`); the same key with another body
    /// is 409 `idempotency_conflict`. `data` over 64 KiB is 413 `event_too_large`; an event larger than
    /// the project's retention `max_bytes` (it would be removed as soon as stored) is 413
    /// `retention_exceeded` and is not stored; `data` that breaks a registered schema is 422
    /// `schema_violation`; JetStream down is 503 with `Retry-After`.
    pub async fn publish_event(
        &self,
        project: &str,
        body: &models::EventCreate,
        params: &PublishEventParams,
    ) -> Result<models::Published, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/events", encode_path_segment(project)),
            operation: "publish_event",
            security: &["ApiKeyAuth", "ClientToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Publish up to 100 events in order
    ///
    /// Every event is validated before any is stored; they are stored in order. With
    /// `Idempotency-Key`, a retry stores only the events not stored yet and answers the originals.
    /// A batch larger than the project's retention `max_bytes`, or with more events than its
    /// `max_events` (its first events would be removed by its last ones), is 413
    /// `retention_exceeded` and nothing is stored.
    pub async fn publish_events(
        &self,
        project: &str,
        body: &models::EventBatchCreate,
        params: &PublishEventsParams,
    ) -> Result<models::PublishedBatch, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/events/batch", encode_path_segment(project)),
            operation: "publish_events",
            security: &["ApiKeyAuth", "ClientToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// The project's retention policy and stream usage
    pub async fn get_retention(
        &self,
        project: &str,
    ) -> Result<models::RetentionState, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/retention", encode_path_segment(project)),
            operation: "get_retention",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Change the retention policy
    ///
    /// Applied to the stream at once: lowering a limit removes the oldest events over it.
    pub async fn put_retention(
        &self,
        project: &str,
        body: &models::Retention,
    ) -> Result<models::RetentionState, crate::Error> {
        let request = ApiRequest {
            method: "PUT",
            path: format!("/v1/projects/{}/retention", encode_path_segment(project)),
            operation: "put_retention",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Topic schemas (every version)
    pub async fn list_schemas(
        &self,
        project: &str,
        params: &ListSchemasParams,
    ) -> Result<models::TopicSchemaList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/schemas", encode_path_segment(project)),
            operation: "list_schemas",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Register a new schema version for a topic or pattern
    pub async fn register_schema(
        &self,
        project: &str,
        body: &models::SchemaCreate,
    ) -> Result<models::TopicSchema, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/schemas", encode_path_segment(project)),
            operation: "register_schema",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A schema version
    pub async fn get_schema(
        &self,
        project: &str,
        schema_id: &str,
    ) -> Result<models::TopicSchema, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/v1/projects/{}/schemas/{}",
                encode_path_segment(project),
                encode_path_segment(schema_id)
            ),
            operation: "get_schema",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Deprecate a schema version (the previous version applies again)
    pub async fn deprecate_schema(
        &self,
        project: &str,
        schema_id: &str,
    ) -> Result<models::TopicSchema, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/schemas/{}/deprecate",
                encode_path_segment(project),
                encode_path_segment(schema_id)
            ),
            operation: "deprecate_schema",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Durable subscriptions
    pub async fn list_subscriptions(
        &self,
        project: &str,
        params: &ListSubscriptionsParams,
    ) -> Result<models::SubscriptionList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/v1/projects/{}/subscriptions",
                encode_path_segment(project)
            ),
            operation: "list_subscriptions",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Create a durable subscription
    ///
    /// It receives the events published from now on that match `topic`, at least once: unacknowledged
    /// deliveries come again after `ack_wait_seconds`, and after `max_deliveries` they go to the
    /// dead-letter stream.
    pub async fn create_subscription(
        &self,
        project: &str,
        body: &models::SubscriptionCreate,
    ) -> Result<models::Subscription, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/subscriptions",
                encode_path_segment(project)
            ),
            operation: "create_subscription",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A durable subscription
    pub async fn get_subscription(
        &self,
        project: &str,
        subscription: &str,
    ) -> Result<models::Subscription, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/v1/projects/{}/subscriptions/{}",
                encode_path_segment(project),
                encode_path_segment(subscription)
            ),
            operation: "get_subscription",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Delete a durable subscription
    pub async fn delete_subscription(
        &self,
        project: &str,
        subscription: &str,
    ) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!(
                "/v1/projects/{}/subscriptions/{}",
                encode_path_segment(project),
                encode_path_segment(subscription)
            ),
            operation: "delete_subscription",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send_empty(request).await
    }

    /// Pull pending events of a durable subscription
    ///
    /// Needs `subscribe` on the subscription's topic. Acknowledge each delivery with its `ack_token`.
    pub async fn pull(
        &self,
        project: &str,
        subscription: &str,
        body: &models::PullRequest,
    ) -> Result<models::DeliveryList, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/subscriptions/{}/pull",
                encode_path_segment(project),
                encode_path_segment(subscription)
            ),
            operation: "pull",
            security: &["ApiKeyAuth", "ClientToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Acknowledge deliveries
    pub async fn ack(
        &self,
        project: &str,
        subscription: &str,
        body: &models::AckRequest,
    ) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/subscriptions/{}/ack",
                encode_path_segment(project),
                encode_path_segment(subscription)
            ),
            operation: "ack",
            security: &["ApiKeyAuth", "ClientToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send_empty(request).await
    }

    /// Dead letters, oldest first
    pub async fn list_dead_letters(
        &self,
        project: &str,
        params: &ListDeadLettersParams,
    ) -> Result<models::DeadLetterList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/dead-letters", encode_path_segment(project)),
            operation: "list_dead_letters",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Purge dead letters (all, or one subscription's)
    pub async fn purge_dead_letters(
        &self,
        project: &str,
        params: &PurgeDeadLettersParams,
    ) -> Result<models::PurgeResult, crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!("/v1/projects/{}/dead-letters", encode_path_segment(project)),
            operation: "purge_dead_letters",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// A dead letter
    pub async fn get_dead_letter(
        &self,
        project: &str,
        dead_letter: &str,
    ) -> Result<models::DeadLetter, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/v1/projects/{}/dead-letters/{}",
                encode_path_segment(project),
                encode_path_segment(dead_letter)
            ),
            operation: "get_dead_letter",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Deliver a dead letter to its subscription again
    pub async fn redrive_dead_letter(
        &self,
        project: &str,
        dead_letter: &str,
    ) -> Result<models::DeadLetter, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/projects/{}/dead-letters/{}/redrive",
                encode_path_segment(project),
                encode_path_segment(dead_letter)
            ),
            operation: "redrive_dead_letter",
            security: &["UserToken", "ApiKeyAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// The plans and their limits
    pub async fn list_plans(&self) -> Result<models::PlanList, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/v1/plans".to_string(),
            operation: "list_plans",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// Create or change a plan (platform operators)
    ///
    /// Every node applies the new limits at once (control bus). Limits omitted when creating a plan
    /// are unlimited.
    pub async fn put_plan(
        &self,
        plan_name: &str,
        body: &models::PlanUpdate,
    ) -> Result<models::Plan, crate::Error> {
        let request = ApiRequest {
            method: "PUT",
            path: format!("/v1/plans/{}", encode_path_segment(plan_name)),
            operation: "put_plan",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Move a tenant to another plan (platform operators)
    pub async fn put_tenant_plan(
        &self,
        tenant: &str,
        body: &models::TenantPlan,
    ) -> Result<models::BillingState, crate::Error> {
        let request = ApiRequest {
            method: "PUT",
            path: format!("/v1/tenants/{}/plan", encode_path_segment(tenant)),
            operation: "put_tenant_plan",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Kill switch: suspend a tenant (platform operators)
    ///
    /// Publishes are refused with 403 `tenant_suspended` and every realtime connection of the tenant
    /// is closed with that code (4423) on every node within a second. Nothing is deleted. Audited.
    pub async fn suspend_tenant(
        &self,
        tenant: &str,
        body: &models::Suspend,
    ) -> Result<models::BillingState, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/tenants/{}/suspend", encode_path_segment(tenant)),
            operation: "suspend_tenant",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Resume a suspended tenant (platform operators)
    pub async fn resume_tenant(
        &self,
        tenant: &str,
        body: &models::Resume,
    ) -> Result<models::BillingState, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/tenants/{}/resume", encode_path_segment(tenant)),
            operation: "resume_tenant",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Kill switch: suspend one project (platform operators)
    pub async fn suspend_project(
        &self,
        project: &str,
        body: &models::Suspend,
    ) -> Result<models::ProjectState, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/suspend", encode_path_segment(project)),
            operation: "suspend_project",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Resume a suspended project (platform operators)
    pub async fn resume_project(
        &self,
        project: &str,
    ) -> Result<models::ProjectState, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/projects/{}/resume", encode_path_segment(project)),
            operation: "resume_project",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// The tenant's usage by day, and where it stands against its plan
    pub async fn tenant_usage(
        &self,
        tenant: &str,
        params: &TenantUsageParams,
    ) -> Result<models::Usage, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/usage", encode_path_segment(tenant)),
            operation: "tenant_usage",
            security: &["UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Every ledger row of the tenant: CSV with `Accept: text/csv`, else JSON
    ///
    /// One row per day, project and metric (`day,project_id,metric,quantity,kind`; `kind` is `sum`
    /// or `max`). Sent as `text/csv` (a file download) when the `Accept` header prefers it.
    pub async fn export_usage(
        &self,
        tenant: &str,
        params: &ExportUsageParams,
    ) -> Result<models::UsageExport, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/usage/export", encode_path_segment(tenant)),
            operation: "export_usage",
            security: &["UserToken"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// The project's usage by day
    pub async fn project_usage(
        &self,
        project: &str,
        params: &ProjectUsageParams,
    ) -> Result<models::Usage, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/projects/{}/usage", encode_path_segment(project)),
            operation: "project_usage",
            security: &["UserToken", "ApiKeyAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// The tenant's billing state: status, plan, trial, subscription
    pub async fn get_billing(&self, tenant: &str) -> Result<models::BillingState, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/v1/tenants/{}/billing", encode_path_segment(tenant)),
            operation: "get_billing",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    /// A Stripe Checkout link to subscribe to a paid plan (owner, billing)
    ///
    /// The subscription carries the plan's metered prices; a tenant still in its trial keeps the
    /// rest of it (Stripe converts it when the trial ends, with the payment method entered here).
    pub async fn create_checkout(
        &self,
        tenant: &str,
        body: &models::CheckoutRequest,
    ) -> Result<models::SessionLink, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!(
                "/v1/tenants/{}/billing/checkout",
                encode_path_segment(tenant)
            ),
            operation: "create_checkout",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// A Stripe Customer Portal link (owner, billing)
    pub async fn create_portal(
        &self,
        tenant: &str,
        body: &models::PortalRequest,
    ) -> Result<models::SessionLink, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: format!("/v1/tenants/{}/billing/portal", encode_path_segment(tenant)),
            operation: "create_portal",
            security: &["UserToken"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    /// Stripe webhook endpoint
    ///
    /// Verified on the raw body with `Stripe-Signature` (300 s tolerance); each event is processed
    /// once (by event id). A bad signature is 400 `webhook_signature_invalid` and changes nothing.
    pub async fn stripe_webhook(
        &self,
        body: &models::StripeEvent,
        params: &StripeWebhookParams,
    ) -> Result<models::WebhookReceipt, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/v1/billing/stripe/webhook".to_string(),
            operation: "stripe_webhook",
            security: &[],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }
}
