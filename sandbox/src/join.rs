//! Starting a program inside a sandbox that a holder keeps (`holder.rs`).
//!
//! ```text
//! engine (spawner thread)
//!   └─ intermediate   the exec'd helper, in the host pid ns: enters the holder's
//!      │              namespaces; mirrors the program's end back
//!      └─ entry       the first process in the sandbox's pid ns; joins the sandbox's cgroup,
//!         │           makes a pid and a mount namespace for this run alone
//!         └─ init     pid 1 of the run (ns-root): mounts the run's own /proc; reaps; its
//!            │        death kills every process of the run, however they detached
//!            └─ program   inside uid 1000, no capabilities, NO_NEW_PRIVS, seccomp (program.rs)
//! ```
//!
//! A run shares the sandbox's disk, network, IPC and hostname with every other run, and has a
//! pid namespace of its own (nested in the sandbox's, so the holder's death still ends it), so
//! a timeout can kill exactly one run's processes and `/proc` matches `getpid()`.

use crate::child::{
    become_sandbox_root, fork, host_pid, mirror, ok, or_fail, own_pidfd, pipe, report_pid, wait_child,
    ChildPlan,
};
use crate::files::as_fs_user;
use crate::holder::join_cgroups;
use crate::sys;
use crate::uidmap::PROGRAM_ID;
use std::os::raw::c_int;

/// The intermediate of one run.
pub fn start(plan: &mut ChildPlan) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(plan.fds.engine_pidfd));
    sys::close_all_except(&plan.keep);
    crate::pre_exec::set_rlimit(libc::RLIMIT_CORE, 0);
    // The host's /proc, opened before we leave the host's mount namespace: it is how the run's
    // processes learn their host pids for the engine. Close-on-exec: user code never gets it.
    // SAFETY: open with a valid path.
    let host_proc =
        unsafe { libc::open(c"/proc".as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    or_fail(st, "open /proc", ok(host_proc));
    // All at once through the holder's pidfd: user first, so the rest is allowed.
    // SAFETY: setns with a pidfd and namespace flags.
    or_fail(st, "enter sandbox", ok(unsafe { libc::setns(plan.fds.holder, plan.namespaces) }));
    // SAFETY: our descriptor, no longer needed.
    unsafe { libc::close(plan.fds.holder) };
    let me = own_pidfd(st);
    let report = pipe(st);
    let entry = fork(st, "fork entry");
    if entry == 0 {
        // SAFETY: closing the read end we do not use.
        unsafe { libc::close(report[0]) };
        run_entry(plan, me, report[1], host_proc);
    }
    // Hold nothing but the report pipe: the run's pipes belong to its processes.
    sys::close_all_except(&[report[0]]);
    let status = wait_child(entry);
    // The run's init writes the program's raw wait status before it exits; if init itself was
    // killed (a timeout, OOM), nothing is there and the entry's own status is the answer.
    let mut buf = [0u8; 4];
    // SAFETY: reading 4 bytes into a 4-byte buffer; every writer is gone, so no blocking.
    let got = unsafe { libc::read(report[0], buf.as_mut_ptr().cast(), 4) } == 4;
    mirror(if got { i32::from_ne_bytes(buf) } else { status })
}

/// First process inside the sandbox: a pid and mount namespace for the run, and its init.
fn run_entry(plan: &mut ChildPlan, parent_pidfd: c_int, report: c_int, host_proc: c_int) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    join_cgroups(plan);
    // SAFETY: unshare with namespace flags only (we hold the sandbox's capabilities).
    or_fail(st, "unshare run", ok(unsafe { libc::unshare(libc::CLONE_NEWPID | libc::CLONE_NEWNS) }));
    let me = own_pidfd(st);
    let init = fork(st, "fork run init");
    if init == 0 {
        run_init(plan, me, report, host_proc);
    }
    sys::close_all_except(&[]);
    mirror(wait_child(init))
}

/// Pid 1 of the run: its own /proc, the program, and every orphan of the run reaped.
fn run_init(plan: &mut ChildPlan, parent_pidfd: c_int, report: c_int, host_proc: c_int) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    become_sandbox_root(plan, st);
    // A credential change clears PDEATHSIG: re-arm it, and check the entry is alive.
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    sys::not_dumpable();
    // A /proc of this run's pid namespace, over the sandbox's, so pids match `getpid()`.
    or_fail(
        st,
        "mount proc",
        sys::mount(
            Some(c"proc"),
            c"/proc",
            Some(c"proc"),
            libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
            None,
        ),
    );
    if let Some(pid) = host_pid(host_proc) {
        report_pid(st, b'I', pid);
    }
    // A session of its own: where the machine groups scheduling by session (autogroup), each
    // run gets a fair share instead of weighing as many processes as it has.
    // SAFETY: setsid in a process that leads no group.
    unsafe { libc::setsid() };
    let program = fork(st, "fork program");
    if program == 0 {
        // SAFETY: closing descriptors the program must not inherit.
        unsafe {
            libc::close(report);
            libc::close(parent_pidfd);
        }
        crate::program::run(plan, host_proc);
    }
    let keep = [report];
    sys::close_all_except(&keep);
    let mut status = 0;
    loop {
        // Reap everything: orphans re-parent to us, and unreaped zombies would pile up.
        // SAFETY: waitpid with a valid out-pointer.
        let r = unsafe { libc::waitpid(-1, &mut status, 0) };
        if r == program {
            let _ = sys::write_all(report, &status.to_ne_bytes());
            remove_code_file(plan);
            // SAFETY: exiting pid 1 makes the kernel SIGKILL the rest of the run.
            unsafe { libc::_exit(0) };
        }
        if r < 0 && sys::errno() == libc::ECHILD {
            // SAFETY: as above.
            unsafe { libc::_exit(0) };
        }
    }
}

/// Removes the run's code file, as the sandbox user (a run stopped by a timeout leaves it in
/// the sandbox's own `/tmp`).
fn remove_code_file(plan: &ChildPlan) {
    if let Some(path) = &plan.code_path {
        as_fs_user(PROGRAM_ID, PROGRAM_ID, || {
            // SAFETY: unlink with a valid path.
            unsafe { libc::unlink(path.as_ptr()) };
        });
    }
}
