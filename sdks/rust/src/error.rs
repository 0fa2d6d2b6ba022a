//! Errors of the SDK: one root, [`Error`]; an answer of the server is [`Error::Api`].

use std::fmt;
use std::time::Duration;

use crate::generated::errors::ErrorCode;
use crate::generated::models::Problem;

/// Every failure of a call.
#[derive(Debug)]
pub enum Error {
    /// The server answered with an error status (after any retries).
    Api(Box<ApiError>),
    /// No answer: connection refused or reset, DNS, TLS (after any retries).
    Connection(String),
    /// The call took longer than the client's timeout.
    Timeout,
    /// A body could not be encoded or a successful answer could not be decoded.
    Decode(String),
    /// The client is misconfigured (bad base URL, header value, ...).
    Config(String),
}

/// The class of an API error, by HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    Server,
    Other,
}

/// An error answer: RFC 9457 problem details with a stable `code`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    /// The stable code (`spec/errors.yaml`), when the body was a problem.
    pub code: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
    /// From the problem or the `X-Request-ID` header: quote it to support.
    pub request_id: Option<String>,
    /// From `Retry-After`, when the server sent it.
    pub retry_after: Option<Duration>,
    /// The decoded problem, when the body was one.
    pub problem: Option<Problem>,
}

impl ApiError {
    /// Build from a response's status, `X-Request-ID`, `Retry-After` and body.
    pub fn from_response(
        status: u16,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Self {
        let problem: Option<Problem> = serde_json::from_slice(body).ok();
        Self {
            status,
            code: problem.as_ref().map(|p| p.code.clone()),
            title: problem.as_ref().map(|p| p.title.clone()),
            detail: problem.as_ref().and_then(|p| p.detail.clone()),
            request_id: problem
                .as_ref()
                .and_then(|p| p.request_id.clone())
                .or(request_id),
            retry_after,
            problem,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self.status {
            400 | 422 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthenticated,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }

    /// The registry entry of `code`; `None` if absent or newer than this SDK.
    pub fn error_code(&self) -> Option<ErrorCode> {
        self.code.as_deref().and_then(ErrorCode::from_code)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(e) => {
                write!(f, "HTTP {}", e.status)?;
                if let Some(code) = &e.code {
                    write!(f, " {code}")?;
                }
                if let Some(detail) = e.detail.as_ref().or(e.title.as_ref()) {
                    write!(f, ": {detail}")?;
                }
                if let Some(id) = &e.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
            Self::Connection(reason) => write!(f, "connection failed: {reason}"),
            Self::Timeout => f.write_str("timed out"),
            Self::Decode(reason) => write!(f, "could not decode: {reason}"),
            Self::Config(reason) => write!(f, "invalid configuration: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Self::Decode(err.to_string())
    }
}
