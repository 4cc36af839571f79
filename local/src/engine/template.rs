//! The templates a local engine offers.

use crate::exec::Language;
use serde_json::{json, Value};

/// A sandbox template.
#[derive(Debug)]
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    /// Python runs in a persistent kernel (state survives between calls).
    pub python_kernel: bool,
}

/// Every template, in listing order.
pub static TEMPLATES: [Template; 2] = [
    Template {
        id: "1",
        name: "code-interpreter",
        display_name: "Code Interpreter",
        description:
            "Python in a persistent IPython kernel with rich outputs; javascript, bash and go one-shot",
        python_kernel: true,
    },
    Template {
        id: "2",
        name: "base",
        display_name: "Base",
        description: "Every language one-shot: a fresh process per call",
        python_kernel: false,
    },
];

impl Template {
    /// Finds a template by name or id.
    pub fn find(name_or_id: &str) -> Option<&'static Template> {
        TEMPLATES.iter().find(|t| t.name == name_or_id || t.id == name_or_id)
    }

    /// The names, for error messages.
    pub fn names() -> Vec<&'static str> {
        TEMPLATES.iter().map(|t| t.name).collect()
    }

    /// Whether runs of `lang` go to the kernel.
    pub fn uses_kernel(&self, lang: Language) -> bool {
        self.python_kernel && lang == Language::Python
    }

    /// The `Template` object of `GET /v1/templates/{name}`.
    pub fn to_wire(&self, memory_mb: u64, created_at: &str) -> Value {
        let resources = json!({ "vcpu": cpus(), "memory_mb": memory_mb, "disk_gb": 0 });
        json!({
            "object": "template",
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "category": "development",
            "language": "python",
            "features": if self.python_kernel { vec!["stateful-python", "rich-outputs"] } else { vec![] },
            "tags": ["local"],
            "popularity_score": 0,
            "is_active": true,
            "is_public": true,
            "status": "active",
            "build_id": "",
            "organization_id": "",
            "created_at": created_at,
            "updated_at": created_at,
            "default_resources": resources,
            "min_resources": resources,
            "max_resources": resources,
        })
    }
}

/// CPUs of this machine (sandboxes share them).
pub fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
