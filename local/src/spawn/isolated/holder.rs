//! The engine's handle on a sandbox's holder: the pid-1 process that keeps the sandbox's
//! namespaces and file system alive (`sandbox/src/holder.rs`). Every process of the sandbox
//! enters its namespaces through [`Holder::pidfd`]; killing it ends the whole sandbox.

use crate::spawn::pidfd;
use hopx_sandbox::sys;
use std::os::fd::{AsRawFd, OwnedFd};

pub struct Holder {
    /// The helper that started the holder (our child, mirroring the holder's end).
    intermediate: i32,
    init_fd: OwnedFd,
}

impl Holder {
    pub fn new(intermediate: i32, init: i32) -> std::io::Result<Holder> {
        Ok(Holder { intermediate, init_fd: pidfd::open(init)? })
    }

    /// A pidfd of the holder, through which a process enters the sandbox.
    pub fn pidfd(&self) -> &OwnedFd {
        &self.init_fd
    }

    /// Whether the sandbox still exists (the holder has not died).
    pub fn is_alive(&self) -> bool {
        !sys::pidfd_exited(self.init_fd.as_raw_fd())
    }

    /// Ends the sandbox: the holder's death makes the kernel kill every process of its pid
    /// namespace, and its file system goes with its mount namespace.
    pub fn kill(&self) {
        let _ = sys::pidfd_send_signal(self.init_fd.as_raw_fd(), libc::SIGKILL);
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.kill();
        // SAFETY: SIGKILL and reap our own child, which exits as soon as the holder is gone.
        unsafe {
            libc::kill(self.intermediate, libc::SIGKILL);
            libc::waitpid(self.intermediate, std::ptr::null_mut(), 0);
        }
    }
}
