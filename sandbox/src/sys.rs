//! Thin, allocation-free syscall wrappers used between `fork` and `exec`.
//!
//! Everything here may run in a forked child of a multi-threaded process, where only
//! async-signal-safe work is allowed: no allocation, no locks, no `std::io` error formatting.
//! Errors are plain errno values.

use std::ffi::CStr;
use std::os::raw::c_int;

/// `Err(errno)` of the last failed call.
pub type SysResult<T> = Result<T, c_int>;

pub fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// Maps a libc return value (negative = failure) to a result.
pub fn check(r: libc::c_long) -> SysResult<libc::c_long> {
    if r < 0 {
        Err(errno())
    } else {
        Ok(r)
    }
}

// Constants of the new mount API (linux/mount.h); not all are exported by the libc crate.
pub const OPEN_TREE_CLONE: libc::c_uint = 1;
pub const AT_RECURSIVE: libc::c_uint = 0x8000;
pub const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;
pub const MOUNT_ATTR_RDONLY: u64 = 0x1;
pub const MOUNT_ATTR_NOSUID: u64 = 0x2;
pub const MOUNT_ATTR_NODEV: u64 = 0x4;
pub const MOUNT_ATTR_NOEXEC: u64 = 0x8;

#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// Clones the mount tree at `path` into a detached mount, returned as an fd.
///
/// Done by path while the caller still has host-root DAC (so `/root/...` can be traversed) and
/// inside the new mount namespace (a clone made in the engine's namespace cannot be attached).
pub fn open_tree_clone(path: &CStr) -> SysResult<c_int> {
    // SAFETY: valid NUL-terminated path; the kernel returns a new fd or -1.
    let r = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            path.as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | AT_RECURSIVE,
        )
    };
    check(r).map(|fd| fd as c_int)
}

/// Clones the tree at `name` under the directory `dirfd` into a detached mount.
pub fn open_tree_clone_at(dirfd: c_int, name: &CStr) -> SysResult<c_int> {
    // SAFETY: a valid descriptor and NUL-terminated name.
    let r = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            dirfd,
            name.as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | AT_RECURSIVE,
        )
    };
    check(r).map(|fd| fd as c_int)
}

const FSOPEN_CLOEXEC: libc::c_uint = 1;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;

/// A new tmpfs with `options` (`size`, `nr_inodes`, `mode`, ...), as a detached mount with
/// the mount attributes `attrs`: it has no path anywhere until it is attached.
pub fn new_tmpfs(options: &[(std::ffi::CString, std::ffi::CString)], attrs: u64) -> SysResult<c_int> {
    // SAFETY: fsopen with a valid name.
    let fs = check(unsafe { libc::syscall(libc::SYS_fsopen, c"tmpfs".as_ptr(), FSOPEN_CLOEXEC) })? as c_int;
    let result = (|| {
        for (key, value) in options {
            // SAFETY: valid descriptor and NUL-terminated strings.
            check(unsafe {
                libc::syscall(libc::SYS_fsconfig, fs, FSCONFIG_SET_STRING, key.as_ptr(), value.as_ptr(), 0)
            })?;
        }
        // SAFETY: as above, no strings.
        check(unsafe {
            libc::syscall(
                libc::SYS_fsconfig,
                fs,
                FSCONFIG_CMD_CREATE,
                std::ptr::null::<libc::c_char>(),
                std::ptr::null::<libc::c_void>(),
                0,
            )
        })?;
        // SAFETY: fsmount of a created context.
        check(unsafe { libc::syscall(libc::SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs) }).map(|fd| fd as c_int)
    })();
    // SAFETY: closing the context; the mount (if any) lives on through its own fd.
    unsafe { libc::close(fs) };
    result
}

/// `mkdirat`; an existing directory is fine.
pub fn mkdir_at(dirfd: c_int, name: &CStr, mode: libc::mode_t) -> SysResult<()> {
    // SAFETY: valid descriptor and NUL-terminated name.
    if unsafe { libc::mkdirat(dirfd, name.as_ptr(), mode) } < 0 && errno() != libc::EEXIST {
        return Err(errno());
    }
    Ok(())
}

