//! The engine: the table of live sandboxes and their life cycle (create, kill, expiry), with
//! what it keeps about them (their state, templates, warm kernels, settings, files on disk).
//! It runs code through `exec` and starts processes through `spawn`; it never calls into the
//! HTTP layer that serves it.

pub mod cleanup;
pub mod config;
pub mod error;
mod expiry;
pub mod font_cache;
pub mod forward;
pub mod owner;
pub mod pool;
pub mod sandbox;
pub mod template;

use crate::exec::Runtimes;
use crate::spawn::{self, Isolator, SandboxSpec};
use axum::http::StatusCode;
use config::EngineConfig;
use error::ApiError;
use hopx_wire::code;
use sandbox::{Sandbox, SandboxParts};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use template::Template;
use tokio::sync::Notify;

/// Why a sandbox id no longer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    Killed,
    Expired,
}

/// A create request, already validated by the control plane.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub template: &'static Template,
    pub timeout_seconds: Option<u64>,
    /// `None`: the default, on wherever this machine can give sandboxes internet access.
    pub internet_access: Option<bool>,
    pub env_vars: BTreeMap<String, String>,
    /// Where clients reach the sandbox's agent: the transport picks the port and serves it.
    pub agent_url: String,
}

/// A running engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: EngineConfig,
    isolator: Result<Arc<dyn Isolator>, String>,
    runtimes: &'static Runtimes,
    root: PathBuf,
    sandboxes: Mutex<HashMap<String, Arc<Sandbox>>>,
    gone: Mutex<HashMap<String, Gone>>,
    /// Wakes the expiry task when a deadline changes.
    expiry_changed: Notify,
    pool: pool::KernelPool,
    shut_down: std::sync::atomic::AtomicBool,
    /// Background clean-ups of killed sandboxes, awaited by `shutdown`.
    cleanups: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    started: SystemTime,
    /// The last authenticated control-plane request or sandbox removal: the idle clock of a
    /// shared engine (`crate::shared`).
    last_active: Mutex<std::time::Instant>,
}

impl Engine {
    /// Starts an engine: resolves interpreters, picks the isolator, makes its folder and
    /// starts the expiry task on the current runtime.
    pub(crate) async fn start(config: EngineConfig) -> std::io::Result<Engine> {
        let runtimes = Runtimes::shared(config.python.clone()).await;
        let root = cleanup::engine_root(&config.state_dir)?;
        let isolator = spawn::default_isolator();
        if let Err(e) = &isolator {
            tracing::warn!("local sandboxes cannot be created: {e}");
        }
        let engine = Engine {
            inner: Arc::new(Inner {
                config,
                isolator,
                runtimes,
                root,
                sandboxes: Mutex::new(HashMap::new()),
                gone: Mutex::new(HashMap::new()),
                expiry_changed: Notify::new(),
                pool: Default::default(),
                shut_down: Default::default(),
                cleanups: Default::default(),
                started: SystemTime::now(),
                last_active: Mutex::new(std::time::Instant::now()),
            }),
        };
        tokio::spawn(expiry::expire_loop(engine.clone()));
        // The font cache first, so warm kernels and new sandboxes get a copy.
        let seeding = engine.clone();
        tokio::spawn(async move {
            font_cache::build(seeding.inner.runtimes).await;
            seeding.refill_pool();
        });
        Ok(engine)
    }

    /// The engine's settings.
    pub(crate) fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// When the engine started.
    pub(crate) fn started(&self) -> SystemTime {
        self.inner.started
    }

    /// Notes that a client did something (the idle clock starts again).
    pub(crate) fn touch(&self) {
        *self.inner.last_active.lock().unwrap() = std::time::Instant::now();
    }

    /// How long the engine has had no sandbox and no client request; `None` while any sandbox
    /// lives.
    pub(crate) fn idle_for(&self) -> Option<Duration> {
        if !self.inner.sandboxes.lock().unwrap().is_empty() {
            return None;
        }
        Some(self.inner.last_active.lock().unwrap().elapsed())
    }

