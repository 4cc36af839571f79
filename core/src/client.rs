//! `Client`: one resolved backend plus the HTTP machinery shared by all its sandboxes.
//!
//! The embedded local engine is just another control plane on loopback: once it has started,
//! a `Backend::Local` client takes exactly the same code paths as a remote one.

use crate::config::{Backend, ClientConfig};
use crate::control::{self, Control};
use crate::error::{Error, ErrorKind};
use crate::local_engine::{self, LocalEngine};
use crate::models::{CreateOptions, ListOptions, SandboxInfo, DEFAULT_TEMPLATE};
use crate::sandbox::Sandbox;
use crate::token::{self, Token};
use crate::Result;
use serde_json::Value;
use std::sync::Arc;

/// A connection to one control plane. Cheap to clone; clones share connections and tokens.
#[derive(Clone)]
pub struct Client {
    config: ClientConfig,
    backend: Backend,
    control: Arc<Control>,
    /// The local engine, for `Backend::Local`.
    local: Option<Arc<LocalEngine>>,
}

impl Client {
    /// Resolves the backend (starting the embedded engine if that is the choice).
    pub async fn new(config: ClientConfig) -> Result<Client> {
        let backend = config.backend();
        let (control, local) = match &backend {
            Backend::Remote { base_url, api_key } => (Control::new(base_url.clone(), api_key.clone()), None),
            Backend::Local => {
                let engine = local_engine::start(&config).await?;
                (Control::new(engine.base_url.clone(), Some(engine.api_key.clone())), Some(Arc::new(engine)))
            }
        };
        control.http()?; // builds it now, so a bad configuration fails here
        Ok(Client { config, backend, control: Arc::new(control), local })
    }

    /// The backend this client resolved to.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The control-plane URL requests go to (the embedded engine's loopback URL for `Local`).
    pub fn base_url(&self) -> &str {
        &self.control.base_url
    }

    pub(crate) fn control(&self) -> &Control {
        &self.control
    }

    /// `error` of a call to sandbox `sandbox_id`, explained if the shared local engine that
    /// held the sandbox is gone.
    pub(crate) fn explain_lost(&self, error: Error, sandbox_id: &str) -> Error {
        match &self.local {
            Some(local) => local.explain_lost(error, sandbox_id),
            None => error,
        }
    }

    /// `POST /v1/sandboxes`. Returns as soon as the control plane has created the sandbox; the
    /// first agent call tolerates a VM that is still booting. Without `template` and
    /// `template_id` the template is [`DEFAULT_TEMPLATE`]. Given `env_vars` are also pushed
    /// to the agent (`PATCH /env`), because the cloud does not apply them to the runtime.
    pub async fn create_sandbox(&self, mut options: CreateOptions) -> Result<Sandbox> {
        if options.template.is_none() && options.template_id.is_none() {
            options.template = Some(DEFAULT_TEMPLATE.to_string());
        }
        let (client, body) = match self.create_once(&options).await {
            Err(e) if self.local.as_ref().is_some_and(|l| l.retry_create(&e)) => {
                let fresh = Client::new(self.config.clone()).await?;
                let body = fresh.create_once(&options).await?;
                (fresh, body)
            }
            created => (self.clone(), created?),
        };
        let token = Token::from_body(&body);
        let info = control::parse_info(body)?;
        if let Some(token) = token {
            token::put(&client.control.base_url, &info.sandbox_id, token);
        }
        let sandbox = Sandbox::from_parts(client, &info.sandbox_id, info.agent_url());
        if let Some(env) = options.env_vars.as_ref().filter(|e| !e.is_empty()) {
            if let Err(e) = sandbox.update_env(env).await {
                // The caller gets no handle on error, so do not leave a sandbox running.
                let _ = sandbox.kill().await;
                return Err(e);
            }
        }
        Ok(sandbox)
    }

    /// A handle to an existing sandbox: it must be running or paused (a paused one is resumed),
    /// and its agent token is refreshed.
    pub async fn connect(&self, sandbox_id: &str) -> Result<Sandbox> {
        let info = self.control.get(sandbox_id).await?;
        match info.status.as_str() {
            "running" => {}
            "paused" => self.control.resume(sandbox_id).await?,
            "stopped" => {
                return Err(Error::new(
                    ErrorKind::Hopx,
                    format!("Sandbox {sandbox_id} is stopped and cannot be connected to"),
                ))
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Hopx,
                    format!(
                    "Sandbox {sandbox_id} is '{other}'; only running or paused sandboxes can be connected to"
                ),
                ))
            }
        }
        // After a resume the address may have changed, so only trust it when it was running.
        let url = if info.status == "running" { info.agent_url() } else { None };
        let sandbox = Sandbox::from_parts(self.clone(), sandbox_id, url);
        sandbox.refresh_token().await?;
        Ok(sandbox)
    }

    async fn create_once(&self, options: &CreateOptions) -> Result<Value> {
        let owner = self.local.as_ref().and_then(|l| l.owner_header());
        self.control.create(options, owner).await
    }

    /// `GET /v1/sandboxes`.
    pub async fn list(&self, options: ListOptions) -> Result<Vec<SandboxInfo>> {
        self.control.list(&options).await
    }

    /// `GET /v1/sandboxes`, each as a handle next to its record.
    pub async fn list_sandboxes(&self, options: ListOptions) -> Result<Vec<(Sandbox, SandboxInfo)>> {
        Ok(self.list_page(options, None).await?.0)
    }

    /// One page of sandboxes from `cursor`, as handles next to their records, and the cursor
    /// of the next page (for a lazy iteration that fetches pages as it goes).
    pub async fn list_page(
        &self,
        options: ListOptions,
        cursor: Option<&str>,
    ) -> Result<(Vec<(Sandbox, SandboxInfo)>, Option<String>)> {
        let (infos, next) = self.control.list_page(&options, cursor).await?;
        let handles = infos
            .into_iter()
            .map(|info| (Sandbox::from_parts(self.clone(), &info.sandbox_id, info.agent_url()), info))
            .collect();
        Ok((handles, next))
    }

    /// `GET /v1/templates` (only those of `category` / `language` when given), as records.
    pub async fn list_templates(&self, category: Option<&str>, language: Option<&str>) -> Result<Vec<Value>> {
        self.control.templates(category, language).await
    }

    /// `GET /v1/templates/{name}`.
    pub async fn get_template(&self, name: &str) -> Result<Value> {
        self.control.template(name).await
    }

    /// `DELETE /v1/templates/{template_id}`; built-in templates cannot be deleted.
    pub async fn delete_template(&self, template_id: &str) -> Result<Value> {
        self.control.delete_template(template_id).await
    }

    /// `GET /health` of the control plane.
    pub async fn health_check(&self) -> Result<Value> {
        self.control.health().await
    }
}

/// Shows where the client points, never its API key.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base_url", &self.control.base_url).finish_non_exhaustive()
    }
}
