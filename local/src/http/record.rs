//! The sandbox record the control plane answers create, get, list and refresh with.

use crate::engine::sandbox::Sandbox;
use crate::ids::rfc3339;
use hopx_wire::{Resources, SandboxRecord};

/// The `Sandbox` object; `with_token` adds `auth_token`/`token_expires_at` (create, refresh).
pub fn sandbox(sb: &Sandbox, with_token: bool) -> SandboxRecord {
    let st = sb.state();
    let memory_mb = sb.context.spec.limits.memory_bytes.map_or(0, |b| b / (1024 * 1024));
    let token = with_token.then(|| st.tokens.last().cloned().expect("a sandbox always has a token"));
    SandboxRecord {
        object: Some("sandbox".into()),
        id: sb.id.clone(),
        status: if sb.is_paused() { "paused" } else { "running" }.into(),
        public_host: Some(sb.agent_url.clone()),
        direct_url: Some(sb.agent_url.clone()),
        preview_url: None,
        template_id: Some(sb.template.id.into()),
        template_name: Some(sb.template.name.into()),
        organization_id: Some(0),
        node_id: Some("local".into()),
        region: Some("local".into()),
        resources: Some(Resources {
            vcpu: crate::engine::template::cpus() as i64,
            memory_mb: memory_mb as i64,
            disk_mb: 0,
        }),
        internet_access: Some(sb.internet_access),
        live_mode: Some(false),
        // No TTL: both left out (see `SandboxRecord::timeout_seconds`).
        timeout_seconds: st.timeout_seconds,
        expires_at: st.expires_at.map(rfc3339),
        created_at: Some(rfc3339(sb.created_at)),
        request_id: Some(crate::http::current_request_id()),
        token_expires_at: token.as_ref().map(|(_, expires)| rfc3339(*expires)),
        auth_token: token.map(|(value, _)| value),
    }
}
