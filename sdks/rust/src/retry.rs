//! When to retry and how long to wait: exponential backoff with full jitter, `Retry-After` first.

use std::time::Duration;

/// How a client retries a call that failed for a reason that may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// The cap of the first backoff; it doubles on each retry.
    pub base_delay: Duration,
    /// No backoff is longer than this.
    pub max_delay: Duration,
    /// A server's `Retry-After` longer than this is cut to it, so a confused proxy cannot
    /// park the caller for hours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): `Retry-After` when the server gave it,
    /// else a uniform draw in `[0, min(max_delay, base_delay * 2^retry))` ("full jitter", so
    /// clients that failed together do not retry together). `unit` is a draw in `[0, 1)`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
        let cap = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        cap.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Statuses worth retrying unchanged: request timeout, rate limited, server errors.
pub fn retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// `Retry-After` in its delay-seconds form; the HTTP-date form is treated as absent.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_doubling_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, None, 0.0), Duration::ZERO);
        assert_eq!(policy.delay(0, None, 0.5), Duration::from_millis(125));
        assert_eq!(policy.delay(2, None, 0.5), Duration::from_millis(500));
        // 250ms * 2^10 is far past max_delay: capped.
        assert_eq!(policy.delay(10, None, 0.5), Duration::from_secs(4));
        assert_eq!(
            policy.delay(40, None, 0.999),
            Duration::from_secs(8).mul_f64(0.999)
        );
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let policy = RetryPolicy::default();
        let wait = Some(Duration::from_secs(2));
        assert_eq!(policy.delay(0, wait, 0.1), Duration::from_secs(2));
        let huge = Some(Duration::from_secs(86_400));
        assert_eq!(policy.delay(0, huge, 0.1), Duration::from_secs(60));
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 413] {
            assert!(!retryable_status(status), "{status}");
        }
    }

    #[test]
    fn retry_after_seconds_parse() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
