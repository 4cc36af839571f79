//! The engine's handle on one sandboxed run: signals go to the program through a pidfd,
//! `kill_tree` kills the namespace's init (the kernel then kills every process of the pid
//! namespace, however it detached), and `wait` awaits the intermediate, which mirrors the
//! program's exit.

use super::cgroup::SandboxCgroup;
use crate::spawn::{pidfd, ExitInfo, ProcessControl, WaitFuture};
use hopx_sandbox::sys;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::unix::AsyncFd;

pub struct IsolatedProcess {
    /// The intermediate: our child, reaped by `wait` (or on drop).
    intermediate: i32,
    intermediate_fd: AsyncFd<OwnedFd>,
    init_fd: Option<OwnedFd>,
    /// The program's host pid (for its `/proc` entry; signals go through its pidfd).
    program: i32,
    program_fd: Option<OwnedFd>,
    cgroup: Option<Arc<SandboxCgroup>>,
    /// The sandbox's OOM-kill count when this run started.
    oom_base: u64,
    reaped: AtomicBool,
}

impl IsolatedProcess {
    pub fn new(
        intermediate: i32,
        init: i32,
        program: i32,
        cgroup: Option<Arc<SandboxCgroup>>,
        oom_base: u64,
    ) -> io::Result<Self> {
        let intermediate_fd = pidfd::watch(intermediate)?;
        // Either may already be gone (a program that exits at once): then there is nothing
        // left to signal, which `signal` reports as ESRCH.
        let init_fd = pidfd::open(init).ok();
        let program_fd = pidfd::open(program).ok();
        Ok(IsolatedProcess {
            intermediate,
            intermediate_fd,
            init_fd,
            program,
            program_fd,
            cgroup,
            oom_base,
            reaped: AtomicBool::new(false),
        })
    }
}

impl ProcessControl for IsolatedProcess {
    fn pid(&self) -> i32 {
        self.program
    }

    fn signal(&self, signal: i32) -> io::Result<()> {
        let fd = self.program_fd.as_ref().ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH))?;
        sys::pidfd_send_signal(fd.as_raw_fd(), signal).map_err(io::Error::from_raw_os_error)
    }

    fn kill_tree(&self) {
        // Init's death makes the kernel SIGKILL every process of its pid namespace; the
        // intermediate would mirror it anyway, but killing it too makes `wait` return now.
        if let Some(fd) = &self.init_fd {
            let _ = sys::pidfd_send_signal(fd.as_raw_fd(), libc::SIGKILL);
        }
        if !self.reaped.load(Ordering::SeqCst) {
            let _ = sys::pidfd_send_signal(self.intermediate_fd.get_ref().as_raw_fd(), libc::SIGKILL);
        }
    }

    fn wait(&self) -> WaitFuture<'_> {
        Box::pin(async move {
            let mut info: ExitInfo = pidfd::wait_exit(self.intermediate, &self.intermediate_fd).await;
            self.reaped.store(true, Ordering::SeqCst);
            // Should the intermediate have died alone, its init follows by PDEATHSIG; make sure.
            if let Some(fd) = &self.init_fd {
                let _ = sys::pidfd_send_signal(fd.as_raw_fd(), libc::SIGKILL);
            }
            if let Some(cg) = &self.cgroup {
                // The counter is per sandbox: a rise during this run means the OOM killer
                // struck in the sandbox while this run was alive.
                info.oom_killed = cg.oom_kills() > self.oom_base;
            }
            info
        })
    }
}

impl Drop for IsolatedProcess {
    /// Dropping the handle of a live run kills it: no sandbox process outlives its handle,
    /// and the intermediate is reaped rather than left a zombie.
    fn drop(&mut self) {
        if !self.reaped.load(Ordering::SeqCst) {
            self.kill_tree();
            // SAFETY: blocking waitpid on our SIGKILLed child returns promptly.
            unsafe { libc::waitpid(self.intermediate, std::ptr::null_mut(), 0) };
        }
    }
}
