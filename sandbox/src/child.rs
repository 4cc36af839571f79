//! What every sandboxed process tree shares: the built plan, error reporting on the status
//! pipe, and the ways a parent waits for a child and passes its fate on.
//!
//! The helper is a freshly exec'd, single-threaded process, yet only async-signal-safe calls are
//! made after its first fork: all strings and vectors are built before (see [`ChildPlan`]).
//! Errors are reported as `E<stage>:<errno>` lines on the status pipe, which is close-on-exec,
//! so the engine reads it to end of file and knows the exec happened (or why not). Two more
//! lines travel on it: `I<pid>` (host pid of the init that holds a process tree) and
//! `P<pid>` (host pid of the program).

use crate::mounts::MountPlan;
use crate::plan::{FdNumbers, Mode};
use crate::sys::{self, SysResult};
use crate::uidmap::IdMode;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};

/// Everything the children need, allocated before the first `fork`.
pub struct ChildPlan {
    pub mode: Mode,
    pub program: CString,
    pub argv: Vec<*const c_char>,
    pub envp: Vec<*const c_char>,
    pub cwd: CString,
    pub code_path: Option<CString>,
    pub mounts: MountPlan,
    /// One slot per bind source; filled by the holder's init.
    pub bind_fds: Vec<c_int>,
    /// The namespaces a holder makes and a joining process enters.
    pub namespaces: c_int,
    pub new_net: bool,
    /// Connect: the port to connect to on the sandbox's loopback.
    pub port: u16,
    pub seed: Vec<(CString, Vec<u8>)>,
    pub ids: IdMode,
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    /// The seccomp filter for the program, if this architecture has one.
    pub seccomp: Option<Vec<libc::sock_filter>>,
    pub fds: FdNumbers,
    /// Every descriptor of `fds`, sorted: what the helper keeps open at start.
    pub keep: Vec<c_int>,
    /// Keeps the strings `argv`/`envp` point into alive.
    pub _strings: Vec<CString>,
}

/// Reports `E<stage>:<errno>` on the status pipe and exits. Never returns.
pub fn fail(status: c_int, stage: &str, errno: c_int) -> ! {
    let mut buf = [0u8; 96];
    let mut n = 0;
    let mut num = [0u8; 20];
    for part in [b"E".as_slice(), stage.as_bytes(), b":", sys::fmt_u64(errno as u64, &mut num), b"\n"] {
        let take = part.len().min(buf.len() - n);
        buf[n..n + take].copy_from_slice(&part[..take]);
        n += take;
    }
    let _ = sys::write_all(status, &buf[..n]);
    // SAFETY: _exit never returns and runs no atexit handlers (not ours to run).
    unsafe { libc::_exit(127) }
}

/// Writes `<tag><pid>\n` on the status pipe.
pub fn report_pid(status: c_int, tag: u8, pid: u64) {
    let mut buf = [0u8; 24];
    let mut num = [0u8; 20];
    let digits = sys::fmt_u64(pid, &mut num);
    buf[0] = tag;
    buf[1..1 + digits.len()].copy_from_slice(digits);
    buf[1 + digits.len()] = b'\n';
    let _ = sys::write_all(status, &buf[..digits.len() + 2]);
}

/// The caller's pid in the host's pid namespace, read through a descriptor of the host's
/// `/proc` opened before the caller entered the sandbox ("self" resolves in the pid namespace
/// of that procfs, not the caller's).
pub fn host_pid(host_proc: c_int) -> Option<u64> {
    let mut link = [0u8; 24];
    // SAFETY: readlinkat into a fixed buffer.
    let n = unsafe { libc::readlinkat(host_proc, c"self".as_ptr(), link.as_mut_ptr().cast(), link.len()) };
    (n > 0).then(|| link[..n as usize].iter().fold(0u64, |a, d| a * 10 + (d.wrapping_sub(b'0')) as u64))
}

pub(crate) fn or_fail<T>(status: c_int, stage: &str, r: SysResult<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => fail(status, stage, e),
    }
}

pub(crate) fn ok(r: c_int) -> SysResult<()> {
    if r < 0 {
        Err(sys::errno())
    } else {
        Ok(())
    }
}

/// A pidfd of the calling process, for its children to notice its death.
pub(crate) fn own_pidfd(status: c_int) -> c_int {
    // SAFETY: pidfd_open of ourselves.
    or_fail(
        status,
        "pidfd_open",
        sys::check(unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) }),
    ) as c_int
}

/// A close-on-exec pipe: `[read, write]`.
pub(crate) fn pipe(status: c_int) -> [c_int; 2] {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe2 into a 2-slot array.
    or_fail(status, "pipe", ok(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }));
    fds
}

/// glibc `fork` (not a raw clone), so glibc's own state stays consistent in the child.
pub(crate) fn fork(status: c_int, stage: &str) -> libc::pid_t {
    // SAFETY: fork in a single-threaded process.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        fail(status, stage, sys::errno());
    }
    pid
}

/// Waits for the child `pid`, retrying interrupted waits; returns its wait status.
pub(crate) fn wait_child(pid: libc::pid_t) -> c_int {
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our own child with a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid || (r < 0 && sys::errno() != libc::EINTR) {
            return status;
        }
    }
}

/// Writes into the sandbox's id space: as root of the sandbox (root mode), drops the engine's
/// supplementary groups (host gid 0 among them) and becomes ns-root = host 65533, keeping the
/// capabilities of the sandbox's user namespace. Unprivileged, the ids are already the only
/// mapped ones.
pub(crate) fn become_sandbox_root(plan: &ChildPlan, status: c_int) {
    if plan.ids == IdMode::Root {
        // SAFETY: credential syscalls with plain integers.
        unsafe {
            or_fail(status, "setgroups", ok(libc::setgroups(0, std::ptr::null())));
            or_fail(status, "setresgid", ok(libc::setresgid(0, 0, 0)));
            or_fail(status, "setresuid", ok(libc::setresuid(0, 0, 0)));
        }
    }
}

/// Ends this process the way a child ended: same exit code, or same signal.
pub fn mirror(status: c_int) -> ! {
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        // SAFETY: default disposition, unblocked, then deliver it to ourselves.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::kill(libc::getpid(), sig);
            libc::_exit(128 + sig)
        }
    }
    // SAFETY: plain exit.
    unsafe { libc::_exit(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 126 }) }
}
