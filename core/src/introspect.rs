//! What a sandbox tells about itself: its agent's health, description and metrics, the
//! processes running in it and its kernel sessions, and its time left. The rules the official
//! SDKs apply on top (what counts as healthy, when a sandbox is "expiring soon") live here,
//! once for both bindings.

use crate::error::{Error, ErrorKind};
use crate::retry::IDEMPOTENT;
use crate::sandbox::Sandbox;
use crate::token::parse_rfc3339;
use crate::{agent, Result};
use serde::Serialize;
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// How soon "expiring soon" is unless a caller says otherwise (the official SDKs' 300 s).
pub const EXPIRY_WARNING_SECONDS: i64 = 300;

/// When a sandbox expires, with the official `ExpiryInfo` fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpiryInfo {
    /// RFC 3339, as the control plane said it; `None` without a time-to-live.
    pub expires_at: Option<String>,
    /// Whole seconds left (negative once past); `None` without a time-to-live.
    pub time_to_expiry: Option<i64>,
    pub is_expired: bool,
    /// Whether fewer than the threshold's seconds are left (and it has not expired yet).
    pub is_expiring_soon: bool,
    pub has_timeout: bool,
}

impl ExpiryInfo {
    /// The expiry of a sandbox whose `expires_at` is given, seen at `now` (unix seconds).
    pub fn at(expires_at: Option<&str>, now: i64, threshold_seconds: i64) -> ExpiryInfo {
        let left = expires_at.and_then(parse_rfc3339).map(|at| at - now);
        ExpiryInfo {
            expires_at: expires_at.map(String::from),
            time_to_expiry: left,
            is_expired: left.is_some_and(|s| s <= 0),
            is_expiring_soon: left.is_some_and(|s| s > 0 && s <= threshold_seconds),
            has_timeout: left.is_some(),
        }
    }
}

fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl Sandbox {
    /// One `GET` on the agent, retried as an idempotent call.
    async fn agent_json(&self, path: &str) -> Result<Value> {
        self.ensure_alive()?;
        let http = &self.client().control().http()?;
        self.agent_call(&IDEMPOTENT, |url, tok| async move {
            agent::get(http, &format!("{url}{path}"), &tok).await
        })
        .await
    }

    /// `GET {agent}/health`: the agent's own answer (`status`, `version`, ...).
    pub async fn health(&self) -> Result<Value> {
        self.agent_json("/health").await
    }

    /// Whether the agent answers `/health` with a healthy status ("healthy" or "ok"). Any
    /// failure to ask is an unhealthy answer, never an error.
    pub async fn is_healthy(&self) -> bool {
        match self.health().await {
            Ok(v) => matches!(v["status"].as_str(), Some("healthy" | "ok")),
            Err(_) => false,
        }
    }

    /// Checks that the sandbox can take work: not expired (`SandboxExpired`), running (a
    /// paused or stopped one is an error naming its status), and its agent healthy.
    pub async fn ensure_healthy(&self) -> Result<()> {
        let info = self.info().await?;
        let expiry = ExpiryInfo::at(info.expires_at.as_deref(), now_unix(), EXPIRY_WARNING_SECONDS);
        if expiry.is_expired {
            return Err(Error::new(
                ErrorKind::SandboxExpired,
                format!("Sandbox {} expired at {}", self.id(), info.expires_at.unwrap_or_default()),
            ));
        }
        if info.status != "running" {
            let mut e =
                Error::new(ErrorKind::Api, format!("Sandbox {} is {}, not running", self.id(), info.status));
            e.code = Some("sandbox_not_running".into());
            return Err(e);
        }
        if !self.is_healthy().await {
            let mut e = Error::new(ErrorKind::Api, format!("Sandbox {}'s agent is not healthy", self.id()));
            e.code = Some("sandbox_unhealthy".into());
            return Err(e);
        }
        Ok(())
    }

    /// The agent's base URL (known from create, else asked from the control plane once).
    pub async fn resolved_agent_url(&self) -> Result<String> {
        self.ensure_alive()?;
        self.resolve_agent_url().await
    }

    /// `GET {agent}/info`: the agent's description (version, features, limits, ...).
    pub async fn agent_info(&self) -> Result<Value> {
        self.agent_json("/info").await
    }

    /// `GET {agent}/metrics/snapshot`: the sandbox's resource use and the agent's counters.
    pub async fn metrics_snapshot(&self) -> Result<Value> {
        self.agent_json("/metrics/snapshot").await
    }

    /// `GET {agent}/processes`: every process running in the sandbox.
    pub async fn system_processes(&self) -> Result<Vec<Value>> {
        let v = self.agent_json("/processes").await?;
        Ok(v["processes"].as_array().cloned().unwrap_or_default())
    }

    /// `GET {agent}/jupyter/sessions`: the sandbox's kernel sessions.
    pub async fn jupyter_sessions(&self) -> Result<Vec<Value>> {
        let v = self.agent_json("/jupyter/sessions").await?;
        Ok(v["sessions"].as_array().cloned().unwrap_or_default())
    }

    /// When the sandbox expires, from its record; "soon" is `threshold_seconds` or less.
    pub async fn expiry_info(&self, threshold_seconds: i64) -> Result<ExpiryInfo> {
        let info = self.info().await?;
        Ok(ExpiryInfo::at(info.expires_at.as_deref(), now_unix(), threshold_seconds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_from_the_record() {
        let none = ExpiryInfo::at(None, 1_000, 300);
        assert_eq!((none.has_timeout, none.time_to_expiry, none.is_expired), (false, None, false));
        // 2001-09-09T01:46:40Z is unix 1_000_000_000.
        let at = "2001-09-09T01:46:40Z";
        let soon = ExpiryInfo::at(Some(at), 1_000_000_000 - 120, 300);
        assert_eq!((soon.time_to_expiry, soon.is_expiring_soon, soon.is_expired), (Some(120), true, false));
        let later = ExpiryInfo::at(Some(at), 1_000_000_000 - 301, 300);
        assert!(!later.is_expiring_soon && later.has_timeout);
        let past = ExpiryInfo::at(Some(at), 1_000_000_000 + 5, 300);
        assert_eq!((past.time_to_expiry, past.is_expired, past.is_expiring_soon), (Some(-5), true, false));
    }
}
