//! When and how long to wait before trying a request again.

use std::time::{Duration, SystemTime};

use reqwest::Method;

/// Retry settings of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after a connection could not be made.
    pub connect_retries: u32,
    /// A fixed delay between connection retries; exponential otherwise.
    pub connect_retry_delay: Option<Duration>,
    /// Retries after a retriable status code (idempotent methods only).
    pub status_code_retries: u32,
    /// A fixed delay between status-code retries; exponential otherwise.
    pub status_code_retry_delay: Option<Duration>,
    /// The status codes to retry.
    pub retriable_status_codes: Vec<u16>,
    /// The longest wait, whatever `Retry-After` says.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            connect_retries: 0,
            connect_retry_delay: None,
            status_code_retries: 0,
            status_code_retry_delay: None,
            retriable_status_codes: vec![503, 429],
            max_delay: Duration::from_secs(60),
        }
    }
}

/// keystoneauth's backoff: 0.5 s, doubling, capped at 60 s.
pub(crate) fn backoff(attempt: u32, fixed: Option<Duration>, cap: Duration) -> Duration {
    fixed.unwrap_or_else(|| Duration::from_millis(500).saturating_mul(1u32 << attempt.min(16))).min(cap)
}

/// Methods that may be sent twice.
pub(crate) fn idempotent(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE)
}

/// `Retry-After` as seconds or an HTTP date, relative to `now`.
pub(crate) fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let cap = Duration::from_secs(60);
        let d: Vec<u128> = (0..9).map(|a| backoff(a, None, cap).as_millis()).collect();
        assert_eq!(d, [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
        assert_eq!(backoff(5, Some(Duration::from_secs(2)), cap), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Wed, 25 Nov 2026 17:00:00 GMT").expect("date");
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("Wed, 25 Nov 2026 17:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(retry_after("Wed, 25 Nov 2026 16:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }
}
