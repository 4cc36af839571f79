//! No isolation: processes run as the engine's user on the host, each in its own session so
//! the whole group can be killed. Only for trusted code, chosen explicitly
//! (`HOPX_LOCAL_ISOLATION=none`); inside paths (`/workspace`, `/tmp`) are mapped to the
//! sandbox's host directories.

use super::{
    pidfd, Command, ExitInfo, Isolator, Process, ProcessControl, SandboxSpec, WaitFuture, TMP, WORKSPACE,
};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::unix::AsyncFd;

/// Runs processes unconfined, one process group each.
pub struct PlainIsolator;

impl PlainIsolator {
    /// Maps an inside path to the host path that backs it.
    fn host_path(sandbox: &SandboxSpec, inside: &str) -> PathBuf {
        for (prefix, host) in [(WORKSPACE, &sandbox.workspace), (TMP, &sandbox.tmp)] {
            if let Some(rest) = inside.strip_prefix(prefix) {
                if rest.is_empty() || rest.starts_with('/') {
                    return host.join(rest.trim_start_matches('/'));
                }
            }
        }
        PathBuf::from(inside)
    }
}

impl Isolator for PlainIsolator {
    fn name(&self) -> &'static str {
        "none"
    }

    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<()> {
        std::fs::create_dir_all(&sandbox.workspace)?;
        std::fs::create_dir_all(&sandbox.tmp)
    }

    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process> {
        let mut cmd = std::process::Command::new(&command.program);
        // Arguments naming inside paths (the code file) are mapped like the working directory.
        let args = command.args.iter().map(|a| match a.to_str() {
            Some(s) if s.starts_with(WORKSPACE) || s.starts_with(TMP) => {
                Self::host_path(sandbox, s).into_os_string()
            }
            _ => a.clone(),
        });
        cmd.args(args)
            .env_clear()
            .envs(command.env.iter().map(|(k, v)| (k, v)))
            .env("TMPDIR", &sandbox.tmp)
            .current_dir(Self::host_path(sandbox, &command.cwd))
            .stdin(if command.stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let extra: Vec<i32> = command.extra_fds.iter().map(|f| f.as_raw_fd()).collect();
        let limits = sandbox.limits.clone();
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(io::Error::last_os_error());
                }
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                place_extra_fds(&extra)?;
                set_rlimit(libc::RLIMIT_CORE, Some(0));
                set_rlimit(libc::RLIMIT_FSIZE, limits.file_size_bytes);
                set_rlimit(libc::RLIMIT_NOFILE, limits.open_files);
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
            control: Box::new(PlainProcess { pid, pidfd, reaped: Default::default() }),
        })
    }

    fn release(&self, _sandbox: &SandboxSpec) {}
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

fn set_rlimit(resource: libc::__rlimit_resource_t, value: Option<u64>) {
    if let Some(v) = value {
        let lim = libc::rlimit { rlim_cur: v, rlim_max: v };
        // SAFETY: setrlimit with a valid struct.
        unsafe { libc::setrlimit(resource, &lim) };
    }
}

struct PlainProcess {
    pid: i32,
    pidfd: AsyncFd<OwnedFd>,
    reaped: std::sync::atomic::AtomicBool,
}

impl Drop for PlainProcess {
    /// A run abandoned before its end takes its process group with it.
    fn drop(&mut self) {
        if !self.reaped.load(std::sync::atomic::Ordering::Acquire) {
            self.kill_tree();
            // SAFETY: waitpid on our own, just-killed child; it exits at once.
            unsafe { libc::waitpid(self.pid, std::ptr::null_mut(), 0) };
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
