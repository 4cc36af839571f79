//! Everything between the engine's spawn and the program's `exec`: the intermediate, the
//! sandbox init and the program.
//!
//! ```text
//! engine (spawner thread)
//!   └─ intermediate   the exec'd `hopx-sandbox` helper, in the host pid ns; unshares the
//!      │              namespaces, joins the cgroup (done by the engine), mirrors the
//!      │              program's exit status back to the engine
//!      └─ init         pid 1 of the new pid ns, ns-root (host uid 65533): builds the mounts,
//!         │            hostname, loopback; reaps orphans; its death kills the whole namespace
//!         └─ program   inside uid 1000 (host 65534), no capabilities, NO_NEW_PRIVS, rlimits
//! ```
//!
//! The intermediate is single-threaded, yet only async-signal-safe calls are made after its
//! first fork: all strings and vectors are built before (see [`ChildPlan`]); errors are reported
//! as `E<stage>:<errno>` lines on the status pipe, which is close-on-exec, so the engine reads
//! it to end of file and knows the exec happened (or why not). Two more lines travel on it:
//! `I<pid>` (host pid of init) and `P<pid>` (host pid of the program).

use crate::exec::{reset_signals, set_rlimit, stdio_and_limits};
use crate::mounts::MountPlan;
use crate::net;
use crate::plan::FdNumbers;
use crate::seccomp;
use crate::sys::{self, SysResult};
use crate::uidmap::{IdMode, PROGRAM_ID};
use std::ffi::CString;
use std::os::raw::{c_char, c_int};

/// Everything the children need, allocated before the first `fork`.
pub struct ChildPlan {
    pub program: CString,
    pub argv: Vec<*const c_char>,
    pub envp: Vec<*const c_char>,
    pub cwd: CString,
    pub mounts: MountPlan,
    /// One slot per bind source; filled by init.
    pub bind_fds: Vec<c_int>,
    pub unshare_flags: c_int,
    pub new_net: bool,
    pub ids: IdMode,
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    /// The seccomp filter for the program, if this architecture has one.
    pub seccomp: Option<Vec<libc::sock_filter>>,
    pub fds: FdNumbers,
    /// Every descriptor of `fds`, sorted: what the intermediate keeps open.
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

fn report_pid(status: c_int, tag: u8, pid: u64) {
    let mut buf = [0u8; 24];
    let mut num = [0u8; 20];
    let digits = sys::fmt_u64(pid, &mut num);
    buf[0] = tag;
    buf[1..1 + digits.len()].copy_from_slice(digits);
    buf[1 + digits.len()] = b'\n';
    let _ = sys::write_all(status, &buf[..digits.len() + 2]);
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

/// The intermediate: runs in the engine's namespaces, as the engine's child.
pub fn intermediate(plan: &mut ChildPlan) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(plan.fds.engine_pidfd));
    // Close whatever else we inherited (descriptors of the embedding process that are not
    // close-on-exec): a stray copy of a stdin write end would keep the program from ever
    // seeing EOF.
    sys::close_all_except(&plan.keep);
    // No core dump when we re-raise the program's fatal signal on ourselves.
    set_rlimit(libc::RLIMIT_CORE, 0);
    // SAFETY: unshare with namespace flags only.
    or_fail(st, "unshare", ok(unsafe { libc::unshare(plan.unshare_flags) }));
    or_fail(st, "ready", sys::write_all(plan.fds.ready, b"r"));
    // The engine now writes our uid/gid maps and puts us in the sandbox cgroup.
    match sys::read_byte(plan.fds.go) {
        Ok(Some(b'g')) => {}
        // SAFETY: the engine gave up on us.
        _ => unsafe { libc::_exit(125) },
    }
    // SAFETY: pidfd of ourselves, for init to notice our death.
    let my_pidfd = or_fail(
        st,
        "pidfd_open",
        sys::check(unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) }),
    ) as c_int;
    let mut report = [0 as c_int; 2];
    // SAFETY: pipe2 into a 2-slot array.
    or_fail(st, "pipe", ok(unsafe { libc::pipe2(report.as_mut_ptr(), libc::O_CLOEXEC) }));
    // SAFETY: glibc fork (not raw clone) so glibc's atfork handling keeps malloc and friends
    // consistent; we are single-threaded here anyway.
    let init = unsafe { libc::fork() };
    if init < 0 {
        fail(st, "fork init", sys::errno());
    }
    if init == 0 {
        // SAFETY: closing the read end we do not use.
        unsafe { libc::close(report[0]) };
        sandbox_init(plan, my_pidfd, report[1]);
    }
    report_pid(st, b'I', init as u64);
    // Hold nothing but the report pipe: the sandbox's pipes belong to init and the program.
    sys::close_all_except(&[report[0]]);
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our only child.
        let r = unsafe { libc::waitpid(init, &mut status, 0) };
        if r == init || (r < 0 && sys::errno() != libc::EINTR) {
            break;
        }
    }
    // Init writes the program's raw wait status before it exits; if init itself was killed
    // (kill_tree, OOM), nothing is there and init's own status is the answer.
    let mut buf = [0u8; 4];
    // SAFETY: reading 4 bytes into a 4-byte buffer; the writer is gone, so no blocking.
    if unsafe { libc::read(report[0], buf.as_mut_ptr().cast(), 4) } == 4 {
        status = i32::from_ne_bytes(buf);
    }
    mirror(status)
}

