//! The HTTP client the generated operations run on.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, Error};
use crate::generated::operations::{ApiRequest, SECURITY_SCHEMES};
use crate::retry::{parse_retry_after, retryable_status, RetryPolicy};

/// Supplies a fresh credential before each attempt (e.g. a client token nearing expiry).
pub trait TokenProvider: Send + Sync {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + '_>>;
}

#[derive(Clone)]
enum Credential {
    None,
    Static(String),
    Provider(Arc<dyn TokenProvider>),
}

impl fmt::Debug for Credential {
    // Never print a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::Static(_) => "Static(***)",
            Self::Provider(_) => "Provider",
        })
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    credential: Credential,
    timeout: Duration,
    retry: RetryPolicy,
}

impl ClientBuilder {
    /// A server-to-server API key (`tdg_live_...`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credential = Credential::Static(key.into());
        self
    }

    /// A JWT: a user's access token or a client token.
    pub fn token(mut self, jwt: impl Into<String>) -> Self {
        self.credential = Credential::Static(jwt.into());
        self
    }

    /// Ask `provider` for the credential before every attempt.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credential = Credential::Provider(provider);
        self
    }

    /// Limit for each attempt (connect + answer); retries get their own.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::Config(format!(
                "base URL must be http(s): {base_url:?}"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .user_agent(concat!("tidings-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(e.to_string()))?;
        Ok(Client {
            http,
            base_url,
            credential: self.credential,
            retry: self.retry,
        })
    }
}

/// A Tidings REST client; cheap to clone (connections are pooled and shared).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    credential: Credential,
    retry: RetryPolicy,
}

/// A successful answer, before decoding.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            credential: Credential::None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// Perform `request` and decode its JSON answer.
    pub async fn send<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T, Error> {
        let answer = self.execute(&request).await?;
        serde_json::from_slice(&answer.body).map_err(|e| {
            Error::Decode(format!(
                "{} answer ({}): {e}",
                request.operation, answer.status
            ))
        })
    }

    /// Perform `request`, whose success has no body.
    pub async fn send_empty(&self, request: ApiRequest) -> Result<(), Error> {
        self.execute(&request).await.map(|_| ())
    }

    async fn execute(&self, request: &ApiRequest) -> Result<Answer, Error> {
        // One key per logical call, the same on every retry: the server deduplicates by it, so
        // a retried POST whose first answer was lost does not act twice.
        // An explicit `Idempotency-Key` (a generated method's argument) is the call's key.
        let explicit = request
            .headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("idempotency-key"))
            .map(|(_, value)| value.clone());
        let idempotency_key = explicit
            .or_else(|| matches!(request.method, "POST" | "PATCH").then(new_idempotency_key));
        let mut retry = 0;
        loop {
            let outcome = self.attempt(request, idempotency_key.as_deref()).await;
            let retry_after = match &outcome {
                Ok(_) => return outcome,
                Err(Error::Api(e)) if retryable_status(e.status) => e.retry_after,
                Err(Error::Connection(_) | Error::Timeout) => None,
                Err(_) => return outcome,
            };
            if retry >= self.retry.max_retries {
                return outcome;
            }
            tokio::time::sleep(self.retry.delay(retry, retry_after, fastrand::f64())).await;
            retry += 1;
        }
    }

    async fn attempt(
        &self,
        request: &ApiRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, Error> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| Error::Config(e.to_string()))?;
        let mut builder = self
            .http
            .request(method, format!("{}{}", self.base_url, request.path))
            .headers(self.headers(request, idempotency_key).await?);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body)?);
        }
        let response = builder.send().await.map_err(transport_error)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id");
        let retry_after = header("retry-after").as_deref().and_then(parse_retry_after);
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        if (200..300).contains(&status) {
            Ok(Answer { status, body })
        } else {
            Err(Error::Api(Box::new(ApiError::from_response(
                status,
                request_id,
                retry_after,
                &body,
            ))))
        }
    }

    async fn headers(
        &self,
        request: &ApiRequest,
        idempotency_key: Option<&str>,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("application/json"));
        if let Some(key) = idempotency_key {
            headers.insert("idempotency-key", header_value(key)?);
        }
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::Config(e.to_string()))?;
            headers.insert(name, header_value(value)?);
        }
        // Anonymous operations (login, health) never see the credential.
        if let Some(scheme) = request
            .security
            .iter()
            .find_map(|name| SECURITY_SCHEMES.iter().find(|s| s.name == *name))
        {
            let secret = match &self.credential {
                Credential::None => return Ok(headers),
                Credential::Static(secret) => secret.clone(),
                Credential::Provider(provider) => provider.token().await?,
            };
            match (scheme.kind, scheme.location, scheme.param_name) {
                ("apiKey", Some("header"), Some(name)) => {
                    let name = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|e| Error::Config(e.to_string()))?;
                    headers.insert(name, header_value(&secret)?);
                }
                _ => {
                    headers.insert(AUTHORIZATION, header_value(&format!("Bearer {secret}"))?);
                }
            }
        }
        Ok(headers)
    }
}

fn header_value(value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|e| Error::Config(e.to_string()))?;
    value.set_sensitive(true);
    Ok(value)
}

fn transport_error(err: reqwest::Error) -> Error {
    if err.is_timeout() {
        Error::Timeout
    } else {
        Error::Connection(err.to_string())
    }
}

/// A random UUIDv4 (128 bits from the thread's generator is plenty for deduplication).
fn new_idempotency_key() -> String {
    let mut bytes = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::new_idempotency_key;

    #[test]
    fn idempotency_keys_are_uuid4_and_distinct() {
        let a = new_idempotency_key();
        let b = new_idempotency_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
