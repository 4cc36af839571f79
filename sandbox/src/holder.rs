//! Making a sandbox: its namespaces, its file system, and the process that keeps them alive.
//!
//! ```text
//! engine (spawner thread)
//!   └─ intermediate   the exec'd helper, in the host pid ns; unshares the namespaces (the
//!      │              engine writes the id maps), and mirrors the holder's end back
//!      └─ holder      pid 1 of the sandbox's pid ns: joins the sandbox cgroup, becomes
//!                     ns-root (host 65533), builds the mounts,
//!                     the sandbox's private disk, hostname and loopback, writes the seed
//!                     files as the sandbox user, then reaps orphans until it is killed; its
//!                     death takes every process of the sandbox with it
//! ```
//!
//! Every later process of the sandbox enters these namespaces (`join.rs`). One set per
//! sandbox means its runs share what a machine's processes share (the disk, loopback, SysV
//! IPC), and the engine has a single place where the sandbox's world is.

use crate::child::{
    become_sandbox_root, fail, fork, mirror, ok, or_fail, own_pidfd, report_pid, wait_child, ChildPlan,
};
use crate::files::{as_fs_user, write_new};
use crate::net;
use crate::sys;
use crate::uidmap::{IdMode, PROGRAM_ID};
use std::os::raw::c_int;

/// The intermediate of a new sandbox: runs in the engine's namespaces, as the engine's child.
pub fn start(plan: &mut ChildPlan) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(plan.fds.engine_pidfd));
    // Close whatever else we inherited (descriptors of the embedding process that are not
    // close-on-exec).
    sys::close_all_except(&plan.keep);
    crate::pre_exec::set_rlimit(libc::RLIMIT_CORE, 0);
    // SAFETY: unshare with namespace flags only.
    or_fail(st, "unshare", ok(unsafe { libc::unshare(plan.namespaces) }));
    or_fail(st, "ready", sys::write_all(plan.fds.ready, b"r"));
    // The engine now writes our uid/gid maps.
    match sys::read_byte(plan.fds.go) {
        Ok(Some(b'g')) => {}
        // SAFETY: the engine gave up on us.
        _ => unsafe { libc::_exit(125) },
    }
    let me = own_pidfd(st);
    let holder = fork(st, "fork holder");
    if holder == 0 {
        run_holder(plan, me);
    }
    report_pid(st, b'I', holder as u64);
    // The status pipe is the holder's now: it closes it once the sandbox is ready.
    sys::close_all_except(&[]);
    mirror(wait_child(holder))
}

/// Moves the calling process into the sandbox's cgroups (writing "0" means "the writer").
/// The first process inside the sandbox does it before it forks anything, so every process
/// of the sandbox is born inside, while the helper between the engine and the sandbox is not
/// counted against the sandbox's process limit. Done with the host-root ids the helper
/// started with (before any change to the sandbox's own ids), which cgroup v1 asks of a
/// writer moving itself.
pub(crate) fn join_cgroups(plan: &ChildPlan) {
    for &fd in &plan.fds.cgroups {
        or_fail(plan.fds.status, "join cgroup", sys::write_all(fd, b"0"));
        // SAFETY: our descriptor, no longer needed.
        unsafe { libc::close(fd) };
    }
}

/// Pid 1 of the sandbox. Builds its world, says so by closing the status pipe, then lives
/// until the sandbox is killed.
fn run_holder(plan: &mut ChildPlan, parent_pidfd: c_int) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    join_cgroups(plan);
    // Out of reach of the sandbox's processes through /proc and ptrace. Not where the engine
    // is unprivileged: it then has the holder's host uid and no CAP_SYS_PTRACE, and the kernel
    // lets it enter the sandbox through the holder's pidfd (every run, slirp4netns, preview
    // connections) only while the holder is dumpable. No program can name the holder anyway:
    // each run has a pid namespace of its own below the holder's, with its own init as pid 1.
    if plan.ids == IdMode::Root {
        sys::not_dumpable();
    }
    // Our mount events must never propagate back to the host.
    or_fail(st, "make mounts private", sys::mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None));
    if let Err((stage, e)) = plan.mounts.clone_sources(&mut plan.bind_fds) {
        fail(st, stage, e);
    }
    become_sandbox_root(plan, st);
    // A credential change clears PDEATHSIG: re-arm it, and check the intermediate is alive.
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    if let Err((stage, e)) = plan.mounts.build_root(&plan.bind_fds) {
        fail(st, stage, e);
    }
    for &fd in &plan.bind_fds {
        // SAFETY: our detached-mount fds, now attached and no longer needed.
        unsafe { libc::close(fd) };
    }
    // SAFETY: sethostname with a valid buffer.
    or_fail(st, "sethostname", ok(unsafe { libc::sethostname(c"sandbox".as_ptr(), 7) }));
    if plan.new_net {
        or_fail(st, "loopback up", net::loopback_up());
    }
    // Seed files are a head start (a font cache), never a reason to fail.
    if !plan.seed.is_empty() {
        as_fs_user(PROGRAM_ID, PROGRAM_ID, || {
            for (path, data) in &plan.seed {
                let _ = write_new(path, data, 0o644);
            }
        });
        // Changing the fs ids cleared PDEATHSIG (as every credential change does): without
        // re-arming it, this process and the sandbox's tmpfs would outlive a dead engine.
        or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    }
    // The engine's view of the sandbox's files: our root, as every process here sees it.
    if plan.fds.holder >= 0 {
        // SAFETY: open of a constant path; the descriptor is sent, then closed below.
        let root = unsafe { libc::open(c"/".as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
        or_fail(st, "open the root", ok(root));
        or_fail(st, "send the root", sys::send_fd(plan.fds.holder, root));
    }
    // Ready: closing the status pipe (our last descriptor) ends the engine's wait.
    sys::close_all_except(&[]);
    reap_forever()
}

/// Reaps every process that ends up as our child (runs whose starter died), forever.
fn reap_forever() -> ! {
    // SAFETY: signal-mask calls on a zeroed set; waitpid with a null status pointer.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGCHLD);
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        loop {
            while libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) > 0 {}
            libc::sigwaitinfo(&set, std::ptr::null_mut());
        }
    }
}