/// Adds mount flags to the (detached or attached) mount `fd` refers to, recursively.
///
/// `mount_setattr` only *adds* the flags in `set`; the flags the host put on the source (nodev,
/// noexec, ...) stay as they are. The classic `MS_REMOUNT|MS_BIND` must restate them all and
/// fails with EPERM in a user namespace if one is missing.
pub fn set_mount_attrs(dirfd: c_int, path: &CStr, set: u64, recursive: bool) -> SysResult<()> {
    let attr = MountAttr { attr_set: set, attr_clr: 0, propagation: 0, userns_fd: 0 };
    let mut flags = libc::AT_EMPTY_PATH as libc::c_uint;
    if recursive {
        flags |= AT_RECURSIVE;
    }
    // SAFETY: `attr` is a valid mount_attr of the size we pass.
    let r = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            dirfd,
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    check(r).map(|_| ())
}

/// Attaches the detached mount `fd` at `target` (relative to the current directory).
pub fn move_mount(fd: c_int, target: &CStr) -> SysResult<()> {
    // SAFETY: valid fd and paths.
    let r = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            fd,
            c"".as_ptr(),
            libc::AT_FDCWD,
            target.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    check(r).map(|_| ())
}

/// Classic mount(2) with optional source/fstype/data.
pub fn mount(
    src: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> SysResult<()> {
    let p = |s: Option<&CStr>| s.map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: all pointers are NUL-terminated strings or null.
    let r = unsafe { libc::mount(p(src), target.as_ptr(), p(fstype), flags, p(data).cast()) };
    check(r as libc::c_long).map(|_| ())
}

/// Closes every descriptor except those in `keep`, which must be sorted ascending.
pub fn close_all_except(keep: &[c_int]) {
    let mut next: libc::c_uint = 0;
    for &fd in keep {
        let fd = fd as libc::c_uint;
        if fd > next {
            close_range(next, fd - 1);
        }
        next = fd + 1;
    }
    close_range(next, libc::c_uint::MAX);
}

fn close_range(first: libc::c_uint, last: libc::c_uint) {
    // SAFETY: closing descriptors; the caller keeps what it needs.
    unsafe { libc::syscall(libc::SYS_close_range, first, last, 0) };
}

/// Writes all of `buf` (pipes of this module only carry short messages).
pub fn write_all(fd: c_int, mut buf: &[u8]) -> SysResult<()> {
    while !buf.is_empty() {
        // SAFETY: valid buffer.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

/// Reads one byte; `Ok(None)` at end of file.
pub fn read_byte(fd: c_int) -> SysResult<Option<u8>> {
    let mut b = 0u8;
    loop {
        // SAFETY: one-byte buffer.
        let n = unsafe { libc::read(fd, (&mut b as *mut u8).cast(), 1) };
        match n {
            1 => return Ok(Some(b)),
            0 => return Ok(None),
            _ if errno() == libc::EINTR => continue,
            _ => return Err(errno()),
        }
    }
}

/// Whether the process behind `pidfd` has exited (a pidfd polls readable then).
pub fn pidfd_exited(pidfd: c_int) -> bool {
    let mut p = libc::pollfd { fd: pidfd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd, zero timeout.
    let r = unsafe { libc::poll(&mut p, 1, 0) };
    r != 0
}

/// Arms "SIGKILL me when my parent thread dies", then closes the race where the parent died
/// before the call: `getppid()` is useless for a pid-namespace init (it reads 0), so we poll a
/// pidfd of the parent instead.
pub fn die_with_parent(parent_pidfd: c_int) -> SysResult<()> {
    // SAFETY: prctl with integer arguments.
    if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) } < 0 {
        return Err(errno());
    }
    if parent_pidfd >= 0 && pidfd_exited(parent_pidfd) {
        return Err(libc::ESRCH);
    }
    Ok(())
}

/// Keeps other processes of the same uid (the sandbox's own, when the engine is not root) from
/// reading or tracing this one through `/proc` (its descriptors, its memory). The fork that
/// becomes the program is made dumpable again by its exec.
pub fn not_dumpable() {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
}

/// Drops every capability of the calling thread (effective, permitted, inheritable).
pub fn drop_capabilities() -> SysResult<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: c_int,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let header = Header { version: 0x2008_0522, pid: 0 }; // _LINUX_CAPABILITY_VERSION_3
    let data = [Data { effective: 0, permitted: 0, inheritable: 0 }; 2];
    // SAFETY: capset with a valid header and two data words, as version 3 wants.
    check(unsafe { libc::syscall(libc::SYS_capset, &header as *const Header, data.as_ptr()) }).map(|_| ())
}

/// Formats `n` in decimal into `buf`, returning the used tail.
pub fn fmt_u64(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// Sends `sig` through a pidfd (never hits a recycled pid).
pub fn pidfd_send_signal(pidfd: c_int, sig: c_int) -> SysResult<()> {
    // SAFETY: plain syscall with a null siginfo.
    let r = unsafe {
        libc::syscall(libc::SYS_pidfd_send_signal, pidfd, sig, std::ptr::null::<libc::siginfo_t>(), 0)
    };
    check(r).map(|_| ())
}

/// Room for one descriptor in a control message, aligned as `cmsghdr` needs (one int takes
/// CMSG_SPACE(4) = 24 bytes).
type FdSpace = [u64; 4];

/// A message of one data byte (a descriptor cannot travel alone on a stream socket) with room
/// for one descriptor.
///
/// # Safety
/// The pointers in the result point into `byte`, `iov` and `space`, which must outlive it.
unsafe fn fd_message(byte: &mut [u8; 1], iov: &mut libc::iovec, space: &mut FdSpace) -> libc::msghdr {
    *iov = libc::iovec { iov_base: byte.as_mut_ptr().cast(), iov_len: 1 };
    // SAFETY: a zeroed msghdr is a valid empty one.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = space.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of::<FdSpace>();
    msg
}

/// Sends the descriptor `fd` over the unix socket `sock`.
pub fn send_fd(sock: c_int, fd: c_int) -> SysResult<()> {
    let (mut byte, mut space) = ([b'f'], FdSpace::default());
    let mut iov = libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 };
    // SAFETY: the message points into our stack buffers, which outlive it; CMSG_* stay within
    // `space`.
    unsafe {
        let mut msg = fd_message(&mut byte, &mut iov, &mut space);
        msg.msg_controllen = libc::CMSG_SPACE(std::mem::size_of::<c_int>() as u32) as usize;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<c_int>() as u32) as usize;
        std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<c_int>(), fd);
        loop {
            if libc::sendmsg(sock, &msg, libc::MSG_NOSIGNAL) >= 0 {
                return Ok(());
            }
            if errno() != libc::EINTR {
                return Err(errno());
            }
        }
    }
}

/// Takes a descriptor sent with [`send_fd`] (close-on-exec), without waiting; `EBADMSG` if
/// what arrived carries none.
pub fn recv_fd(sock: c_int) -> SysResult<c_int> {
    let (mut byte, mut space) = ([0u8], FdSpace::default());
    let mut iov = libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 };
    // SAFETY: as in `send_fd`; the kernel fills at most msg_controllen bytes of `space`.
    unsafe {
        let mut msg = fd_message(&mut byte, &mut iov, &mut space);
        let n = libc::recvmsg(sock, &mut msg, libc::MSG_DONTWAIT | libc::MSG_CMSG_CLOEXEC);
        if n < 0 {
            return Err(errno());
        }
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        if n != 1
            || cmsg.is_null()
            || (*cmsg).cmsg_level != libc::SOL_SOCKET
            || (*cmsg).cmsg_type != libc::SCM_RIGHTS
        {
            return Err(libc::EBADMSG);
        }
        Ok(std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<c_int>()))
    }
}
