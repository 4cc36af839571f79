//! A template on the control plane (`GET /v1/templates[/{name}]`). The official Python SDK
//! builds its `Template` from each listed item, so every field it requires is always written.

use serde::{Deserialize, Serialize};

/// Resources of a template (`disk_gb` here; sandboxes say `disk_mb`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateResources {
    pub vcpu: i64,
    pub memory_mb: i64,
    pub disk_gb: i64,
}

/// The `Template` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateRecord {
    /// Always `"template"`.
    pub object: String,
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub category: String,
    pub language: String,
    pub features: Vec<String>,
    pub tags: Vec<String>,
    pub popularity_score: i64,
    pub is_active: bool,
    pub is_public: bool,
    /// `pending`, `building`, `active`, `failed` or `archived`.
    pub status: String,
    pub build_id: String,
    /// A string here (an integer on sandboxes).
    pub organization_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub default_resources: TemplateResources,
    pub min_resources: TemplateResources,
    pub max_resources: TemplateResources,
    /// On `GET /v1/templates/{name}`, not on list items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}
