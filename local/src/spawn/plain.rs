//! No isolation: processes run as the engine's user on the host, each in its own session so
//! the whole group can be killed. Only for trusted code, chosen explicitly
//! (`HOPX_LOCAL_ISOLATION=none`); inside paths (`/workspace`, `/tmp`) are mapped to the
//! sandbox's host directories.
//!
//! Like isolated ones, these processes are started through the exec'd helper (`helper.rs`), so
//! their cost does not grow with the embedding process. Where the helper cannot run, they are
//! forked from the engine instead.

use super::helper::{self, read_status, Pipes, SETUP_TIMEOUT};
use super::{
    pidfd, Command, ExitInfo, FinishSpawn, Isolator, Process, ProcessControl, SandboxSpec, WaitFuture, TMP,
    WORKSPACE,
};
use hopx_sandbox::plan::{Mode, PlanSpec};
use hopx_sandbox::uidmap::IdMode;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;
use tokio::io::unix::AsyncFd;

/// Runs processes unconfined, one process group each.
pub struct PlainIsolator {
    /// Start processes through the helper (false: fork the engine).
    via_helper: bool,
}

impl Default for PlainIsolator {
    fn default() -> Self {
        Self::new()
    }
}

impl PlainIsolator {
    /// Starts processes through the helper where it can run here, else by forking the engine.
    pub fn new() -> PlainIsolator {
        let via_helper = match helper::check() {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("{e}: unisolated processes are forked from the engine instead");
                false
            }
        };
        PlainIsolator { via_helper }
    }

    /// Always forks the engine to start a process: the fallback of [`PlainIsolator::new`],
    /// which the unisolated suite also tests on its own.
    #[cfg(feature = "test-hooks")]
    pub fn forking() -> PlainIsolator {
        PlainIsolator { via_helper: false }
    }

    /// Whether processes start through the helper.
    #[cfg(feature = "test-hooks")]
    pub fn uses_helper(&self) -> bool {
        self.via_helper
    }

    /// The arguments, those naming inside paths (the code file) mapped like the working
    /// directory.
    fn host_args(sandbox: &SandboxSpec, command: &Command) -> Vec<OsString> {
        let map = |a: &OsString| match a.to_str() {
            Some(s) if s.starts_with(WORKSPACE) || s.starts_with(TMP) => {
                host_path(sandbox, s).into_os_string()
            }
            _ => a.clone(),
        };
        command.args.iter().map(map).collect()
    }
}

/// The host path behind an inside path; a path outside `/workspace` and `/tmp` is the same
/// path on the host.
fn host_path(sandbox: &SandboxSpec, inside: &str) -> PathBuf {
    sandbox.host_path(inside).unwrap_or_else(|| PathBuf::from(inside))
}

impl Isolator for PlainIsolator {
    #[cfg(feature = "test-hooks")]
    fn name(&self) -> &'static str {
        "none"
    }

    fn sees_host_paths(&self) -> bool {
        true
    }

    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<super::Finish<()>> {
        std::fs::create_dir_all(&sandbox.workspace)?;
        std::fs::create_dir_all(&sandbox.tmp)?;
        Ok(Box::new(|| Ok(())))
    }

    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process> {
        self.spawn_split(sandbox, command)?()
    }

    fn spawn_split(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<FinishSpawn> {
        if self.via_helper {
            return spawn_via_helper(sandbox, command);
        }
        let process = spawn_forked(sandbox, command);
        Ok(Box::new(move || process))
    }

    /// Unisolated processes are on the host's network, whatever was asked.
    fn internet(&self) -> Result<(), String> {
        Ok(())
    }

    fn set_internet(&self, _sandbox: &SandboxSpec, _on: bool) -> io::Result<()> {
        Ok(())
    }

    fn processes(&self, _sandbox: &SandboxSpec) -> io::Result<Vec<i32>> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "unisolated sandboxes (HOPX_LOCAL_ISOLATION=none) cannot list their processes: they are not told apart from the host's",
        ))
    }

    fn set_paused(&self, _sandbox: &SandboxSpec, _paused: bool) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "unisolated sandboxes (HOPX_LOCAL_ISOLATION=none) cannot be paused: their processes are not told apart from the host's",
        ))
    }

    fn release(&self, _sandbox: &SandboxSpec) {}

    /// Unisolated code sees the host as it is, with the engine's rights: so do the file calls,
    /// with `/workspace` and `/tmp` being the sandbox's host folders.
    fn files(&self, sandbox: &SandboxSpec) -> io::Result<super::FsView> {
        let root = std::fs::File::open("/")?;
        Ok(super::FsView {
            root: std::sync::Arc::new(root.into()),
            user: None,
            host_dirs: Some((sandbox.workspace.clone(), sandbox.tmp.clone())),
        })
    }

    /// Unisolated code is on the host's network: its loopback is the host's.
    fn connect(&self, _sandbox: &SandboxSpec, port: u16) -> io::Result<std::net::TcpStream> {
        std::net::TcpStream::connect((std::net::Ipv4Addr::LOCALHOST, port))
    }
}

