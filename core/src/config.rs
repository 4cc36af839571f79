//! Which server a client talks to, decided once from arguments and the environment.
//!
//! Order (DESIGN §2): an explicit `base_url`; an API key (argument or `HOPX_API_KEY`) selects
//! the cloud at `HOPX_BASE_URL` or the default URL; `HOPX_BASE_URL` alone selects that server;
//! otherwise the embedded local engine. `base_url = "local"` forces the embedded engine.

use std::path::PathBuf;

/// The HopX cloud's control plane.
pub const DEFAULT_BASE_URL: &str = "https://api.hopx.dev";

/// What the caller passed; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    /// The Python the local engine runs sandbox code with (the bindings pass their own).
    pub local_python: Option<PathBuf>,
}

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A remote control plane (the cloud or a standalone `hopx-local serve`).
    Remote { base_url: String, api_key: Option<String> },
    /// The engine embedded in this process, started on first use.
    Local,
}

impl ClientConfig {
    /// Resolves the backend from the arguments and the process environment.
    pub fn backend(&self) -> Backend {
        self.backend_with_env(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// [`ClientConfig::backend`] with the environment passed in, for tests.
    pub fn backend_with_env(&self, env: impl Fn(&str) -> Option<String>) -> Backend {
        let api_key = self.api_key.clone().filter(|k| !k.is_empty()).or_else(|| env("HOPX_API_KEY"));
        let explicit = self.base_url.clone().filter(|u| !u.is_empty());
        if explicit.as_deref() == Some("local") {
            return Backend::Local;
        }
        if let Some(url) = explicit {
            return Backend::Remote { base_url: trim(url), api_key };
        }
        let env_url = env("HOPX_BASE_URL");
        match (api_key, env_url) {
            (_, Some(url)) if url == "local" => Backend::Local,
            (Some(key), url) => Backend::Remote {
                base_url: trim(url.unwrap_or_else(|| DEFAULT_BASE_URL.into())),
                api_key: Some(key),
            },
            (None, Some(url)) => Backend::Remote { base_url: trim(url), api_key: None },
            (None, None) => Backend::Local,
        }
    }
}

fn trim(url: String) -> String {
    url.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(cfg: ClientConfig, env: &[(&str, &str)]) -> Backend {
        cfg.backend_with_env(|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn order_of_choice() {
        let none = ClientConfig::default();
        assert_eq!(resolve(none.clone(), &[]), Backend::Local);
        assert_eq!(
            resolve(none.clone(), &[("HOPX_API_KEY", "k")]),
            Backend::Remote { base_url: DEFAULT_BASE_URL.into(), api_key: Some("k".into()) }
        );
        assert_eq!(
            resolve(none.clone(), &[("HOPX_BASE_URL", "http://h:1/")]),
            Backend::Remote { base_url: "http://h:1".into(), api_key: None }
        );
        let explicit = ClientConfig { base_url: Some("http://x".into()), ..Default::default() };
        assert_eq!(
            resolve(explicit, &[("HOPX_API_KEY", "k"), ("HOPX_BASE_URL", "http://y")]),
            Backend::Remote { base_url: "http://x".into(), api_key: Some("k".into()) }
        );
        let local =
            ClientConfig { base_url: Some("local".into()), api_key: Some("k".into()), ..Default::default() };
        assert_eq!(resolve(local, &[]), Backend::Local);
    }
}
