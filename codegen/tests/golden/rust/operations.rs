// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
// Change the spec (or codegen/templates/rust) and run `make codegen`.

//! One method per REST operation of Petstore fixture 1.2.3, on `crate::Client`.
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
        name: "ApiKeyHeader",
        kind: "apiKey",
        scheme: None,
        location: Some("header"),
        param_name: Some("X-API-Key"),
    },
    SecurityScheme {
        name: "ApiKeyQuery",
        kind: "apiKey",
        scheme: None,
        location: Some("query"),
        param_name: Some("api_key"),
    },
    SecurityScheme {
        name: "BearerAuth",
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

impl Page for models::PetPage {
    type Item = models::Pet;

    fn items(&self) -> &[Self::Item] {
        &self.items
    }

    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

impl Page for models::VisitPage {
    type Item = models::Visit;

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

/// Query and header parameters of `list_pets`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPetsParams {
    pub after: Option<models::PageCursor>,
    pub limit: Option<i32>,
    /// Only pets with all of these tags.
    pub tag: Option<Vec<String>>,
    pub color: Option<models::Color>,
    /// A parameter named like a keyword.
    pub from: Option<String>,
    pub x_trace_id: Option<String>,
}

impl ListPetsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        if let Some(value) = &self.limit {
            pairs.push(("limit", value.to_string()));
        }
        if let Some(value) = &self.tag {
            for v in value {
                pairs.push(("tag", v.to_string()));
            }
        }
        if let Some(value) = &self.color {
            pairs.push(("color", value.as_str().to_string()));
        }
        if let Some(value) = &self.from {
            pairs.push(("from", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.x_trace_id {
            pairs.push(("X-Trace-Id", value.to_string()));
        }
        pairs
    }
}

/// Query and header parameters of `list_visits`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListVisitsParams {
    pub after: Option<models::PageCursor>,
}

impl ListVisitsParams {
    /// The query parameters, as name-value pairs (a list repeats its name).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(value) = &self.after {
            pairs.push(("after", value.to_string()));
        }
        pairs
    }

    /// The header parameters, as name-value pairs (a list repeats its name).
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

impl crate::Client {
    /// List pets, newest first
    pub async fn list_pets(
        &self,
        params: &ListPetsParams,
    ) -> Result<models::PetPage, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/pets".to_string(),
            operation: "list_pets",
            security: &["BearerAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Create a pet
    pub async fn create_pet(&self, body: &models::Pet) -> Result<models::Pet, crate::Error> {
        let request = ApiRequest {
            method: "POST",
            path: "/pets".to_string(),
            operation: "create_pet",
            security: &["ApiKeyHeader", "BearerAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(serde_json::to_value(body)?),
        };
        self.send(request).await
    }

    pub async fn get_pet(&self, pet_id: i64) -> Result<models::Pet, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/pets/{}", encode_path_segment(&pet_id.to_string())),
            operation: "get_pet",
            security: &["BearerAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    #[deprecated]
    pub async fn delete_pet(&self, pet_id: i64) -> Result<(), crate::Error> {
        let request = ApiRequest {
            method: "DELETE",
            path: format!("/pets/{}", encode_path_segment(&pet_id.to_string())),
            operation: "delete_pet",
            security: &["ApiKeyQuery"],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send_empty(request).await
    }

    /// Absent fields are kept; `null` clears a nullable one.
    pub async fn update_pet(
        &self,
        pet_id: i64,
        body: Option<&models::PetUpdate>,
    ) -> Result<models::Pet, crate::Error> {
        let request = ApiRequest {
            method: "PATCH",
            path: format!("/pets/{}", encode_path_segment(&pet_id.to_string())),
            operation: "update_pet",
            security: &["BearerAuth"],
            query: Vec::new(),
            headers: Vec::new(),
            body: body.map(serde_json::to_value).transpose()?,
        };
        self.send(request).await
    }

    /// A pet's visits, oldest first
    ///
    /// A page always carries `next_cursor` (where to resume later); `has_more` says whether more
    /// visits are there now.
    pub async fn list_visits(
        &self,
        pet_id: i64,
        params: &ListVisitsParams,
    ) -> Result<models::VisitPage, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!("/pets/{}/visits", encode_path_segment(&pet_id.to_string())),
            operation: "list_visits",
            security: &["BearerAuth"],
            query: params.query_pairs(),
            headers: params.header_pairs(),
            body: None,
        };
        self.send(request).await
    }

    /// Path parameters that are a ref'd string and an enum
    pub async fn pets_by_color(
        &self,
        owner: &str,
        color: models::Color,
    ) -> Result<Vec<models::Pet>, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: format!(
                "/owners/{}/pets/{}",
                encode_path_segment(owner),
                encode_path_segment(color.as_str())
            ),
            operation: "pets_by_color",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }

    pub async fn census(&self) -> Result<models::Census, crate::Error> {
        let request = ApiRequest {
            method: "GET",
            path: "/census".to_string(),
            operation: "census",
            security: &[],
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        };
        self.send(request).await
    }
}
