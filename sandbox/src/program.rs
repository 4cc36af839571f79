//! The user's program inside a sandbox: its identity, its working directory and code file,
//! its descriptors and limits, then exec.

use crate::child::{fail, host_pid, ok, or_fail, report_pid, ChildPlan};
use crate::files;
use crate::pre_exec::{reset_signals, stdio_and_limits};
use crate::seccomp;
use crate::sys;
use crate::uidmap::{IdMode, PROGRAM_ID};
use std::os::raw::c_int;

/// Becomes the program. Never returns.
pub fn run(plan: &mut ChildPlan, host_proc: c_int) -> ! {
    let st = plan.fds.status;
    if let Some(pid) = host_pid(host_proc) {
        report_pid(st, b'P', pid);
    }
    // SAFETY: closing our own descriptor.
    unsafe { libc::close(host_proc) };
    if plan.ids == IdMode::Root {
        // From ns-root to inside 1000 (host 65534): the kernel clears every capability.
        // SAFETY: credential syscalls with plain integers.
        unsafe {
            or_fail(st, "setgroups", ok(libc::setgroups(0, std::ptr::null())));
            or_fail(st, "setresgid", ok(libc::setresgid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID)));
            or_fail(st, "setresuid", ok(libc::setresuid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID)));
        }
    }
    // Unprivileged, the program already has the sandbox user's uid, with the capabilities of
    // the sandbox's namespace: drop them before acting as that user (exec would too, later).
    or_fail(st, "drop capabilities", sys::drop_capabilities());
    // Re-armed after the uid change (the run dies with its init anyway).
    or_fail(st, "pdeathsig", sys::die_with_parent(-1));
    // SAFETY: umask never fails.
    unsafe { libc::umask(0o022) };
    // From here on every file is made as the sandbox user, in the sandbox's view.
    prepare_files(plan, st);
    let st = stdio_and_limits(plan, st);
    // SAFETY: chdir to a valid path, as the program's own uid.
    or_fail(st, "chdir", ok(unsafe { libc::chdir(plan.cwd.as_ptr()) }));
    // SAFETY: prctl with integer arguments.
    or_fail(st, "no_new_privs", ok(unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }));
    if let Some(filter) = &plan.seccomp {
        or_fail(st, "seccomp", seccomp::install(filter));
    }
    reset_signals();
    // SAFETY: program, argv and envp are NUL-terminated and point into `plan._strings`.
    unsafe { libc::execve(plan.program.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr()) };
    fail(st, "exec", sys::errno())
}

/// Creates a missing working directory and writes the code file, as whoever the caller is
/// now (the sandbox user, or the engine's user when unisolated).
pub(crate) fn prepare_files(plan: &ChildPlan, status: c_int) {
    // A failure here shows up as the chdir's, which names the directory's problem.
    let _ = files::mkdir_p(&plan.cwd, 0o755);
    if let Some(path) = &plan.code_path {
        or_fail(status, "write the code file", files::copy_new(path, plan.fds.code, 0o600));
        // SAFETY: the memfd is copied; the program must not inherit it.
        unsafe { libc::close(plan.fds.code) };
    }
}
