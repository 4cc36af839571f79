//! `Sandbox`: a handle to one sandbox, joining its control-plane record and its agent.
//!
//! It owns the rules that need both planes: where the agent is, which token to send, when to
//! refresh it (proactively, and once after a 401), and that a killed sandbox sends nothing.

use crate::agent;
use crate::client::Client;
use crate::config::Backend;
use crate::error::{Error, ErrorKind};
use crate::http::Failure;
use crate::models::{
    ExecutionResult, RunOptions, SandboxInfo, DEFAULT_BACKGROUND_TIMEOUT, DEFAULT_RUN_TIMEOUT,
    MAX_BACKGROUND_TIMEOUT, MAX_RUN_TIMEOUT,
};
use crate::retry::{self, Policy, EXECUTE, IDEMPOTENT};
use crate::run_check::validate_run;
use crate::stream::ExecutionStream;
use crate::token::{self, Token};
use crate::Result;
use hopx_wire::{BackgroundRequest, StreamMessage};
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OnceCell};

/// Largest code accepted by `run_code`, so a mistake fails fast instead of uploading gigabytes.
pub const MAX_CODE_BYTES: usize = 16 * 1024 * 1024;
/// How long the first agent call keeps retrying connect errors while the VM boots.
const BOOT_WINDOW: Duration = Duration::from_secs(30);

/// One sandbox. Cheap to clone; after [`Sandbox::kill`] every call fails with a clear error.
#[derive(Clone)]
pub struct Sandbox {
    client: Client,
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    agent_url: OnceCell<String>,
    killed: AtomicBool,
    /// Set once the agent has answered anything: from then on a connect error is a real failure.
    agent_seen: AtomicBool,
    /// Serialises refreshes so that concurrent calls do not each ask for a token.
    refresh: Mutex<()>,
}

impl Sandbox {
    /// A handle from known parts, without any request. `agent_url` is the agent's base URL
    /// (`public_host`); when `None` it is fetched with `GET /v1/sandboxes/{id}` on first use.
    pub fn from_parts(client: Client, sandbox_id: &str, agent_url: Option<String>) -> Sandbox {
        let url = OnceCell::new();
        if let Some(u) = agent_url.filter(|u| !u.is_empty()) {
            let _ = url.set(u.trim_end_matches('/').to_string());
        }
        Sandbox {
            client,
            inner: Arc::new(Inner {
                id: sandbox_id.to_string(),
                agent_url: url,
                killed: AtomicBool::new(false),
                agent_seen: AtomicBool::new(false),
                refresh: Mutex::new(()),
            }),
        }
    }

    /// The sandbox id.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// The client this sandbox was made with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The agent's base URL, if already known (it always is after `create`).
    pub fn agent_url(&self) -> Option<&str> {
        self.inner.agent_url.get().map(String::as_str)
    }

    /// Whether [`Sandbox::kill`] has succeeded on this handle (or a clone of it).
    pub fn is_killed(&self) -> bool {
        self.inner.killed.load(Ordering::SeqCst)
    }

    /// `GET /v1/sandboxes/{id}`.
    pub async fn info(&self) -> Result<SandboxInfo> {
        self.ensure_alive()?;
        self.client.control().get(self.id()).await
    }

    /// `POST {agent}/execute`. Validates options first; never retried once sent.
    pub async fn run_code(&self, code: &str, options: RunOptions) -> Result<ExecutionResult> {
        self.execute_at("/execute", code, options).await
    }

    /// A synchronous run on the agent's `path` (`/execute`, `/execute/ipython`).
    pub(crate) async fn execute_at(
        &self,
        path: &str,
        code: &str,
        options: RunOptions,
    ) -> Result<ExecutionResult> {
        self.ensure_alive()?;
        let timeout = validate_run(code, &options, DEFAULT_RUN_TIMEOUT, MAX_RUN_TIMEOUT)?;
        if options.preflight {
            self.ensure_healthy().await?;
        }
        let body = agent::execute_body(code, &options, timeout);
        let http = &self.client.control().http()?;
        let result = self
            .agent_call(&EXECUTE, |url, tok| {
                let body = &body;
                async move { agent::execute(http, &format!("{url}{path}"), &tok, body, timeout).await }
            })
            .await?;
        Ok(ExecutionResult::from_wire(&result))
    }

