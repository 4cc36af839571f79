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
pub(crate) mod pidfd;
mod plain;
pub mod procinfo;
mod thread;

pub use isolated::NamespaceIsolator;
pub use plain::PlainIsolator;

use std::ffi::OsString;
use std::future::Future;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
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
    /// Size of the sandbox's own file system (`/workspace` and `/tmp` together), in bytes.
    pub disk_bytes: Option<u64>,
    /// Number of files and folders that file system may hold.
    pub disk_files: Option<u64>,
}

/// What every process of one sandbox shares: its files, its network choice and its limits.
#[derive(Debug, Clone)]
pub struct SandboxSpec {
    /// The sandbox id (used to name cgroups).
    pub id: String,
    /// Unisolated only: the host directory behind `/workspace`. An isolated sandbox's files
    /// live in a file system of its own that has no host path.
    pub workspace: PathBuf,
    /// Unisolated only: the host directory behind `/tmp`.
    pub tmp: PathBuf,
    /// Extra host paths the sandbox sees read-only at the same path (e.g. a Python prefix that
    /// lives under a home directory).
    pub ro_paths: Vec<PathBuf>,
    /// Whether the sandbox reaches the internet (otherwise it has only its own loopback).
    /// Isolated, it never shares the host's network; unisolated, it always does.
    pub network: bool,
    pub limits: Limits,
    /// Files a new sandbox starts with, as `(inside path, content)` (a font cache).
    pub seed: Arc<Vec<(String, Vec<u8>)>>,
}

/// How the engine reaches a sandbox's files (`crate::files`): a root to resolve every path
/// beneath, and whose rights to check each access with.
#[derive(Debug, Clone)]
pub struct FsView {
    /// An `O_PATH` descriptor of the sandbox's root, as its processes see it.
    pub root: Arc<OwnedFd>,
    /// The host uid and gid that file accesses must be checked as (the sandbox user's), when
    /// they differ from the engine's own.
    pub user: Option<(u32, u32)>,
    /// Unisolated only: the host folders behind `/workspace` and `/tmp`.
    pub host_dirs: Option<(PathBuf, PathBuf)>,
}

/// Inside-sandbox paths, as user code sees them.
pub const WORKSPACE: &str = "/workspace";
pub const TMP: &str = "/tmp";

impl SandboxSpec {
    /// Unisolated only: the host path behind an inside path under `/workspace` or `/tmp`
    /// (`None` for any other path), for processes that see the host's paths.
    pub fn host_path(&self, inside: &str) -> Option<PathBuf> {
        for (prefix, host) in [(WORKSPACE, &self.workspace), (TMP, &self.tmp)] {
            if let Some(rest) = inside.strip_prefix(prefix) {
                if rest.is_empty() || rest.starts_with('/') {
                    return Some(host.join(rest.trim_start_matches('/')));
                }
            }
        }
        None
    }
}

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
    /// A file the program's own process writes, as the sandbox user, just before its exec.
    pub code: Option<CodeFile>,
}

/// The code of a one-shot run, carried to the sandbox in memory: the engine never writes
/// into a sandbox's file system.
#[derive(Debug)]
pub struct CodeFile {
    /// Inside path of the file, e.g. `/tmp/.hopx/run-3.py`.
    pub path: String,
    /// A memfd holding the content.
    pub content: OwnedFd,
}

