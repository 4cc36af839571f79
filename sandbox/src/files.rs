//! The few files the helper makes for a sandbox: its working directory, its code file, the
//! seed files of a new sandbox. Every one is made by a process inside the sandbox (its mount
//! namespace: no host path is reachable) acting as the sandbox user, so whatever the sandbox
//! planted on the way (a symlink, a folder of its own) can only lead back into the sandbox,
//! with the sandbox user's own rights. The engine itself never touches a sandbox's files.
//!
//! Allocation-free (paths are copied into a stack buffer): this runs between fork and exec.

use crate::sys::{self, SysResult};
use std::ffi::CStr;
use std::os::raw::c_int;

/// Longest path handled (PATH_MAX).
const MAX_PATH: usize = 4096;

/// Creates `path` and any missing parents with `mode` (like `mkdir -p`).
pub fn mkdir_p(path: &CStr, mode: libc::mode_t) -> SysResult<()> {
    let bytes = path.to_bytes();
    if bytes.len() >= MAX_PATH {
        return Err(libc::ENAMETOOLONG);
    }
    let mut buf = [0u8; MAX_PATH];
    buf[..bytes.len()].copy_from_slice(bytes);
    for end in 1..=bytes.len() {
        if end == bytes.len() || bytes[end] == b'/' {
            if bytes[end - 1] == b'/' {
                continue;
            }
            buf[end] = 0;
            // SAFETY: buf[..=end] is NUL-terminated.
            let r = unsafe { libc::mkdir(buf.as_ptr().cast(), mode) };
            if r < 0 && sys::errno() != libc::EEXIST {
                return Err(sys::errno());
            }
            if end < bytes.len() {
                buf[end] = b'/';
            }
        }
    }
    Ok(())
}

/// Creates the parent folder of `path` (and its parents).
pub fn mkdir_parent(path: &CStr, mode: libc::mode_t) -> SysResult<()> {
    let bytes = path.to_bytes();
    let Some(slash) = bytes.iter().rposition(|&b| b == b'/').filter(|&i| i > 0) else {
        return Ok(());
    };
    let mut buf = [0u8; MAX_PATH];
    if slash >= MAX_PATH {
        return Err(libc::ENAMETOOLONG);
    }
    buf[..slash].copy_from_slice(&bytes[..slash]);
    // SAFETY: buf holds the parent path followed by zeros.
    mkdir_p(unsafe { CStr::from_ptr(buf.as_ptr().cast()) }, mode)
}

/// Opens a new file at `path` for writing; fails if anything (a file, a symlink) is already
/// there, so nothing planted is ever followed or overwritten.
fn create_new(path: &CStr, mode: libc::mode_t) -> SysResult<c_int> {
    // SAFETY: open with a valid path.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode as libc::c_uint,
        )
    };
    sys::check(fd as libc::c_long).map(|fd| fd as c_int)
}

/// Writes `data` to a new file at `path` (parents created).
pub fn write_new(path: &CStr, data: &[u8], mode: libc::mode_t) -> SysResult<()> {
    mkdir_parent(path, 0o755)?;
    let fd = create_new(path, mode)?;
    let result = sys::write_all(fd, data);
    // SAFETY: our own descriptor.
    unsafe { libc::close(fd) };
    result
}

/// Copies everything readable from `source` (from its start) into a new file at `path`
/// (parents created).
pub fn copy_new(path: &CStr, source: c_int, mode: libc::mode_t) -> SysResult<()> {
    mkdir_parent(path, 0o700)?;
    let fd = create_new(path, mode)?;
    let mut buf = [0u8; 16 * 1024];
    let mut offset: libc::off_t = 0;
    let result = loop {
        // SAFETY: positional read into a stack buffer (the memfd's offset is shared).
        let n = unsafe { libc::pread(source, buf.as_mut_ptr().cast(), buf.len(), offset) };
        if n < 0 {
            if sys::errno() == libc::EINTR {
                continue;
            }
            break Err(sys::errno());
        }
        if n == 0 {
            break Ok(());
        }
        if let Err(e) = sys::write_all(fd, &buf[..n as usize]) {
            break Err(e);
        }
        offset += n as libc::off_t;
    };
    // SAFETY: our own descriptor.
    unsafe { libc::close(fd) };
    result
}

/// Runs `f` with file-system accesses checked as `uid`/`gid` (the thread's fsuid), then
/// switches back. A process that is root in the sandbox thus creates and removes files
/// exactly as the sandbox user would, without giving up what it still needs afterwards.
/// Like every credential change, it clears PDEATHSIG: a caller that relies on it re-arms it.
pub fn as_fs_user<T>(uid: u32, gid: u32, f: impl FnOnce() -> T) -> T {
    // SAFETY: setfsuid/setfsgid always succeed or leave the ids unchanged; they return the
    // previous ids, restored below.
    let (old_gid, old_uid) = unsafe { (libc::setfsgid(gid), libc::setfsuid(uid)) };
    let r = f();
    // SAFETY: as above.
    unsafe {
        libc::setfsuid(old_uid as libc::uid_t);
        libc::setfsgid(old_gid as libc::gid_t);
    }
    r
}