    /// Starts a run on `{agent}/execute/stream`; its output arrives while it runs. Like
    /// `run_code`, it is never retried once sent (a 401 on the upgrade is refreshed once).
    pub async fn run_code_stream(&self, code: &str, options: RunOptions) -> Result<ExecutionStream> {
        self.ensure_alive()?;
        let timeout = validate_run(code, &options, DEFAULT_RUN_TIMEOUT, MAX_RUN_TIMEOUT)?;
        if options.preflight {
            self.ensure_healthy().await?;
        }
        let request = StreamMessage::Execute(agent::execute_body(code, &options, timeout));
        let url = self.resolve_agent_url().await?;
        let tok = self.token().await?;
        match ExecutionStream::open(&url, &tok, &request).await {
            Ok(s) => Ok(s),
            Err(f) if f.status == Some(401) => {
                let tok = self.token_after_401(&tok).await?;
                ExecutionStream::open(&url, &tok, &request).await.map_err(|f| f.error)
            }
            Err(f) => Err(f.error),
        }
    }

    /// `POST {agent}/execute/background`: starts a run that goes on after this call returns.
    /// Its timeout defaults to 300 s and may be up to a day. Returns the agent's description
    /// (`process_id`, `status`, ...).
    pub async fn run_code_background(
        &self,
        code: &str,
        options: RunOptions,
        name: Option<&str>,
    ) -> Result<Value> {
        self.ensure_alive()?;
        let timeout = validate_run(code, &options, DEFAULT_BACKGROUND_TIMEOUT, MAX_BACKGROUND_TIMEOUT)?;
        let body = BackgroundRequest {
            run: agent::execute_body(code, &options, timeout),
            name: name.map(String::from),
        };
        let http = &self.client.control().http()?;
        self.agent_call(&EXECUTE, |url, tok| {
            let body = &body;
            async move { agent::post(http, &format!("{url}/execute/background"), &tok, body).await }
        })
        .await
    }

    /// `GET {agent}/execute/processes`: the background runs, with their output.
    pub async fn list_processes(&self) -> Result<Vec<Value>> {
        self.ensure_alive()?;
        let http = &self.client.control().http()?;
        let v = self
            .agent_call(&IDEMPOTENT, |url, tok| async move {
                agent::get(http, &format!("{url}/execute/processes"), &tok).await
            })
            .await?;
        Ok(v["processes"].as_array().cloned().unwrap_or_default())
    }

    /// `POST {agent}/execute/kill/{process_id}`: stops a background run.
    pub async fn kill_process(&self, process_id: &str) -> Result<Value> {
        self.ensure_alive()?;
        let http = &self.client.control().http()?;
        let path = format!("/execute/kill/{}", crate::control::escape(process_id));
        self.agent_call(&IDEMPOTENT, |url, tok| {
            let path = &path;
            async move { agent::post(http, &format!("{url}{path}"), &tok, &serde_json::json!({})).await }
        })
        .await
    }

    /// `PATCH {agent}/env` with `merge: true`: adds to the sandbox's global environment.
    pub async fn update_env(&self, env_vars: &BTreeMap<String, String>) -> Result<()> {
        self.ensure_alive()?;
        self.env().update(env_vars).await.map(drop)
    }

    /// `DELETE /v1/sandboxes/{id}`.
    pub async fn kill(&self) -> Result<()> {
        self.ensure_alive()?;
        self.client.control().delete(self.id()).await?;
        self.inner.killed.store(true, Ordering::SeqCst);
        token::remove(self.client.base_url(), self.id());
        Ok(())
    }

    /// `POST /v1/sandboxes/{id}/pause`: every process of the sandbox stops where it is, its
    /// state kept; agent calls are refused until [`Sandbox::resume`].
    pub async fn pause(&self) -> Result<()> {
        self.ensure_alive()?;
        self.client.control().pause(self.id()).await
    }

    /// `POST /v1/sandboxes/{id}/resume`: a paused sandbox goes on where it stopped.
    pub async fn resume(&self) -> Result<()> {
        self.ensure_alive()?;
        self.client.control().resume(self.id()).await
    }

