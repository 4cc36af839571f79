//! Awaiting a child's exit without a blocking thread: a pidfd becomes readable when the
//! process ends, then `waitpid` collects it. Only this pid is reaped, never `-1`, because the
//! engine may live inside someone else's process (a Python or Node program).

use super::ExitInfo;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use tokio::io::unix::AsyncFd;

/// Opens a pidfd for `pid` (Linux 5.3+).
pub fn open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: plain syscall; the result is a new descriptor we own or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor returned by the kernel.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Opens a pidfd for `pid` and registers it with the current tokio runtime.
pub fn watch(pid: i32) -> io::Result<AsyncFd<OwnedFd>> {
    let fd = open(pid)?;
    // SAFETY: we own `fd` and nothing else closes or replaces it while registered.
    unsafe { AsyncFd::register(fd) }.map_err(io::Error::from)
}

/// Waits for the child `pid` (whose pidfd is `fd`) to exit, and reaps it.
pub async fn wait_exit(pid: i32, fd: &AsyncFd<OwnedFd>) -> ExitInfo {
    loop {
        if let Some(info) = try_reap(pid) {
            return info;
        }
        match fd.readable().await {
            Ok(mut guard) => guard.clear_ready(),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
        }
    }
}

/// Reaps `pid` if it has exited.
pub fn try_reap(pid: i32) -> Option<ExitInfo> {
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid out-pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if r == pid {
        Some(decode(status))
    } else if r < 0 {
        // Already reaped or not our child: nothing more will come.
        Some(ExitInfo { code: None, signal: None, oom_killed: false })
    } else {
        None
    }
}

/// Turns a wait status into an [`ExitInfo`].
pub fn decode(status: i32) -> ExitInfo {
    if libc::WIFEXITED(status) {
        ExitInfo { code: Some(libc::WEXITSTATUS(status)), ..Default::default() }
    } else if libc::WIFSIGNALED(status) {
        ExitInfo { signal: Some(libc::WTERMSIG(status)), ..Default::default() }
    } else {
        ExitInfo::default()
    }
}
