//! JSON shapes of the control plane that more than one handler returns.

use crate::ids::rfc3339;
use crate::sandbox::Sandbox;
use serde_json::{json, Value};

/// The `Sandbox` object; `with_token` adds `auth_token`/`token_expires_at` (create, refresh).
pub fn sandbox(sb: &Sandbox, with_token: bool) -> Value {
    let st = sb.state();
    let memory_mb = sb.spec.limits.memory_bytes.map_or(0, |b| b / (1024 * 1024));
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
        "resources": { "vcpu": crate::template::cpus(), "memory_mb": memory_mb, "disk_mb": 0 },
        "internet_access": sb.internet_access,
        "live_mode": false,
        "timeout_seconds": st.timeout_seconds,
        "expires_at": st.expires_at.map(rfc3339),
        "created_at": rfc3339(sb.created_at),
        "request_id": crate::error::current_request_id(),
    });
    if with_token {
        let (token, exp) = st.tokens.last().cloned().expect("a sandbox always has a token");
        v["auth_token"] = Value::String(token);
        v["token_expires_at"] = Value::String(rfc3339(exp));
    }
    v
}
