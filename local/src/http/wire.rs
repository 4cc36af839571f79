//! JSON shapes of the control plane that more than one handler returns.

use crate::engine::sandbox::Sandbox;
use crate::ids::rfc3339;
use serde_json::{json, Value};

/// The `Sandbox` object; `with_token` adds `auth_token`/`token_expires_at` (create, refresh).
pub fn sandbox(sb: &Sandbox, with_token: bool) -> Value {
    let st = sb.state();
    let memory_mb = sb.context.spec.limits.memory_bytes.map_or(0, |b| b / (1024 * 1024));
    let mut v = json!({
        "object": "sandbox",
        "id": sb.id,
        "status": "running",
        "public_host": sb.agent_url,
        "direct_url": sb.agent_url,
        "template_id": sb.template.id,
        "template_name": sb.template.name,
        "organization_id": 0,
        "node_id": "local",
        "region": "local",
        "resources": { "vcpu": crate::engine::template::cpus(), "memory_mb": memory_mb, "disk_mb": 0 },
        "internet_access": sb.internet_access,
        "live_mode": false,
        "created_at": rfc3339(sb.created_at),
        "request_id": crate::http::current_request_id(),
    });
    // No TTL: leave both out. The spec types them integer/string without `nullable`, and
    // both official SDKs read a missing key as "no timeout".
    if let Some(t) = st.timeout_seconds {
        v["timeout_seconds"] = t.into();
    }
    if let Some(at) = st.expires_at {
        v["expires_at"] = Value::String(rfc3339(at));
    }
    if with_token {
        let (token, exp) = st.tokens.last().cloned().expect("a sandbox always has a token");
        v["auth_token"] = Value::String(token);
        v["token_expires_at"] = Value::String(rfc3339(exp));
    }
    v
}
