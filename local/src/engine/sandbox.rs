//! One live sandbox: its files, tokens, environment, lifetime and running code.

use crate::engine::template::Template;
use crate::exec::command::CommandRequest;
use crate::exec::context::RunContext;
use crate::exec::kernel::{Kernel, KernelSlot};
use crate::exec::{EventSink, ExecOutcome, ExecRequest, Runtimes};
use crate::spawn::{Isolator, SandboxSpec};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// How long an agent token lives (the SDKs refresh when under an hour is left).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// How many recent tokens stay valid, so clients sharing a sandbox do not lock each other out.
const TOKENS_KEPT: usize = 8;

/// The mutable part of a sandbox.
#[derive(Debug)]
pub struct SandboxState {
    pub timeout_seconds: Option<u64>,
    pub expires_at: Option<SystemTime>,
    /// Valid agent tokens, newest last, with their expiry.
    pub tokens: Vec<(String, SystemTime)>,
    /// Global environment (`env_vars` at create, then `/env`).
    pub env: BTreeMap<String, String>,
}

/// A live sandbox.
pub struct Sandbox {
    pub id: String,
    pub template: &'static Template,
    pub created_at: SystemTime,
    pub internet_access: bool,
    pub agent_url: String,
    pub state: Mutex<SandboxState>,
    /// What its runs see of it: isolation, files, interpreters, limits, the kill signal.
    pub context: RunContext,
    /// Flips to true once when the sandbox is killed; every run watches it.
    killed: watch::Sender<bool>,
    /// The Python kernel of a `code-interpreter` sandbox, started on first use or from the pool.
    pub kernel: KernelSlot,
    /// Runs started with `POST /execute/background`.
    pub background: crate::exec::background::Runs,
    /// Whether its processes are paused (`pause.rs`), and the lock that orders pause/resume.
    paused: std::sync::atomic::AtomicBool,
    pausing: tokio::sync::Mutex<()>,
}

/// Everything needed to make a [`Sandbox`].
pub struct SandboxParts {
    pub id: String,
    pub template: &'static Template,
    pub spec: Arc<SandboxSpec>,
    pub isolator: Arc<dyn Isolator>,
    pub runtimes: &'static Runtimes,
    pub internet_access: bool,
    pub output_limit: usize,
    pub agent_url: String,
    pub timeout_seconds: Option<u64>,
    pub env: BTreeMap<String, String>,
    pub kernel: Option<Kernel>,
}

impl Sandbox {
    pub fn new(p: SandboxParts) -> Sandbox {
        let now = SystemTime::now();
        let (killed, kill_signal) = watch::channel(false);
        Sandbox {
            id: p.id,
            template: p.template,
            created_at: now,
            internet_access: p.internet_access,
            agent_url: p.agent_url,
            state: Mutex::new(SandboxState {
                timeout_seconds: p.timeout_seconds,
                expires_at: p.timeout_seconds.map(|s| now + Duration::from_secs(s)),
                tokens: vec![(crate::ids::secret(), now + TOKEN_LIFETIME)],
                env: p.env,
            }),
            context: RunContext::new(p.isolator, p.spec, p.runtimes, p.output_limit, kill_signal),
            killed,
            kernel: tokio::sync::Mutex::new(p.kernel),
            background: Default::default(),
            paused: Default::default(),
            pausing: Default::default(),
        }
    }

    /// Whether the sandbox is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Pauses (`true`) or resumes every process of the sandbox; doing what is already done
    /// is no error.
    pub async fn set_paused(&self, paused: bool) -> Result<(), String> {
        let _order = self.pausing.lock().await;
        if self.is_paused() == paused || self.is_killed() {
            return Ok(());
        }
        let (isolator, spec) = (self.context.isolator.clone(), self.context.spec.clone());
        tokio::task::spawn_blocking(move || isolator.set_paused(&spec, paused))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        self.paused.store(paused, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Locks the mutable state (never held across an await).
    pub fn state(&self) -> std::sync::MutexGuard<'_, SandboxState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues a fresh token, keeping a few recent ones valid.
    pub fn new_token(&self) -> (String, SystemTime) {
        let token = (crate::ids::secret(), SystemTime::now() + TOKEN_LIFETIME);
        let mut st = self.state();
        st.tokens.push(token.clone());
        let excess = st.tokens.len().saturating_sub(TOKENS_KEPT);
        st.tokens.drain(..excess);
        token
    }

    /// Whether `token` is one of this sandbox's unexpired tokens.
    pub fn accepts_token(&self, token: &str) -> bool {
        let now = SystemTime::now();
        self.state()
            .tokens
            .iter()
            .any(|(t, exp)| *exp > now && constant_time_eq(t.as_bytes(), token.as_bytes()))
    }

    /// Whether the sandbox was killed.
    pub fn is_killed(&self) -> bool {
        self.context.is_killed()
    }

    /// A receiver that changes when the sandbox is killed.
    pub fn kill_signal(&self) -> watch::Receiver<bool> {
        self.context.kill_signal()
    }

    /// Marks the sandbox killed without waiting: runs in progress stop their processes, and
    /// an idle kernel is sent SIGKILL.
    pub fn signal_kill(&self) {
        self.killed.send_replace(true);
        if let Ok(guard) = self.kernel.try_lock() {
            if let Some(k) = guard.as_ref() {
                k.kill_now();
            }
        }
    }

    /// Marks the sandbox killed (runs in progress stop their processes) and waits, briefly,
    /// for them to end.
    pub async fn stop_runs(&self) {
        self.killed.send_replace(true);
        if let Some(k) = self.kernel.try_lock().ok().and_then(|mut g| g.take()) {
            k.shutdown();
        }
        for _ in 0..400 {
            if self.context.idle() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if let Some(k) = self.kernel.lock().await.take() {
            k.shutdown();
        }
    }

    /// Runs code in this sandbox: the kernel for Python on `code-interpreter`, else one-shot.
    pub async fn execute(&self, req: ExecRequest, events: EventSink) -> Result<ExecOutcome, String> {
        let _run = self.context.guard();
        if self.template.uses_kernel(req.language) {
            crate::exec::kernel::execute(&self.context, &self.kernel, req, events).await
        } else {
            crate::exec::oneshot::run(&self.context, req, events, None).await
        }
    }

    /// Runs a command line in this sandbox (`/commands/run`).
    pub async fn run_command(&self, req: CommandRequest) -> Result<ExecOutcome, String> {
        let _run = self.context.guard();
        crate::exec::command::run(&self.context, req).await
    }

    /// Starts `req` in the background (`POST /execute/background`) and describes the run. The
    /// output of finished runs is kept within `budget` bytes; `on_end` gets the finished run.
    pub fn start_background(
        &self,
        req: ExecRequest,
        name: Option<String>,
        budget: usize,
        on_end: Option<tokio::sync::oneshot::Sender<hopx_wire::ProcessInfo>>,
    ) -> hopx_wire::ProcessInfo {
        self.background.start(&self.context, req, name, budget, on_end)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
