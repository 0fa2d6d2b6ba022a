// Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
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
    /// Not Found
    NotFound,
    /// Too Many Requests
    RateLimited,
    /// Going Away
    GoingAway,
}

/// The registry, in spec order (`ErrorCode as usize` indexes it).
pub static ERRORS: [ErrorInfo; 3] = [
    ErrorInfo {
        code: ErrorCode::NotFound,
        title: "Not Found",
        retryable: false,
        status: Some(404),
        close_code: None,
        action: None,
        description: "No such pet.",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::RateLimited,
        title: "Too Many Requests",
        retryable: true,
        status: Some(429),
        close_code: Some(4429),
        action: Some(CloseAction::Reconnect),
        description: "",
        frame: false,
    },
    ErrorInfo {
        code: ErrorCode::GoingAway,
        title: "Going Away",
        retryable: true,
        status: None,
        close_code: Some(4001),
        action: Some(CloseAction::Reconnect),
        description: "The node is shutting down.",
        frame: false,
    },
];

impl ErrorCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::RateLimited => "rate_limited",
            Self::GoingAway => "going_away",
        }
    }

    /// The code for a wire spelling; `None` for a code this SDK does not know yet.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "not_found" => Some(Self::NotFound),
            "rate_limited" => Some(Self::RateLimited),
            "going_away" => Some(Self::GoingAway),
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