/// The rlimits every unisolated process gets.
fn rlimits(sandbox: &SandboxSpec) -> Vec<(libc::__rlimit_resource_t, u64)> {
    let l = &sandbox.limits;
    [
        (libc::RLIMIT_CORE, Some(0)),
        (libc::RLIMIT_FSIZE, l.file_size_bytes),
        (libc::RLIMIT_NOFILE, l.open_files),
    ]
    .into_iter()
    .filter_map(|(r, v)| v.map(|v| (r, v)))
    .collect()
}

/// Starts `command` as the exec'd helper, which becomes the program; the returned closure
/// waits for the program's `exec` (the status pipe closes) or the reason it failed.
fn spawn_via_helper(sandbox: &SandboxSpec, command: Command) -> io::Result<FinishSpawn> {
    let pipes = Pipes::new(command.stdin)?;
    let bytes = |s: &OsStr| s.as_bytes().to_vec();
    let pair = |k: &OsStr, v: &OsStr| [k.as_bytes(), b"=", v.as_bytes()].concat();
    let mut env: Vec<Vec<u8>> =
        command.env.iter().filter(|(k, _)| k != "TMPDIR").map(|(k, v)| pair(k, v)).collect();
    env.push(pair(OsStr::new("TMPDIR"), sandbox.tmp.as_os_str()));
    let mut spec = PlanSpec::empty(Mode::Unisolated, IdMode::current());
    spec.program = bytes(command.program.as_os_str());
    spec.argv = std::iter::once(command.program.clone().into_os_string())
        .chain(PlainIsolator::host_args(sandbox, &command))
        .map(|a| bytes(&a))
        .collect();
    spec.env = env;
    spec.cwd = bytes(host_path(sandbox, &command.cwd).as_os_str());
    spec.network = true;
    spec.rlimits = rlimits(sandbox);
    spec.fds = pipes.child_fds(&command.extra_fds, -1, -1);
    let code_file = command.code.as_ref().map(|c| host_path(sandbox, &c.path));
    if let (Some(code), Some(path)) = (&command.code, &code_file) {
        spec.code_path = bytes(path.as_os_str());
        spec.fds.code = code.content.as_raw_fd();
    }
    // Refuses a NUL in any string before a process exists.
    drop(spec.build()?);
    let pid = helper::spawn(&spec)?;
    drop((command.extra_fds, command.code));
    let ends = pipes.into_engine_ends();
    Ok(Box::new(move || {
        let status = read_status(&ends.status, Instant::now() + SETUP_TIMEOUT);
        if let Some(e) = match status {
            Ok(s) => s.error,
            Err(e) => Some(e),
        } {
            helper::abandon(pid);
            return Err(e);
        }
        let pidfd = pidfd::watch(pid)?;
        let control = PlainProcess { pid, pidfd, reaped: Default::default(), code_file };
        Ok(Process {
            stdin: ends.stdin,
            stdout: ends.stdout,
            stderr: ends.stderr,
            control: Box::new(control),
        })
    }))
}

