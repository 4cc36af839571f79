//! A sandbox on the control plane: the `POST /v1/sandboxes` request and the `Sandbox` record
//! that create, get, list and token refresh answer with.

use crate::lenient::int_or_numeric_string;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The body of `POST /v1/sandboxes`: a template id (a string on the wire) or name, plus the
/// options that are set; unset ones are left out, as the official SDKs do.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateSandboxRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Kill the sandbox after this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_access: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<BTreeMap<String, String>>,
}

/// Resources of a sandbox (`disk_mb` here; templates say `disk_gb`). The official Python SDK
/// needs all three keys when the object is there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub vcpu: i64,
    #[serde(default)]
    pub memory_mb: i64,
    #[serde(default)]
    pub disk_mb: i64,
}

/// The `Sandbox` object. Only `id` is required to read one (without it the server is broken);
/// every other field the cloud may leave out, and what is unset is not written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SandboxRecord {
    #[serde(alias = "sandbox_id")]
    pub id: String,
    /// Always `"sandbox"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// `running`, `paused`, `stopped`, `creating`...
    #[serde(default)]
    pub status: String,
    /// The agent's base URL, scheme included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_host: Option<String>,
    /// The agent's base URL when `public_host` is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
    /// The agent's bearer token: on create and refresh only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
    /// RFC 3339, with `auth_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_name: Option<String>,
    /// An integer here (a string on templates).
    #[serde(default, deserialize_with = "int_or_numeric_string", skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_access: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_mode: Option<bool>,
    /// Auto-kill after this many seconds; left out when there is none (the spec types it an
    /// integer, not nullable, and both official SDKs read a missing key as "none").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
    /// When the sandbox will be killed (RFC 3339); left out with `timeout_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cloud_record_reads_with_string_org_ids_and_sandbox_id() {
        let r: SandboxRecord = serde_json::from_value(json!({
            "sandbox_id": "abc", "organization_id": "12", "resources": {"vcpu": 2}, "expires_at": null
        }))
        .unwrap();
        assert_eq!((r.id.as_str(), r.organization_id, r.status.as_str()), ("abc", Some(12), ""));
        assert_eq!(r.resources.unwrap().memory_mb, 0);
        assert!(serde_json::from_value::<SandboxRecord>(json!({"status": "running"})).is_err(), "no id");
    }

    #[test]
    fn unset_fields_are_not_written() {
        let r = SandboxRecord { id: "a".into(), status: "running".into(), ..Default::default() };
        assert_eq!(serde_json::to_value(r).unwrap(), json!({"id": "a", "status": "running"}));
        let create = CreateSandboxRequest { template_name: Some("base".into()), ..Default::default() };
        assert_eq!(serde_json::to_value(create).unwrap(), json!({"template_name": "base"}));
    }
}
