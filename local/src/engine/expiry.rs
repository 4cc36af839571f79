//! Time-to-live: the task that kills each sandbox whose `timeout_seconds` ran out.

use super::{Engine, Gone};
use std::time::{Duration, SystemTime};

/// Kills sandboxes whose time-to-live ran out; sleeps until the next deadline.
pub(super) async fn expire_loop(engine: Engine) {
    loop {
        let now = SystemTime::now();
        let mut due = Vec::new();
        let mut next: Option<SystemTime> = None;
        for sb in engine.inner.sandboxes.lock().unwrap().values() {
            match sb.state().expires_at {
                Some(at) if at <= now => due.push(sb.id.clone()),
                Some(at) => next = Some(next.map_or(at, |n| n.min(at))),
                None => {}
            }
        }
        for id in due {
            tracing::info!("sandbox {id} expired");
            engine.remove(&id, Gone::Expired).await;
        }
        let wait =
            next.and_then(|n| n.duration_since(SystemTime::now()).ok()).unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = engine.inner.expiry_changed.notified() => {}
        }
    }
}