/// Starts `command` by forking the engine (std's `Command`, which forks when given a
/// `pre_exec`): what [`spawn_via_helper`] does, where the helper cannot run.
fn spawn_forked(sandbox: &SandboxSpec, command: Command) -> io::Result<Process> {
    // What the helper's program step does: the working directory and the code file, made by
    // the engine's own user (the one that runs unisolated code anyway).
    let cwd = host_path(sandbox, &command.cwd);
    std::fs::create_dir_all(&cwd)?;
    let code_file = match &command.code {
        Some(code) => {
            let path = host_path(sandbox, &code.path);
            write_code_file(&path, &code.content)?;
            Some(path)
        }
        None => None,
    };
    let mut cmd = std::process::Command::new(&command.program);
    cmd.args(PlainIsolator::host_args(sandbox, &command))
        .env_clear()
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .env("TMPDIR", &sandbox.tmp)
        .current_dir(cwd)
        .stdin(if command.stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let extra: Vec<i32> = command.extra_fds.iter().map(|f| f.as_raw_fd()).collect();
    let limits = rlimits(sandbox);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(io::Error::last_os_error());
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            place_extra_fds(&extra)?;
            for &(resource, value) in &limits {
                let lim = libc::rlimit { rlim_cur: value, rlim_max: value };
                libc::setrlimit(resource, &lim);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    drop(command.extra_fds);
    let pid = child.id() as i32;
    let stdout: OwnedFd = child.stdout.take().expect("piped").into();
    let stderr: OwnedFd = child.stderr.take().expect("piped").into();
    let stdin: Option<OwnedFd> = child.stdin.take().map(Into::into);
    let pidfd = pidfd::watch(pid)?;
    Ok(Process {
        stdin,
        stdout,
        stderr,
        control: Box::new(PlainProcess { pid, pidfd, reaped: Default::default(), code_file }),
    })
}

/// Copies the memfd `content` into a new file at `path` (never through a link or over a file
/// that is already there).
fn write_code_file(path: &std::path::Path, content: &OwnedFd) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(0o600)
        .open(path)?;
    let mut src = std::fs::File::from(content.try_clone()?);
    std::io::Seek::seek(&mut src, std::io::SeekFrom::Start(0))?;
    std::io::copy(&mut src, &mut out).map(|_| ())
}

/// Moves the extra descriptors to 3, 4, ... and marks every other one close-on-exec.
fn place_extra_fds(extra: &[i32]) -> io::Result<()> {
    // First lift them out of the 3.. range so no dup2 clobbers a source still to be moved.
    let mut lifted = Vec::with_capacity(extra.len());
    for &fd in extra {
        // SAFETY: F_DUPFD on a descriptor we inherited.
        let high = unsafe { libc::fcntl(fd, libc::F_DUPFD, 1000) };
        if high < 0 {
            return Err(io::Error::last_os_error());
        }
        lifted.push(high);
    }
    for (i, &fd) in lifted.iter().enumerate() {
        // SAFETY: dup2 without O_CLOEXEC so the target survives exec.
        if unsafe { libc::dup2(fd, 3 + i as i32) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    let first_other = 3 + extra.len() as u32;
    // SAFETY: marks the remaining descriptors close-on-exec (std's own error pipe included).
    unsafe { libc::syscall(libc::SYS_close_range, first_other, u32::MAX, libc::CLOSE_RANGE_CLOEXEC) };
    Ok(())
}

struct PlainProcess {
    pid: i32,
    pidfd: AsyncFd<OwnedFd>,
    reaped: std::sync::atomic::AtomicBool,
    /// The run's code file, removed when the handle goes.
    code_file: Option<PathBuf>,
}

impl Drop for PlainProcess {
    /// A run abandoned before its end takes its process group with it.
    fn drop(&mut self) {
        if !self.reaped.load(std::sync::atomic::Ordering::Acquire) {
            self.kill_tree();
            // SAFETY: waitpid on our own, just-killed child; it exits at once.
            unsafe { libc::waitpid(self.pid, std::ptr::null_mut(), 0) };
        }
        if let Some(path) = &self.code_file {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl ProcessControl for PlainProcess {
    fn pid(&self) -> i32 {
        self.pid
    }

    fn signal(&self, signal: i32) -> io::Result<()> {
        // SAFETY: kill(2) on our child's pid.
        if unsafe { libc::kill(self.pid, signal) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    fn kill_tree(&self) {
        // The child leads its own session and group; a grandchild that called setsid escapes
        // this, which is one reason this isolator is only for trusted code.
        // SAFETY: kill(2) on the process group we created.
        unsafe {
            libc::kill(-self.pid, libc::SIGKILL);
            libc::kill(self.pid, libc::SIGKILL);
        }
    }

    fn wait(&self) -> WaitFuture<'_> {
        Box::pin(async move {
            let info: ExitInfo = pidfd::wait_exit(self.pid, &self.pidfd).await;
            self.reaped.store(true, std::sync::atomic::Ordering::Release);
            // Whatever the group left behind goes too.
            // SAFETY: kill(2) on the process group we created.
            unsafe { libc::kill(-self.pid, libc::SIGKILL) };
            info
        })
    }
}
