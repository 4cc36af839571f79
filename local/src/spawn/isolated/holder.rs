//! The engine's handle on a sandbox's holder: the pid-1 process that keeps the sandbox's
//! namespaces and file system alive (`sandbox/src/holder.rs`). Every process of the sandbox
//! enters its namespaces through [`Holder::pidfd`]; killing it ends the whole sandbox.

use crate::spawn::pidfd;
use hopx_sandbox::sys;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

pub struct Holder {
    /// The helper that started the holder (our child, mirroring the holder's end).
    intermediate: i32,
    /// The holder's host pid (kept alive as a pid by the pidfd's process: we never reap it).
    init: i32,
    init_fd: OwnedFd,
}

impl Holder {
    pub fn new(intermediate: i32, init: i32) -> std::io::Result<Holder> {
        Ok(Holder { intermediate, init, init_fd: pidfd::open(init)? })
    }

    /// A pidfd of the holder, through which a process enters the sandbox.
    pub fn pidfd(&self) -> &OwnedFd {
        &self.init_fd
    }

    /// The holder's host pid, whose `/proc` entry names the sandbox's namespaces.
    pub fn pid(&self) -> i32 {
        self.init
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

/// A socket pair for the holder to send the sandbox's root on: (engine's end, holder's end).
pub fn root_channel() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: socketpair into a two-int array.
    let r = unsafe {
        libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0, fds.as_mut_ptr())
    };
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: two fresh descriptors we own.
    unsafe { Ok((OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))) }
}

/// Takes the root descriptor the holder sent (without waiting: it was sent before the holder
/// said it was ready).
pub fn receive_root(sock: &OwnedFd) -> std::io::Result<OwnedFd> {
    match sys::recv_fd(sock.as_raw_fd()) {
        // SAFETY: a descriptor the kernel just gave us.
        Ok(fd) => Ok(unsafe { OwnedFd::from_raw_fd(fd) }),
        Err(e) => Err(std::io::Error::other(format!(
            "the sandbox did not send its root: {}",
            std::io::Error::from_raw_os_error(e)
        ))),
    }
}
