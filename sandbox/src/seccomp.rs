//! A small seccomp deny-list for the program, written as plain BPF (no libseccomp).
//!
//! The namespaces already confine the program; this shrinks the kernel surface it can reach.
//! Above all it blocks *nested* user namespaces (unshare/clone with CLONE_NEW*, setns): inside
//! one, the program would regain every capability against a fresh set of kernel code paths, the
//! usual first step of a container-escape exploit. Also denied: the mount API, ptrace and
//! cross-process memory access, bpf, perf, userfaultfd, keyrings, io_uring, module and kexec
//! loading. Everything else is allowed, so python, node, bash and go behave as usual.

use libc::{sock_filter, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_RET, BPF_W};

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7;

/// Offsets in `struct seccomp_data`.
const NR: u32 = 0;
const ARCH: u32 = 4;
/// Low 32 bits of the first argument (little-endian).
const ARG0_LO: u32 = 16;

/// Syscalls answered with EPERM.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const DENY_EPERM: &[libc::c_long] = &[
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_open_by_handle_at,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_acct,
];

/// Syscalls answered with ENOSYS, so libraries take their fallback path: glibc retries
/// `clone3` as `clone` (whose flags we can inspect), libuv drops io_uring.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const DENY_ENOSYS: &[libc::c_long] =
    &[libc::SYS_clone3, libc::SYS_io_uring_setup, libc::SYS_io_uring_enter, libc::SYS_io_uring_register];

/// Every CLONE_NEW* flag.
const CLONE_NEW_ANY: u32 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET
    | libc::CLONE_NEWCGROUP) as u32
    | 0x80; // CLONE_NEWTIME

fn stmt(code: u32, k: u32) -> sock_filter {
    sock_filter { code: code as u16, jt: 0, jf: 0, k }
}

fn jump(code: u32, k: u32, jt: u8, jf: u8) -> sock_filter {
    sock_filter { code: code as u16, jt, jf, k }
}

fn ret_errno(errno: i32) -> sock_filter {
    stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ERRNO | errno as u32)
}

/// The filter program, built by the engine before `fork`; `None` on architectures we have no
/// syscall table for (the namespaces still apply there).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub fn filter() -> Option<Vec<sock_filter>> {
    let allow = stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ALLOW);
    let mut f = vec![
        // Another ABI (e.g. 32-bit int 0x80 on x86_64) has other numbers: refuse it outright.
        stmt(BPF_LD | BPF_W | BPF_ABS, ARCH),
        jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH, 1, 0),
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_KILL_PROCESS),
        stmt(BPF_LD | BPF_W | BPF_ABS, NR),
    ];
    #[cfg(target_arch = "x86_64")]
    {
        // x32 syscalls are the x86_64 numbers with bit 30 set: a way around the list below.
        f.push(jump(BPF_JMP | BPF_JSET | BPF_K, 0x4000_0000, 0, 1));
        f.push(ret_errno(libc::ENOSYS));
    }
    for (list, errno) in [(DENY_EPERM, libc::EPERM), (DENY_ENOSYS, libc::ENOSYS)] {
        for &nr in list {
            f.push(jump(BPF_JMP | BPF_JEQ | BPF_K, nr as u32, 0, 1));
            f.push(ret_errno(errno));
        }
    }
    // clone(flags, ...): refuse new namespaces, allow threads and plain forks.
    f.push(jump(BPF_JMP | BPF_JEQ | BPF_K, libc::SYS_clone as u32, 0, 3));
    f.push(stmt(BPF_LD | BPF_W | BPF_ABS, ARG0_LO));
    f.push(jump(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEW_ANY, 0, 1));
    f.push(ret_errno(libc::EPERM));
    f.push(allow);
    Some(f)
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub fn filter() -> Option<Vec<sock_filter>> {
    None
}

/// Installs `filter` on the calling thread (after NO_NEW_PRIVS, which makes this allowed
/// without privileges). Allocation-free: runs between fork and exec.
pub fn install(filter: &[sock_filter]) -> Result<(), i32> {
    let prog = libc::sock_fprog { len: filter.len() as u16, filter: filter.as_ptr() as *mut sock_filter };
    // SAFETY: a valid BPF program that outlives the call (the kernel copies it).
    if unsafe {
        libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog as *const libc::sock_fprog)
    } < 0
    {
        return Err(crate::sys::errno());
    }
    Ok(())
}
