//! The retry policy as data, and the one loop that applies it.
//!
//! Retrying is only safe when the server cannot have acted on the request: idempotent calls,
//! or failures that prove nothing was done (no TCP connection, 429, a 503 from create).
//! `POST /execute` must never run the user's code twice, so its policy retries only those.

use crate::http::Failure;
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

/// First backoff delay; it doubles on every attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Longest backoff delay between two attempts.
const BACKOFF_CAP: Duration = Duration::from_secs(4);
/// Longest wait we accept from a server's `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Delay between connection attempts while a sandbox VM boots.
const BOOT_DELAY: Duration = Duration::from_millis(500);

/// When a failed request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Policy {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// HTTP statuses that prove the request may be sent again.
    pub statuses: &'static [u16],
    /// Retry when the TCP connection could not be established (nothing was sent).
    pub connect: bool,
    /// Keep retrying connect errors for this long, whatever `max_attempts` says: the first
    /// agent call of a cloud sandbox may find the VM still booting.
    pub connect_window: Option<Duration>,
}

/// GET, DELETE, PUT timeout, token refresh, PATCH /env: sending twice does no harm.
pub(crate) const IDEMPOTENT: Policy =
    Policy { max_attempts: 4, statuses: &[429, 502, 503, 504], connect: true, connect_window: None };

/// `POST /v1/sandboxes`: 429 and 503 mean the server refused before creating anything;
/// a 502/504 or a timeout may hide a sandbox that was created, so those are not retried.
pub(crate) const CREATE: Policy =
    Policy { max_attempts: 4, statuses: &[429, 503], connect: true, connect_window: None };

/// `POST /execute`: only failures that prove the code did not start.
pub(crate) const EXECUTE: Policy =
    Policy { max_attempts: 4, statuses: &[429], connect: true, connect_window: None };

impl Policy {
    /// This policy, also tolerating connect errors for `window` (a booting sandbox).
    pub fn with_connect_window(self, window: Duration) -> Policy {
        Policy { connect_window: Some(window), ..self }
    }

    /// How long to wait before attempt `attempts + 1`, or `None` to give up.
    /// `elapsed` is the time since the first attempt started.
    pub fn delay(&self, attempts: u32, elapsed: Duration, failure: &Failure) -> Option<Duration> {
        if failure.connect {
            if !self.connect {
                return None;
            }
            if self.connect_window.is_some_and(|w| elapsed < w) {
                return Some(BOOT_DELAY);
            }
            return (attempts < self.max_attempts).then(|| backoff(attempts));
        }
        let status = failure.error.status_code?;
        if !self.statuses.contains(&status) || attempts >= self.max_attempts {
            return None;
        }
        Some(match failure.retry_after {
            Some(wait) => wait.min(MAX_RETRY_AFTER),
            None => backoff(attempts),
        })
    }
}

/// Sends with `attempt` until it succeeds or `policy` gives up; returns the last failure.
pub(crate) async fn run<T, F, Fut>(policy: &Policy, mut attempt: F) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let started = Instant::now();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let failure = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        match policy.delay(attempts, started.elapsed(), &failure) {
            Some(wait) => {
                tracing::debug!(attempts, ?wait, error = %failure.error, "retrying");
                tokio::time::sleep(wait).await;
            }
            None => return Err(failure),
        }
    }
}

/// Capped exponential backoff with jitter, so that many clients do not retry in step.
fn backoff(attempts: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1 << attempts.saturating_sub(1).min(16));
    let full = exp.min(BACKOFF_CAP);
    // Wait between half and all of it.
    full.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

/// Parses a `Retry-After` value: delay seconds or an HTTP-date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, ErrorKind};

    fn status(code: u16, retry_after: Option<f64>) -> Failure {
        let mut error = Error::new(ErrorKind::Server, "x");
        error.status_code = Some(code);
        Failure { error, connect: false, retry_after: retry_after.map(Duration::from_secs_f64) }
    }

    fn connect() -> Failure {
        Failure { error: Error::new(ErrorKind::Network, "refused"), connect: true, retry_after: None }
    }

    fn network() -> Failure {
        Failure { error: Error::new(ErrorKind::Network, "reset"), connect: false, retry_after: None }
    }

    const T0: Duration = Duration::ZERO;

    #[test]
    fn idempotent_retries_gateway_errors_and_rate_limits() {
        for code in [429, 502, 503, 504] {
            assert!(IDEMPOTENT.delay(1, T0, &status(code, None)).is_some(), "{code}");
        }
        for code in [400, 401, 404, 408, 500] {
            assert!(IDEMPOTENT.delay(1, T0, &status(code, None)).is_none(), "{code}");
        }
        assert!(IDEMPOTENT.delay(1, T0, &connect()).is_some());
        assert!(IDEMPOTENT.delay(1, T0, &network()).is_none());
        assert!(IDEMPOTENT.delay(4, T0, &status(503, None)).is_none(), "four attempts at most");
    }

    #[test]
    fn create_never_retries_what_may_have_created_a_sandbox() {
        assert!(CREATE.delay(1, T0, &status(503, None)).is_some());
        assert!(CREATE.delay(1, T0, &status(429, None)).is_some());
        assert!(CREATE.delay(1, T0, &connect()).is_some());
        assert!(CREATE.delay(1, T0, &status(502, None)).is_none());
        assert!(CREATE.delay(1, T0, &status(504, None)).is_none());
        assert!(CREATE.delay(1, T0, &network()).is_none());
    }

    #[test]
    fn execute_retries_only_what_proves_nothing_ran() {
        assert!(EXECUTE.delay(1, T0, &connect()).is_some());
        assert!(EXECUTE.delay(1, T0, &status(429, None)).is_some());
        for code in [500, 502, 503, 504, 408] {
            assert!(EXECUTE.delay(1, T0, &status(code, None)).is_none(), "{code}");
        }
        assert!(EXECUTE.delay(1, T0, &network()).is_none());
    }

    #[test]
    fn boot_window_keeps_retrying_connect_errors_then_stops() {
        let p = EXECUTE.with_connect_window(Duration::from_secs(30));
        assert_eq!(p.delay(20, Duration::from_secs(10), &connect()), Some(BOOT_DELAY));
        assert!(p.delay(20, Duration::from_secs(31), &connect()).is_none());
        assert!(p.delay(1, Duration::from_secs(1), &network()).is_none());
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let wait = IDEMPOTENT.delay(1, T0, &status(429, Some(2.0))).unwrap();
        assert_eq!(wait, Duration::from_secs(2));
        let wait = IDEMPOTENT.delay(1, T0, &status(429, Some(3600.0))).unwrap();
        assert_eq!(wait, MAX_RETRY_AFTER);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for attempts in 1..10 {
            let full = BACKOFF_BASE.saturating_mul(1 << (attempts - 1)).min(BACKOFF_CAP);
            let d = backoff(attempts);
            assert!(d >= full / 2 && d <= full, "{attempts}: {d:?}");
        }
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 0.5 ", now), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
