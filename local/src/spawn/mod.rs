//! The one way any sandbox process is started.
//!
//! Every process of a sandbox (a one-shot run, the Python kernel) goes through [`spawn`]. The
//! work happens on one long-lived thread, because `PR_SET_PDEATHSIG` follows the thread that
//! started the child: one started from a short-lived thread would be killed when that thread
//! exits. How the process is confined is the job of an [`Isolator`]; callers never see which
//! one. Both isolators start processes through a small exec'd helper (`helper.rs`) rather than
//! by forking the engine, whose host process may be large.

mod helper;
mod isolated;
mod pidfd;
mod plain;
mod thread;

pub use isolated::NamespaceIsolator;
pub use plain::PlainIsolator;

use std::ffi::OsString;
use std::future::Future;
use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

/// Resource limits of one sandbox. `None` means "no limit of that kind".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    /// Memory of all the sandbox's processes together, in bytes.
    pub memory_bytes: Option<u64>,
    /// Number of processes (and threads) alive at once.
    pub max_processes: Option<u64>,
    /// Largest file a process may write, in bytes.
    pub file_size_bytes: Option<u64>,
    /// Open file descriptors per process.
    pub open_files: Option<u64>,
}

/// What every process of one sandbox shares: its files, its network choice and its limits.
#[derive(Debug, Clone)]
pub struct SandboxSpec {
    /// The sandbox id (used to name cgroups and the hostname).
    pub id: String,
    /// Host directory seen as `/workspace` inside the sandbox, read-write.
    pub workspace: PathBuf,
    /// Host directory seen as `/tmp` inside the sandbox, read-write and private to it.
    pub tmp: PathBuf,
    /// Extra host paths the sandbox sees read-only at the same path (e.g. a Python prefix that
    /// lives under a home directory).
    pub ro_paths: Vec<PathBuf>,
    /// Whether the sandbox shares the host network (otherwise it has only its own loopback).
    pub network: bool,
    pub limits: Limits,
}

/// Inside-sandbox paths, as user code sees them.
pub const WORKSPACE: &str = "/workspace";
pub const TMP: &str = "/tmp";

/// One program to start in a sandbox.
#[derive(Debug)]
pub struct Command {
    /// Absolute host path of the executable (resolved once, never a shim).
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The complete environment; nothing is inherited from the engine.
    pub env: Vec<(OsString, OsString)>,
    /// Working directory as an inside path, e.g. `/workspace/sub`.
    pub cwd: String,
    /// Give the process a stdin pipe (otherwise stdin is `/dev/null`).
    pub stdin: bool,
    /// Extra descriptors the program inherits as fd 3, 4, ... in this order.
    pub extra_fds: Vec<OwnedFd>,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitInfo {
    /// The exit code if the program exited normally.
    pub code: Option<i32>,
    /// The signal that killed it, if one did.
    pub signal: Option<i32>,
    /// Whether the memory limit was hit (the kernel's OOM killer struck in this sandbox).
    pub oom_killed: bool,
}

impl ExitInfo {
    /// The shell convention: the exit code, or 128 + the signal number.
    pub fn shell_code(&self) -> i32 {
        match (self.code, self.signal) {
            (Some(c), _) => c,
            (None, Some(s)) => 128 + s,
            (None, None) => -1,
        }
    }
}

/// A started process: its pipes and the means to signal and await it.
pub struct Process {
    pub stdin: Option<OwnedFd>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub control: Box<dyn ProcessControl>,
}

/// A future that resolves when the process has ended.
pub type WaitFuture<'a> = Pin<Box<dyn Future<Output = ExitInfo> + Send + 'a>>;

/// Signals and waits on a started process.
pub trait ProcessControl: Send + Sync {
    /// Host pid of the program (or of its sandbox init), for logs and `/execute/processes`.
    fn pid(&self) -> i32;
    /// Sends `signal` (e.g. `SIGINT`) to the program itself.
    fn signal(&self, signal: i32) -> io::Result<()>;
    /// Kills the program and every process it started, however they detached.
    fn kill_tree(&self);
    /// Resolves when the program has ended; call it from one place only.
    fn wait(&self) -> WaitFuture<'_>;
}

/// A way to confine processes. Its `spawn` always runs on the spawner thread.
pub trait Isolator: Send + Sync + 'static {
    /// A short name for logs ("namespaces", "none").
    fn name(&self) -> &'static str;
    /// Prepares what a new sandbox needs before its first process (directories, cgroups).
    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<()>;
    /// Starts `command` inside `sandbox`.
    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process>;
    /// Like `spawn`, but returns once the process exists: the rest of the start-up (waiting for
    /// the child's set-up and exec) is the returned closure, which may run on any thread, so
    /// the spawner thread is free for the next start while a sandbox sets itself up.
    fn spawn_split(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<FinishSpawn> {
        let process = self.spawn(sandbox, command);
        Ok(Box::new(move || process))
    }
    /// Releases what `prepare` made, after the sandbox's last process is gone.
    fn release(&self, sandbox: &SandboxSpec);
}

/// Starts `command` in `sandbox` on the spawner thread with the engine's isolator.
pub async fn spawn(
    isolator: &Arc<dyn Isolator>,
    sandbox: &Arc<SandboxSpec>,
    command: Command,
) -> io::Result<Process> {
    let iso = isolator.clone();
    let sb = sandbox.clone();
    let finish = thread::run(move || iso.spawn_split(&sb, command)).await?;
    tokio::task::spawn_blocking(finish).await.map_err(|e| io::Error::other(format!("spawn: {e}")))?
}

/// The part of a start-up that runs once the process exists, off the spawner thread.
pub type FinishSpawn = Box<dyn FnOnce() -> io::Result<Process> + Send>;

/// Runs `prepare` on the spawner thread (cgroup set-up must come from the same thread too).
pub async fn prepare(isolator: &Arc<dyn Isolator>, sandbox: &Arc<SandboxSpec>) -> io::Result<()> {
    let iso = isolator.clone();
    let sb = sandbox.clone();
    thread::run(move || iso.prepare(&sb)).await
}

/// The engine's isolator: namespaces, or none at all only when `HOPX_LOCAL_ISOLATION=none`
/// asks for it (trusted code only). Where isolation is impossible, the error says why; there is
/// never a silent fallback to running user code unconfined.
pub fn default_isolator() -> Result<Arc<dyn Isolator>, String> {
    if std::env::var_os("HOPX_LOCAL_ISOLATION").is_some_and(|v| v == "none") {
        tracing::warn!("HOPX_LOCAL_ISOLATION=none: sandbox processes run unisolated on the host");
        return Ok(Arc::new(PlainIsolator::new()));
    }
    NamespaceIsolator::probe().map(|iso| Arc::new(iso) as Arc<dyn Isolator>)
}