impl CodeFile {
    /// Puts `content` in a fresh memfd.
    pub fn new(path: String, content: &[u8]) -> io::Result<CodeFile> {
        // SAFETY: memfd_create with a valid name; a new descriptor or -1.
        let fd = unsafe { libc::memfd_create(c"hopx-code".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor we own.
        let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
        std::io::Write::write_all(&mut file, content)?;
        Ok(CodeFile { path, content: file.into() })
    }
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
    /// No run of the engine takes input yet; the isolation suites test the pipe.
    #[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
    pub stdin: Option<OwnedFd>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
    pub control: Box<dyn ProcessControl>,
}

/// A future that resolves when the process has ended.
pub type WaitFuture<'a> = Pin<Box<dyn Future<Output = ExitInfo> + Send + 'a>>;

/// Signals and waits on a started process.
pub trait ProcessControl: Send + Sync {
    /// Host pid of the program (its `/proc` entry; the isolation suites look at it there).
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
    /// A short name ("namespaces", "none"), for the suites that check which one runs. The
    /// engine itself asks for capabilities (such as [`Isolator::sees_host_paths`]), never a
    /// name.
    #[cfg(feature = "test-hooks")]
    fn name(&self) -> &'static str;
    /// Whether processes see the host's paths (no mount namespace): inside paths such as a
    /// working directory must then be mapped to the sandbox's host directories.
    fn sees_host_paths(&self) -> bool;
    /// Makes what a new sandbox needs before its first process (its namespaces and file
    /// system, cgroups). Runs on the spawner thread; the returned closure finishes the work
    /// (waiting for the sandbox to be ready) and may run on any thread.
    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<Finish<()>>;
    /// Starts `command` inside `sandbox`.
    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process>;
    /// Like `spawn`, but returns once the process exists: the rest of the start-up (waiting for
    /// the child's set-up and exec) is the returned closure, which may run on any thread, so
    /// the spawner thread is free for the next start while a sandbox sets itself up.
    fn spawn_split(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<FinishSpawn> {
        let process = self.spawn(sandbox, command);
        Ok(Box::new(move || process))
    }
    /// Whether sandboxes can have internet access here, or why not.
    fn internet(&self) -> Result<(), String>;
    /// Gives a prepared sandbox internet access or takes it away (a pooled sandbox is made
    /// before anyone asks). Blocks for a few milliseconds.
    fn set_internet(&self, sandbox: &SandboxSpec, on: bool) -> io::Result<()>;
    /// The host pids of every process of the sandbox (its holder first, where it has one).
    fn processes(&self, sandbox: &SandboxSpec) -> io::Result<Vec<i32>>;
    /// Pauses (`true`) every process of the sandbox where it is, or lets them go on. Blocks
    /// until it is done (milliseconds).
    fn set_paused(&self, sandbox: &SandboxSpec, paused: bool) -> io::Result<()>;
    /// Releases what `prepare` made, after the sandbox's last process is gone.
    fn release(&self, sandbox: &SandboxSpec);
    /// The sandbox's files, for the engine's file calls.
    fn files(&self, sandbox: &SandboxSpec) -> io::Result<FsView>;
    /// A TCP connection to `127.0.0.1:port` as the sandbox sees it (its own loopback), for a
    /// preview URL's forward. The engine connects into the sandbox; the sandbox gets no way
    /// out. Blocks for a few milliseconds (call it off the async threads); nothing listening
    /// is an error of kind `ConnectionRefused`.
    fn connect(&self, sandbox: &SandboxSpec, port: u16) -> io::Result<std::net::TcpStream>;
}

/// The first executable called `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false))
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

/// The rest of a start-up, once the process exists, off the spawner thread.
pub type Finish<T> = Box<dyn FnOnce() -> io::Result<T> + Send>;
pub type FinishSpawn = Finish<Process>;

/// Runs `prepare` on the spawner thread (a sandbox's holder must be started from there, as
/// every process is), then waits for the sandbox to be ready.
pub async fn prepare(isolator: &Arc<dyn Isolator>, sandbox: &Arc<SandboxSpec>) -> io::Result<()> {
    let iso = isolator.clone();
    let sb = sandbox.clone();
    let finish = thread::run(move || iso.prepare(&sb)).await?;
    tokio::task::spawn_blocking(finish).await.map_err(|e| io::Error::other(format!("prepare: {e}")))?
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths_only_under_workspace_and_tmp() {
        let spec = SandboxSpec {
            id: "t".into(),
            workspace: PathBuf::from("/srv/sb/workspace"),
            tmp: PathBuf::from("/srv/sb/tmp"),
            ro_paths: Vec::new(),
            network: false,
            limits: Limits::default(),
            seed: Default::default(),
        };
        assert_eq!(spec.host_path("/workspace"), Some(PathBuf::from("/srv/sb/workspace")));
        assert_eq!(spec.host_path("/workspace/a/b"), Some(PathBuf::from("/srv/sb/workspace/a/b")));
        assert_eq!(spec.host_path("/tmp/.hopx/run-1.py"), Some(PathBuf::from("/srv/sb/tmp/.hopx/run-1.py")));
        assert_eq!(spec.host_path("/workspacex"), None);
        assert_eq!(spec.host_path("/etc/passwd"), None);
    }
}
