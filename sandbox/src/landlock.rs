//! Landlock scoping (Linux 6.12+, Landlock ABI 6): keeps the program from connecting to
//! abstract unix sockets made by processes outside its own Landlock domain. A sandbox on the
//! host's network namespace would otherwise reach the host's abstract sockets (X11, D-Bus,
//! containerd, ...), which no file permission guards.

use crate::sys::{self, SysResult};

/// `struct landlock_ruleset_attr` as of ABI 6.
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1;
const CREATE_RULESET_VERSION: libc::c_uint = 1;

/// The kernel's Landlock ABI version, or 0 where Landlock is missing or disabled.
pub fn abi_version() -> i64 {
    // SAFETY: the version query takes no attribute.
    let r = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<RulesetAttr>(),
            0,
            CREATE_RULESET_VERSION,
        )
    };
    r.max(0)
}

/// Whether this kernel can scope abstract unix sockets.
pub fn can_scope_abstract_unix() -> bool {
    abi_version() >= 6
}

/// Confines the calling process (and its future children): no connection to an abstract
/// unix socket made outside. Needs NO_NEW_PRIVS. `Ok(false)` where the kernel cannot.
/// Allocation-free.
pub fn scope_abstract_unix() -> SysResult<bool> {
    if !can_scope_abstract_unix() {
        return Ok(false);
    }
    let attr =
        RulesetAttr { handled_access_fs: 0, handled_access_net: 0, scoped: SCOPE_ABSTRACT_UNIX_SOCKET };
    // SAFETY: a valid attribute of the size we pass.
    let fd = sys::check(unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            &attr as *const RulesetAttr,
            std::mem::size_of::<RulesetAttr>(),
            0,
        )
    })?;
    // SAFETY: restricting ourselves with the ruleset we just made, then closing it.
    let r = unsafe { libc::syscall(libc::SYS_landlock_restrict_self, fd as libc::c_int, 0) };
    // SAFETY: closing our own descriptor.
    unsafe { libc::close(fd as libc::c_int) };
    sys::check(r).map(|_| true)
}