    /// Creates a sandbox. Serving its agent, at `req.agent_url`, is the caller's business.
    pub(crate) async fn create(&self, req: CreateRequest) -> Result<Arc<Sandbox>, ApiError> {
        let inner = &self.inner;
        let isolator = inner.isolator.clone().map_err(|e| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::ISOLATION_UNAVAILABLE,
                format!("cannot isolate local sandboxes on this machine: {e}"),
            )
        })?;
        if inner.sandboxes.lock().unwrap().len() >= inner.config.max_sandboxes {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                code::RESOURCE_LIMIT_EXCEEDED,
                format!(
                    "Sandbox limit reached: {} live sandboxes (HOPX_LOCAL_MAX_SANDBOXES)",
                    inner.config.max_sandboxes
                ),
            )
            .with_detail("limit", inner.config.max_sandboxes)
            .with_detail("current", inner.config.max_sandboxes));
        }
        if req.template.python_kernel {
            crate::exec::kernel::check_available(inner.runtimes)
                .map_err(|m| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code::KERNEL_UNAVAILABLE, m))?;
        }
        let internet_access = match (req.internet_access, isolator.internet()) {
            (Some(true), Err(why)) => {
                return Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code::INTERNET_UNAVAILABLE,
                    format!("internet_access=true cannot be given here: {why}; create the sandbox with internet_access=false to run without it"),
                ))
            }
            (Some(wanted), _) => wanted,
            (None, available) => available.is_ok(),
        };
        let id = crate::ids::sandbox_id();
        let pooled = if req.template.python_kernel { inner.pool.take() } else { None };
        if req.template.python_kernel {
            // Also when nothing was taken: a refill that ended as a kernel was taken leaves
            // the pool short until someone asks again.
            self.refill_pool();
        }
        let (spec, kernel) = match pooled {
            Some((spec, kernel)) => {
                // Pooled sandboxes are made with the default; this one may want otherwise.
                if spec.network != internet_access {
                    let (iso, sb) = (isolator.clone(), spec.clone());
                    let set = tokio::task::spawn_blocking(move || iso.set_internet(&sb, internet_access));
                    if let Err(e) = set.await.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
                        kernel.shutdown();
                        self.release_spec(&isolator, &spec);
                        return Err(ApiError::internal(format!("cannot prepare the sandbox: {e}")));
                    }
                }
                (spec, Some(kernel))
            }
            None => {
                let spec = Arc::new(self.sandbox_spec(&id, internet_access));
                spawn::prepare(&isolator, &spec)
                    .await
                    .map_err(|e| ApiError::internal(format!("cannot prepare the sandbox: {e}")))?;
                (spec, None)
            }
        };
        let sandbox = Arc::new(Sandbox::new(SandboxParts {
            id: id.clone(),
            template: req.template,
            spec,
            isolator,
            runtimes: inner.runtimes,
            internet_access,
            output_limit: inner.config.output_limit,
            agent_url: req.agent_url,
            timeout_seconds: req.timeout_seconds,
            env: req.env_vars,
            kernel,
        }));
        inner.sandboxes.lock().unwrap().insert(id, sandbox.clone());
        inner.expiry_changed.notify_one();
        Ok(sandbox)
    }

    fn sandbox_spec(&self, id: &str, network: bool) -> SandboxSpec {
        let dir = self.inner.root.join(id);
        SandboxSpec {
            id: id.to_string(),
            workspace: dir.join("workspace"),
            tmp: dir.join("tmp"),
            ro_paths: self.inner.runtimes.ro_paths(),
            network,
            limits: self.inner.config.limits.clone(),
            seed: font_cache::files(self.inner.runtimes),
        }
    }

    /// A live sandbox, or the error a client should see for that id.
    pub(crate) fn get(&self, id: &str) -> Result<Arc<Sandbox>, ApiError> {
        if let Some(sb) = self.inner.sandboxes.lock().unwrap().get(id) {
            return Ok(sb.clone());
        }
        Err(self.gone_error(id))
    }

    /// The error for an id that is not live: expired, killed or never known.
    pub(crate) fn gone_error(&self, id: &str) -> ApiError {
        match self.inner.gone.lock().unwrap().get(id) {
            Some(Gone::Expired) => ApiError::new(
                StatusCode::NOT_FOUND,
                code::SANDBOX_EXPIRED,
                format!("Sandbox not found: {id} expired (its timeout_seconds ran out)"),
            ),
            _ => ApiError::sandbox_not_found(id),
        }
    }

    /// Every live sandbox, oldest first.
    pub(crate) fn list(&self) -> Vec<Arc<Sandbox>> {
        let mut all: Vec<_> = self.inner.sandboxes.lock().unwrap().values().cloned().collect();
        all.sort_by_key(|s| s.created_at);
        all
    }

    /// Kills a sandbox: stops its processes, removes its files; the id then answers 404.
    pub(crate) async fn kill(&self, id: &str) -> Result<(), ApiError> {
        self.remove(id, Gone::Killed).await.ok_or_else(|| self.gone_error(id))
    }

    async fn remove(&self, id: &str, why: Gone) -> Option<()> {
        let sandbox = self.inner.sandboxes.lock().unwrap().remove(id)?;
        self.touch();
        {
            let mut gone = self.inner.gone.lock().unwrap();
            // Tombstones only refine a 404's message; a long-lived engine must not grow forever.
            if gone.len() >= 10_000 {
                gone.clear();
            }
            gone.insert(id.to_string(), why);
        }
        // Answer at once: the sandbox is gone for every client from here on, its processes
        // have been sent SIGKILL, and the wait for them (an IPython kernel takes tens of ms to
        // tear down) and the removal of its files go on in the background.
        sandbox.signal_kill();
        let cleanup = tokio::spawn(async move {
            // Frozen processes die only once thawed; the SIGKILLs above are already pending,
            // so none of them runs user code again.
            if sandbox.is_paused() {
                let (iso, spec) = (sandbox.context.isolator.clone(), sandbox.context.spec.clone());
                let _ = tokio::task::spawn_blocking(move || iso.set_paused(&spec, false)).await;
            }
            sandbox.stop_runs().await;
            let ctx = &sandbox.context;
            ctx.isolator.release(&ctx.spec);
            if let Some(dir) = ctx.spec.workspace.parent().map(PathBuf::from) {
                let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
            }
        });
        let mut cleanups = self.inner.cleanups.lock().unwrap();
        cleanups.retain(|c| !c.is_finished());
        cleanups.push(cleanup);
        Some(())
    }

    /// Sets a sandbox's time-to-live, counted from now.
    pub(crate) fn set_timeout(&self, id: &str, seconds: u64) -> Result<Arc<Sandbox>, ApiError> {
        let sandbox = self.get(id)?;
        {
            let mut st = sandbox.state();
            st.timeout_seconds = Some(seconds);
            st.expires_at = Some(SystemTime::now() + Duration::from_secs(seconds));
        }
        self.inner.expiry_changed.notify_one();
        Ok(sandbox)
    }

    /// Starts kernels in the background until the pool holds its target number.
    pub(crate) fn refill_pool(&self) {
        let inner = &self.inner;
        let Ok(isolator) = inner.isolator.clone() else { return };
        if inner.config.kernel_pool == 0
            || crate::exec::kernel::check_available(inner.runtimes).is_err()
            || !inner.pool.begin_fill()
        {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let inner = &engine.inner;
            while inner.pool.len() < inner.config.kernel_pool
                && !inner.shut_down.load(std::sync::atomic::Ordering::Acquire)
            {
                let id = format!("pool-{}", &crate::ids::secret()[..12]);
                let spec = Arc::new(engine.sandbox_spec(&id, isolator.internet().is_ok()));
                let started = match spawn::prepare(&isolator, &spec).await {
                    Ok(()) => crate::exec::kernel::Kernel::start(&isolator, &spec, inner.runtimes).await,
                    Err(e) => Err(e.to_string()),
                };
                match started {
                    Ok(kernel) => {
                        inner.pool.put(spec, kernel);
                        if inner.shut_down.load(std::sync::atomic::Ordering::Acquire) {
                            for spec in inner.pool.drain() {
                                engine.release_spec(&isolator, &spec);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!("cannot warm a Python kernel: {e}");
                        engine.release_spec(&isolator, &spec);
                        break;
                    }
                }
            }
            inner.pool.end_fill();
        });
    }

    fn release_spec(&self, isolator: &Arc<dyn Isolator>, spec: &SandboxSpec) {
        isolator.release(spec);
        if let Some(dir) = spec.workspace.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// Kernels waiting in the pool (for tests and metrics).
    pub fn pooled_kernels(&self) -> usize {
        self.inner.pool.len()
    }

    /// Kills every sandbox (used when a standalone engine stops).
    pub(crate) async fn shutdown(&self) {
        self.inner.shut_down.store(true, std::sync::atomic::Ordering::Release);
        if let Ok(isolator) = self.inner.isolator.clone() {
            for spec in self.inner.pool.drain() {
                self.release_spec(&isolator, &spec);
            }
        }
        let ids: Vec<String> = self.inner.sandboxes.lock().unwrap().keys().cloned().collect();
        for id in ids {
            let _ = self.kill(&id).await;
        }
        let pending: Vec<_> = self.inner.cleanups.lock().unwrap().drain(..).collect();
        for c in pending {
            let _ = c.await;
        }
        let _ = std::fs::remove_dir_all(&self.inner.root);
    }
}
