//! Agent tokens: a process-wide cache and the rule for when to refresh.
//!
//! The control plane hands out a bearer token for each sandbox's agent (on create and on
//! refresh). Every handle to the same sandbox in this process shares it, so a `connect()` does
//! not need a refresh when a token is still good. Keyed by control-plane URL and sandbox id.

use crate::per_process::PerProcess;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Refresh when less than this is left, as the official SDKs do.
const REFRESH_MARGIN_SECS: i64 = 3600;

/// An agent bearer token and when it stops working.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub value: String,
    /// Unix seconds; `None` if the server's timestamp could not be read.
    pub expires_at: Option<i64>,
}

impl Token {
    /// Reads `auth_token` + `token_expires_at` from a create or refresh body; both must be there.
    pub fn from_body(body: &Value) -> Option<Token> {
        let value = body.get("auth_token")?.as_str().filter(|t| !t.is_empty())?;
        let expires = body.get("token_expires_at")?.as_str()?;
        Some(Token { value: value.to_string(), expires_at: parse_rfc3339(expires) })
    }
}

/// Whether to ask for a new token before calling the agent at `now` (unix seconds).
/// An unreadable expiry is trusted until the agent answers 401, rather than refreshing forever.
pub(crate) fn needs_refresh(token: Option<&Token>, now: i64) -> bool {
    match token {
        None => true,
        Some(Token { expires_at: Some(at), .. }) => at - now < REFRESH_MARGIN_SECS,
        Some(Token { expires_at: None, .. }) => false,
    }
}

/// The current time in unix seconds.
pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

type Key = (String, String);

/// The tokens of this process. A forked child starts with a copy of its parent's, unless a
/// thread of the parent held the lock at the fork (then the copy may be half-written, and the
/// child starts empty and refreshes tokens as it needs them).
fn cache() -> std::sync::MutexGuard<'static, HashMap<Key, Token>> {
    static CACHE: PerProcess<Mutex<HashMap<Key, Token>>> = PerProcess::new();
    let make = |parent: Option<&Mutex<HashMap<Key, Token>>>| {
        Mutex::new(parent.and_then(|m| m.try_lock().ok().map(|tokens| tokens.clone())).unwrap_or_default())
    };
    CACHE.get(make).lock().unwrap_or_else(|e| e.into_inner())
}

fn key(base_url: &str, sandbox_id: &str) -> Key {
    (base_url.to_string(), sandbox_id.to_string())
}

/// The cached token of a sandbox.
pub(crate) fn get(base_url: &str, sandbox_id: &str) -> Option<Token> {
    cache().get(&key(base_url, sandbox_id)).cloned()
}

/// Stores a sandbox's token, replacing the old one.
pub(crate) fn put(base_url: &str, sandbox_id: &str, token: Token) {
    cache().insert(key(base_url, sandbox_id), token);
}

/// Forgets a killed sandbox's token.
pub(crate) fn remove(base_url: &str, sandbox_id: &str) {
    cache().remove(&key(base_url, sandbox_id));
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)` into unix seconds (fraction dropped).
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = s.get(from..to)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = rest.as_bytes();
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let hh: i64 = rest[1..3].parse().ok()?;
            let mm: i64 = rest[4..6].parse().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc3339_forms() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_rfc3339("2025-10-21T10:00:00Z"), Some(1_761_040_800));
        // Go's nanoseconds and an offset: the same instant.
        assert_eq!(parse_rfc3339("2025-10-21T12:00:00.123456789+02:00"), Some(1_761_040_800));
        assert_eq!(parse_rfc3339("2025-10-21T05:30:00-04:30"), Some(1_761_040_800));
        assert_eq!(parse_rfc3339("2024-02-29t00:00:00z"), Some(1_709_164_800));
    }

    #[test]
    fn rfc3339_rejects_garbage() {
        for bad in [
            "",
            "2025-10-21",
            "2025-10-21T10:00:00",
            "2025-13-01T00:00:00Z",
            "2025-10-21T10:00:00.Z",
            "2025-10-21T10:00:00+0200",
            "2025/10/21T10:00:00Z",
            "2025-10-21T1a:00:00Z",
            "2025-10-21T10:00:00Zjunk",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn refresh_when_missing_or_under_an_hour_left() {
        let now = 1_000_000;
        let t = |left: i64| Token { value: "t".into(), expires_at: Some(now + left) };
        assert!(needs_refresh(None, now));
        assert!(needs_refresh(Some(&t(3599)), now));
        assert!(needs_refresh(Some(&t(-5)), now));
        assert!(!needs_refresh(Some(&t(3600)), now));
        assert!(!needs_refresh(Some(&t(86_400)), now));
        assert!(!needs_refresh(Some(&Token { value: "t".into(), expires_at: None }), now));
    }

    #[test]
    fn token_needs_both_fields() {
        let both = json!({"auth_token": "a", "token_expires_at": "1970-01-01T01:00:00Z"});
        assert_eq!(Token::from_body(&both), Some(Token { value: "a".into(), expires_at: Some(3600) }));
        assert_eq!(Token::from_body(&json!({"auth_token": "a"})), None);
        assert_eq!(Token::from_body(&json!({"token_expires_at": "1970-01-01T01:00:00Z"})), None);
    }

    #[test]
    fn cache_is_keyed_by_plane_and_id() {
        let tok = Token { value: "x".into(), expires_at: None };
        put("http://a", "sb", tok.clone());
        assert_eq!(get("http://a", "sb"), Some(tok));
        assert_eq!(get("http://b", "sb"), None);
        remove("http://a", "sb");
        assert_eq!(get("http://a", "sb"), None);
    }
}
