//! The last steps before `exec`, shared by the sandboxed program (`program.rs`) and, for
//! trusted code only, the unisolated helper that becomes the program itself (`unisolated.rs`):
//! descriptors, rlimits, signal dispositions.

use crate::child::{ok, or_fail, ChildPlan};
use crate::sys::{self, SysResult};
use std::os::raw::c_int;

/// Puts the program's descriptors in place (stdin from `/dev/null` unless the plan has a pipe)
/// and applies its rlimits. Returns the status pipe's new number.
pub(crate) fn stdio_and_limits(plan: &ChildPlan, status: c_int) -> c_int {
    let stdin = match plan.fds.stdin {
        Some(fd) => fd,
        // SAFETY: open /dev/null (the sandbox's own once its root is built).
        None => or_fail(
            status,
            "open /dev/null",
            sys::check(unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY) } as libc::c_long),
        ) as c_int,
    };
    let f = &plan.fds;
    let status = or_fail(status, "place fds", place_fds(stdin, f.stdout, f.stderr, &f.extra, status));
    for &(res, value) in &plan.rlimits {
        set_rlimit(res, value);
    }
    status
}

/// Puts stdin/stdout/stderr at 0-2 and the extra fds at 3, 4, ...; closes everything else
/// except the (close-on-exec) status pipe, whose new number is returned.
fn place_fds(stdin: c_int, stdout: c_int, stderr: c_int, extra: &[c_int], status: c_int) -> SysResult<c_int> {
    let first_free = 3 + extra.len() as c_int;
    // Lift every source above all sources and targets first, so no dup2 clobbers a source
    // still to be moved.
    let mut base = first_free.max(stdin).max(stdout).max(stderr).max(status);
    for &e in extra {
        base = base.max(e);
    }
    base += 1;
    let lift = |fd: c_int| -> SysResult<c_int> {
        // SAFETY: F_DUPFD_CLOEXEC on a descriptor we hold.
        let r = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, base) };
        if r < 0 {
            Err(sys::errno())
        } else {
            Ok(r)
        }
    };
    let status = lift(status)?;
    for (target, src) in [(0, stdin), (1, stdout), (2, stderr)] {
        let high = lift(src)?;
        // SAFETY: dup2 (clears close-on-exec on the target).
        ok(unsafe { libc::dup2(high, target) })?;
    }
    for (i, &src) in extra.iter().enumerate() {
        let high = lift(src)?;
        // SAFETY: as above.
        ok(unsafe { libc::dup2(high, 3 + i as c_int) })?;
    }
    // SAFETY: F_DUPFD_CLOEXEC to the lowest free slot at or above first_free.
    let status_final = unsafe { libc::fcntl(status, libc::F_DUPFD_CLOEXEC, first_free) };
    if status_final < 0 {
        return Err(sys::errno());
    }
    // SAFETY: closing everything between the placed fds and after the status pipe.
    unsafe {
        if status_final > first_free {
            libc::syscall(libc::SYS_close_range, first_free as u32, (status_final - 1) as u32, 0);
        }
        libc::syscall(libc::SYS_close_range, (status_final + 1) as u32, u32::MAX, 0);
    }
    Ok(status_final)
}

/// exec keeps ignored signals ignored and the signal mask as it is; the engine (or whatever
/// started it, e.g. a shell's background job ignoring SIGINT) must not leak those into user
/// code: Python installs its KeyboardInterrupt handler only if SIGINT is not ignored.
pub(crate) fn reset_signals() {
    // SAFETY: resetting dispositions and the mask of this single-threaded child.
    unsafe {
        for sig in 1..libc::SIGRTMAX() {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

pub fn set_rlimit(res: libc::__rlimit_resource_t, value: u64) {
    let lim = libc::rlimit { rlim_cur: value, rlim_max: value };
    // SAFETY: setrlimit with a valid struct.
    unsafe { libc::setrlimit(res, &lim) };
}
