//! The templates a local engine offers.

use crate::exec::Language;
use hopx_wire::{TemplateRecord, TemplateResources};

/// A sandbox template.
#[derive(Debug)]
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    /// The language it is meant for (every template runs every language the machine has).
    pub language: &'static str,
    /// Python runs in a persistent kernel (state survives between calls).
    pub python_kernel: bool,
}

/// Every template, in listing order. `code-interpreter` and `base` are the cloud's; the others
/// are the names the official docs and examples use, each mapped to what this engine runs.
pub static TEMPLATES: [Template; 5] = [
    Template {
        id: "1",
        name: "code-interpreter",
        display_name: "Code Interpreter",
        description: "Stateful IPython with plots; JS, bash, go one-shot",
        language: "python",
        python_kernel: true,
    },
    Template {
        id: "2",
        name: "base",
        display_name: "Base",
        description: "Every language one-shot, a fresh process per run",
        language: "python",
        python_kernel: false,
    },
    Template {
        id: "3",
        name: "python",
        display_name: "Python",
        description: "Python in a stateful IPython kernel",
        language: "python",
        python_kernel: true,
    },
    Template {
        id: "4",
        name: "nodejs",
        display_name: "Node.js",
        description: "JavaScript on Node.js, one-shot runs",
        language: "javascript",
        python_kernel: false,
    },
    Template {
        id: "5",
        name: "go",
        display_name: "Go",
        description: "Go programs, compiled and run per call",
        language: "go",
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
    pub fn to_wire(&self, memory_mb: u64, created_at: &str) -> TemplateRecord {
        let resources = TemplateResources { vcpu: cpus() as i64, memory_mb: memory_mb as i64, disk_gb: 0 };
        let features = if self.python_kernel { vec!["stateful-python", "rich-outputs"] } else { vec![] };
        TemplateRecord {
            object: "template".into(),
            id: self.id.into(),
            name: self.name.into(),
            display_name: self.display_name.into(),
            description: self.description.into(),
            category: "development".into(),
            language: self.language.into(),
            features: features.into_iter().map(String::from).collect(),
            tags: vec!["local".into()],
            popularity_score: 0,
            is_active: true,
            is_public: true,
            status: "active".into(),
            build_id: String::new(),
            organization_id: String::new(),
            created_at: created_at.into(),
            updated_at: created_at.into(),
            default_resources: resources.clone(),
            min_resources: resources.clone(),
            max_resources: resources,
            request_id: None,
        }
    }
}

/// CPUs of this machine (sandboxes share them).
pub fn cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
