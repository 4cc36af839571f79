//! One HTTP exchange: send, read `X-Request-ID`, turn the answer into JSON or an [`Error`].
//!
//! Building a `reqwest::Client` sets up TLS and a connection pool, so clients are cached
//! process-wide: a Python loop calling `Sandbox.create(...)` reuses warm connections.

use crate::error::{Error, ErrorKind, Plane};
use crate::per_process::PerProcess;
use crate::retry::parse_retry_after;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Sent on every request, so server logs tell our SDK apart.
pub(crate) const USER_AGENT: &str = concat!("hopx-rs/", env!("CARGO_PKG_VERSION"));

/// A failed attempt, with what the retry policy needs to judge it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    /// The TCP connection was never established, so the server saw nothing.
    pub connect: bool,
    /// The server's `Retry-After` (header, else the body's retry hint).
    pub retry_after: Option<Duration>,
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        f.error
    }
}

/// The shared `reqwest::Client` for a backend, built on first use.
///
/// Keyed by (base_url, api_key) as the brief of the bindings asks; the key is never put in
/// default headers, because the same client also talks to agents on other hosts. Per process:
/// a forked child must not use the parent's pooled connections (the parent still uses those
/// sockets, and the tasks driving them did not survive the fork).
pub(crate) fn shared_client(base_url: &str, api_key: Option<&str>) -> Result<reqwest::Client, Error> {
    type Key = (String, Option<String>);
    static CLIENTS: PerProcess<Mutex<HashMap<Key, reqwest::Client>>> = PerProcess::new();
    let key = (base_url.to_string(), api_key.map(String::from));
    let mut clients = CLIENTS.get(|_| Mutex::default()).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(client) = clients.get(&key) {
        return Ok(client.clone());
    }
    let client = build_client(base_url)?;
    clients.insert(key, client.clone());
    Ok(client)
}

fn build_client(base_url: &str) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(10))
        // Below common server idle timeouts, so a pooled connection is rarely found dead.
        .pool_idle_timeout(Duration::from_secs(30));
    if is_loopback(base_url) {
        // A local engine's agents are on loopback too; an HTTP(S)_PROXY must not catch them.
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| Error::new(ErrorKind::Hopx, format!("Could not build the HTTP client: {e}")))
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Sends one request and reads the whole answer. `timeout` bounds the entire exchange.
pub(crate) async fn send(
    plane: Plane,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<Value, Failure> {
    let response = send_raw(plane, request.timeout(timeout), timeout).await?;
    let status = response.status().as_u16();
    let request_id = header(&response, "x-request-id");
    let text = response.text().await.map_err(|e| transport(e, timeout))?;
    if text.trim().is_empty() {
        // A 204 or an empty 200 means "done, nothing to say".
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_str(&text).map_err(|e| {
        let mut error =
            Error::new(ErrorKind::Api, format!("The server sent a response that is not JSON: {e}"));
        error.status_code = Some(status);
        error.request_id = request_id;
        Failure { error, connect: false, retry_after: None }
    })
}

/// Sends one request and returns the response of a success, its body unread (a download
/// streams it); an error status becomes the error its body describes. The request's own
/// timeout, if any, is the caller's; `timeout` only names it in messages.
pub(crate) async fn send_raw(
    plane: Plane,
    request: reqwest::RequestBuilder,
    timeout: Duration,
) -> Result<reqwest::Response, Failure> {
    let response = request.send().await.map_err(|e| transport(e, timeout))?;
    let status = response.status().as_u16();
    if status < 400 {
        return Ok(response);
    }
    let request_id = header(&response, "x-request-id");
    let retry_after = header(&response, "retry-after").and_then(|v| parse_retry_after(&v, SystemTime::now()));
    let text = response.text().await.map_err(|e| transport(e, timeout))?;
    let mut error = Error::from_response(plane, status, request_id, &text);
    let retry_after = retry_after
        .or_else(|| error.retry_after.filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64));
    if error.retry_after.is_none() {
        error.retry_after = retry_after.map(|d| d.as_secs_f64());
    }
    Err(Failure { error, connect: false, retry_after })
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

/// Maps a transport failure: connect errors (nothing sent), timeouts, other network errors.
pub(crate) fn transport(e: reqwest::Error, timeout: Duration) -> Failure {
    let connect = e.is_connect();
    let error = if e.is_timeout() && !connect {
        Error::new(ErrorKind::Timeout, format!("Request timed out after {}s", seconds(timeout)))
    } else if connect {
        Error::new(ErrorKind::Network, format!("Could not connect: {}", chain(&e)))
    } else {
        Error::new(ErrorKind::Network, format!("The connection failed: {}", chain(&e)))
    };
    Failure { error, connect, retry_after: None }
}

/// The error and its causes, because reqwest's own message hides the useful part.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Seconds as people write them: `150`, or `0.5` when not whole.
pub(crate) fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        format!("{}", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost/v1"));
        assert!(is_loopback("http://[::1]:9"));
        assert!(!is_loopback("https://api.hopx.dev"));
        assert!(!is_loopback("http://127.evil.com"));
    }

    #[test]
    fn whole_and_fractional_seconds() {
        assert_eq!(seconds(Duration::from_secs(150)), "150");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5");
    }
}
