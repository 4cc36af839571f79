//! Connecting to a port on a sandbox's own loopback, for the engine (a preview URL's forward).
//!
//! ```text
//! engine (any thread, waiting for us)
//!   └─ connect helper   enters the holder's network namespace (and, unprivileged, its user
//!                       namespace, without which the engine may not enter the network one),
//!                       connects to 127.0.0.1:<port>, sends the socket to the engine, exits
//! ```
//!
//! A socket belongs to the network namespace it was made in, so once made here it reaches the
//! sandbox's loopback from the engine too. The direction is one way: the engine connects into
//! the sandbox, the sandbox is handed nothing of the host's. The helper does not fork, execs
//! nothing and enters no other namespace (mounts, pids) nor the sandbox's cgroup: no code of
//! the sandbox runs here, and nothing here is counted as the sandbox's.

use crate::child::{ok, or_fail, ChildPlan};
use crate::sys;
use crate::uidmap::IdMode;

/// Connects and hands the socket over on `fds.reply`; errors (ECONNREFUSED where nothing
/// listens) go on the status pipe as `E<stage>:<errno>`. Never returns.
pub fn start(plan: &mut ChildPlan) -> ! {
    let st = plan.fds.status;
    or_fail(st, "pdeathsig", sys::die_with_parent(plan.fds.engine_pidfd));
    sys::close_all_except(&plan.keep);
    crate::pre_exec::set_rlimit(libc::RLIMIT_CORE, 0);
    // Unprivileged, the sandbox's programs run as our host uid: they must not read or trace us.
    sys::not_dumpable();
    // As root we may enter the network namespace directly, and our credentials stay in the
    // host's user namespace, out of reach of whatever holds capabilities in the sandbox's.
    // Unprivileged, entering the network namespace needs CAP_SYS_ADMIN in its owner, the
    // sandbox's user namespace: we get it by joining that one too (in one setns, user first).
    let namespaces = match plan.ids {
        IdMode::Root => libc::CLONE_NEWNET,
        IdMode::Unprivileged { .. } => libc::CLONE_NEWUSER | libc::CLONE_NEWNET,
    };
    // SAFETY: setns with the holder's pidfd and namespace flags.
    or_fail(st, "enter sandbox", ok(unsafe { libc::setns(plan.fds.holder, namespaces) }));
    // SAFETY: socket with constant arguments; a new descriptor or -1.
    let sock = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    or_fail(st, "socket", ok(sock));
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: plan.port.to_be(),
        sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes([127, 0, 0, 1]) },
        sin_zero: [0; 8],
    };
    // A loopback connect is answered at once (accepted, or refused); the engine gives up on us
    // after its set-up timeout if a full backlog keeps it waiting.
    // SAFETY: connect with a valid sockaddr_in of the size passed.
    let r = unsafe {
        libc::connect(
            sock,
            (&addr as *const libc::sockaddr_in).cast(),
            std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    or_fail(st, "connect", ok(r));
    or_fail(st, "send the socket", sys::send_fd(plan.fds.reply, sock));
    // SAFETY: done; exiting closes the status pipe, which tells the engine so.
    unsafe { libc::_exit(0) }
}
