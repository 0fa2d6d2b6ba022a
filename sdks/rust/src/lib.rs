//! Rust SDK for Tidings, a multi-tenant realtime event platform.
//!
//! - [`generated`]: models, the error registry and one method per REST operation, generated
//!   from `spec/` by `codegen/` (never edit by hand; run `make codegen`).
//! - [`Client`]: the hand-written runtime those methods run on: credentials, retries with
//!   exponential backoff and full jitter, `Retry-After`, idempotency keys, typed errors.
//!
//! ```no_run
//! # async fn demo() -> Result<(), tidings::Error> {
//! let client = tidings::Client::builder("http://localhost:8080")
//!     .api_key("tdg_live_...")
//!     .build()?;
//! let health = client.healthz().await?;
//! # let _ = health;
//! # Ok(())
//! # }
//! ```

mod client;
mod error;
pub mod generated;
mod retry;

pub use client::{Client, ClientBuilder, TokenProvider};
pub use error::{ApiError, Error, ErrorKind};
pub use generated::errors::{CloseAction, ErrorCode, ErrorInfo};
pub use generated::models;
pub use generated::operations::Page;
pub use retry::RetryPolicy;