    /// `PUT /v1/sandboxes/{id}/timeout`.
    pub async fn set_timeout(&self, seconds: u64) -> Result<()> {
        self.ensure_alive()?;
        self.client.control().set_timeout(self.id(), seconds).await
    }

    /// `POST /v1/sandboxes/{id}/token/refresh`, updating the cached agent token.
    pub async fn refresh_token(&self) -> Result<()> {
        self.ensure_alive()?;
        let _guard = self.inner.refresh.lock().await;
        self.fetch_token().await
    }

    /// The current agent token, refreshed first if it is missing or has under an hour left.
    pub async fn token(&self) -> Result<String> {
        self.ensure_alive()?;
        let base = self.client.base_url();
        if token::needs_refresh(token::get(base, self.id()).as_ref(), token::now()) {
            let _guard = self.inner.refresh.lock().await;
            // Another call may have refreshed while we waited for the lock.
            if token::needs_refresh(token::get(base, self.id()).as_ref(), token::now()) {
                self.fetch_token().await?;
            }
        }
        token::get(base, self.id()).map(|t| t.value).ok_or_else(|| {
            Error::new(
                ErrorKind::Authentication,
                format!("The control plane gave no agent token for sandbox {}", self.id()),
            )
        })
    }

    async fn fetch_token(&self) -> Result<()> {
        let body = self.client.control().refresh_token(self.id()).await?;
        if let Some(tok) = Token::from_body(&body) {
            token::put(self.client.base_url(), self.id(), tok);
        }
        Ok(())
    }

    /// After a 401: refresh unless another call already replaced the refused token.
    pub(crate) async fn token_after_401(&self, refused: &str) -> Result<String> {
        {
            let _guard = self.inner.refresh.lock().await;
            let current = token::get(self.client.base_url(), self.id());
            if current.is_none_or(|t| t.value == refused) {
                self.fetch_token().await?;
            }
        }
        self.token().await
    }

    /// The agent URL, from create/connect or else from the control plane.
    pub(crate) async fn resolve_agent_url(&self) -> Result<String> {
        let url = self
            .inner
            .agent_url
            .get_or_try_init(|| async {
                let info = self.client.control().get(self.id()).await?;
                info.agent_url().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Hopx,
                        format!("Sandbox {} has no agent address (public_host) yet", self.id()),
                    )
                })
            })
            .await?;
        Ok(url.clone())
    }

    /// One agent operation under `policy`: the first call of a sandbox also waits out a
    /// booting VM, and a 401 triggers one token refresh and one more try.
    pub(crate) async fn agent_call<T, F, Fut>(&self, policy: &Policy, call: F) -> Result<T>
    where
        F: Fn(String, String) -> Fut,
        Fut: Future<Output = std::result::Result<T, Failure>>,
    {
        let url = self.resolve_agent_url().await?;
        let tok = self.token().await?;
        // A local engine's agents serve from the moment of create: nothing boots.
        let booting =
            !self.inner.agent_seen.load(Ordering::SeqCst) && *self.client.backend() != Backend::Local;
        let first_policy = if booting { policy.with_connect_window(BOOT_WINDOW) } else { *policy };
        let outcome = retry::run(&first_policy, || call(url.clone(), tok.clone())).await;
        let failure = match outcome {
            Ok(value) => {
                self.inner.agent_seen.store(true, Ordering::SeqCst);
                return Ok(value);
            }
            Err(f) => f,
        };
        if failure.error.status_code.is_some() {
            self.inner.agent_seen.store(true, Ordering::SeqCst);
        }
        if failure.error.status_code != Some(401) {
            return Err(self.client.explain_lost(failure.error, self.id()));
        }
        // A 401 is refused before anything runs, so one more try is safe even for /execute.
        let tok = self.token_after_401(&tok).await?;
        retry::run(policy, || call(url.clone(), tok.clone())).await.map_err(Error::from)
    }

    pub(crate) fn ensure_alive(&self) -> Result<()> {
        if self.is_killed() {
            let mut e = Error::new(ErrorKind::NotFound, format!("Sandbox {} was killed", self.id()));
            e.code = Some("SANDBOX_NOT_FOUND".into());
            return Err(e);
        }
        Ok(())
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("id", &self.inner.id)
            .field("agent_url", &self.agent_url())
            .field("killed", &self.is_killed())
            .finish()
    }
}