/// Ends this process the way the program ended: same exit code, or same signal.
fn mirror(status: c_int) -> ! {
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

/// Pid 1 of the sandbox. Builds its world, starts the program, reaps every orphan, and exits
/// with the program (taking every other process of the namespace with it).
fn sandbox_init(plan: &mut ChildPlan, parent_pidfd: c_int, report: c_int) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(parent_pidfd));
    // Our mount events must never propagate back to the host.
    or_fail(st, "make mounts private", sys::mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None));
    if let Err((stage, e)) = plan.mounts.clone_sources(&mut plan.bind_fds) {
        fail(st, stage, e);
    }
    // The host's /proc, kept only so the program can learn its host pid ("self" resolves in
    // the procfs's own pid namespace). Close-on-exec: user code never gets it.
    // SAFETY: open with a valid path.
    let host_proc =
        unsafe { libc::open(c"/proc".as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC) };
    if host_proc < 0 {
        fail(st, "open /proc", sys::errno());
    }
    if plan.ids == IdMode::Root {
        // Become ns-root = host 65533, dropping the engine's supplementary groups (host gid 0
        // among them). Capabilities in our namespace are kept: no uid was ns-root before.
        // SAFETY: credential syscalls with plain integers.
        unsafe {
            or_fail(st, "setgroups", ok(libc::setgroups(0, std::ptr::null())));
            or_fail(st, "setresgid", ok(libc::setresgid(0, 0, 0)));
            or_fail(st, "setresuid", ok(libc::setresuid(0, 0, 0)));
        }
    }
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
    // SAFETY: see `intermediate`.
    let prog = unsafe { libc::fork() };
    if prog < 0 {
        fail(st, "fork program", sys::errno());
    }
    if prog == 0 {
        // SAFETY: closing descriptors the program must not inherit.
        unsafe {
            libc::close(report);
            libc::close(parent_pidfd);
        }
        program(plan, host_proc);
    }
    sys::close_all_except(&[report]);
    let mut status = 0;
    loop {
        // Reap everything: orphans re-parent to us, and unreaped zombies would pile up.
        // SAFETY: waitpid with a valid out-pointer.
        let r = unsafe { libc::waitpid(-1, &mut status, 0) };
        if r == prog {
            let _ = sys::write_all(report, &status.to_ne_bytes());
            // SAFETY: exiting pid 1 makes the kernel SIGKILL the rest of the namespace.
            unsafe { libc::_exit(0) };
        }
        if r < 0 && sys::errno() == libc::ECHILD {
            // SAFETY: as above.
            unsafe { libc::_exit(0) };
        }
    }
}

/// The user's program: descriptors, limits, credentials, then exec.
fn program(plan: &mut ChildPlan, host_proc: c_int) -> ! {
    let st = plan.fds.status;
    let mut link = [0u8; 24];
    // SAFETY: readlinkat into a fixed buffer.
    let n = unsafe { libc::readlinkat(host_proc, c"self".as_ptr(), link.as_mut_ptr().cast(), link.len()) };
    if n > 0 {
        let pid = link[..n as usize].iter().fold(0u64, |a, d| a * 10 + (d.wrapping_sub(b'0')) as u64);
        report_pid(st, b'P', pid);
    }
    // SAFETY: closing our own descriptor.
    unsafe { libc::close(host_proc) };
    let st = stdio_and_limits(plan, st);
    if plan.ids == IdMode::Root {
        // From ns-root to inside 1000 (host 65534): the kernel clears every capability.
        // SAFETY: credential syscalls with plain integers.
        unsafe {
            or_fail(st, "setgroups", ok(libc::setgroups(0, std::ptr::null())));
            or_fail(st, "setresgid", ok(libc::setresgid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID)));
            or_fail(st, "setresuid", ok(libc::setresuid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID)));
        }
    }
    // Re-armed after the uid change (the namespace dies with init anyway).
    or_fail(st, "pdeathsig", sys::die_with_parent(-1));
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
