//! The file operations themselves, as blocking calls on the sandbox's root. Every path is
//! resolved by the kernel beneath that root (`openat2` with `RESOLVE_IN_ROOT`): a symlink,
//! absolute or full of `..`, resolves as it would for the sandbox's own processes, and never
//! to anything outside the sandbox's view; `/proc` magic links are refused. The last
//! component of a path that is changed (removed, replaced, created) is handled through its
//! folder's descriptor without following it. Run on a worker thread acting as the sandbox
//! user (`worker.rs`), so the kernel also checks the sandbox user's rights.

use super::path::SandboxPath;
use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, SystemTime};

/// Deepest folder tree a remove goes into.
const MAX_DEPTH: usize = 256;

/// Opens `path` beneath `root`, following links only within it.
pub fn open(root: &OwnedFd, path: &CStr, flags: i32, mode: u32) -> io::Result<OwnedFd> {
    /// The kernel's `struct open_how` (libc's cannot be built outside libc).
    #[repr(C)]
    struct OpenHow {
        flags: u64,
        mode: u64,
        resolve: u64,
    }
    let how = OpenHow {
        flags: (flags | libc::O_CLOEXEC) as u64,
        mode: if flags & libc::O_CREAT != 0 { mode as u64 } else { 0 },
        resolve: libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS,
    };
    loop {
        // SAFETY: openat2 with a valid descriptor, a NUL-terminated path and a full open_how.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                root.as_raw_fd(),
                path.as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if fd >= 0 {
            // SAFETY: a fresh descriptor we own.
            return Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) });
        }
        let e = io::Error::last_os_error();
        // EAGAIN: a rename raced the resolution; trying again is what the kernel asks.
        if !matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EINTR)) {
            return Err(e);
        }
    }
}

/// The folder holding `path`, and the name in it. `/` itself has no folder.
pub fn parent(root: &OwnedFd, path: &SandboxPath) -> io::Result<(OwnedFd, CString)> {
    let (folder, name) =
        path.split().ok_or_else(|| super::path::invalid("the root folder cannot be changed"))?;
    Ok((open(root, &folder.resolve, libc::O_PATH | libc::O_DIRECTORY, 0)?, name))
}

/// What `lstat` says of `name` in `dir`.
pub fn stat_at(dir: &OwnedFd, name: &CStr, follow: bool) -> io::Result<libc::stat> {
    // SAFETY: fstatat into a zeroed struct, with a valid descriptor and name.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
        let flags = if name.is_empty() { flags | libc::AT_EMPTY_PATH } else { flags };
        check(libc::fstatat(dir.as_raw_fd(), name.as_ptr(), &mut st, flags))?;
        Ok(st)
    }
}

/// Opens a regular file for reading; a folder is refused. Returns the file and its size.
pub fn open_file(root: &OwnedFd, path: &SandboxPath) -> io::Result<(File, u64)> {
    let fd = open(root, &path.resolve, libc::O_RDONLY | libc::O_NOCTTY | libc::O_NONBLOCK, 0)?;
    let st = stat_at(&fd, c"", false)?;
    match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => {}
        libc::S_IFDIR => return Err(io::Error::from_raw_os_error(libc::EISDIR)),
        // A FIFO or a device could block forever or never end.
        _ => return Err(super::path::invalid("not a regular file")),
    }
    // Blocking reads from here on (O_NONBLOCK only kept the open of a FIFO from hanging).
    // SAFETY: fcntl on our descriptor.
    unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, 0) };
    Ok((File::from(fd), st.st_size as u64))
}

/// A text file's content, up to `limit` bytes (more is an error).
pub fn read_text(root: &OwnedFd, path: &SandboxPath, limit: u64) -> io::Result<Vec<u8>> {
    let (file, size) = open_file(root, path)?;
    if size > limit {
        return Err(too_large(limit));
    }
    let mut out = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(out)
}

/// One folder entry, as `ls -l` would see it (links are not followed).
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    pub is_directory: bool,
    pub modified: SystemTime,
    pub permissions: String,
}

/// The entries of a folder, sorted by name.
pub fn list(root: &OwnedFd, path: &SandboxPath) -> io::Result<Vec<Entry>> {
    let dir = open(root, &path.resolve, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    let mut out = Vec::new();
    for name in names(&dir)? {
        let Ok(st) = stat_at(&dir, &name, false) else { continue };
        out.push(Entry {
            name: name.to_string_lossy().into_owned(),
            size: st.st_size as u64,
            is_directory: st.st_mode & libc::S_IFMT == libc::S_IFDIR,
            modified: SystemTime::UNIX_EPOCH
                + Duration::new(st.st_mtime.max(0) as u64, st.st_mtime_nsec as u32),
            permissions: permissions(st.st_mode),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Whether anything is at `path` for the sandbox user (what `os.path.exists` says there).
pub fn exists(root: &OwnedFd, path: &SandboxPath) -> io::Result<bool> {
    match open(root, &path.resolve, libc::O_PATH, 0) {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ENOENT | libc::ENOTDIR | libc::EACCES | libc::ELOOP)
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Removes a file, a link (not what it points to) or a whole folder.
pub fn remove(root: &OwnedFd, path: &SandboxPath) -> io::Result<()> {
    let (dir, name) = parent(root, path)?;
    remove_at(&dir, &name, 0)
}

fn remove_at(dir: &OwnedFd, name: &CStr, depth: usize) -> io::Result<()> {
    let st = stat_at(dir, name, false)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        // SAFETY: unlinkat with a valid descriptor and name.
        return check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) });
    }
    if depth >= MAX_DEPTH {
        return Err(io::Error::other(format!("folders nested deeper than {MAX_DEPTH} levels")));
    }
    // O_NOFOLLOW: if a link replaced the folder since the stat, this fails instead of going in.
    let sub = open_at(dir, name, libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW)?;
    for child in names(&sub)? {
        remove_at(&sub, &child, depth + 1)?;
    }
    // SAFETY: as above.
    check(unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), libc::AT_REMOVEDIR) })
}

/// Moves `from` to `to` (creating `to`'s folders); neither last component is followed.
pub fn rename(root: &OwnedFd, from: &SandboxPath, to: &SandboxPath) -> io::Result<()> {
    use super::draft::Draft;
    if let Some((folder, _)) = to.split() {
        mkdir_p(root, &folder)?;
    }
    let (from_dir, from_name) = parent(root, from)?;
    let (to_dir, to_name) = parent(root, to)?;
    // SAFETY: renameat with valid descriptors and names.
    let moved = check(unsafe {
        libc::renameat(from_dir.as_raw_fd(), from_name.as_ptr(), to_dir.as_raw_fd(), to_name.as_ptr())
    });
    if moved.as_ref().err().and_then(io::Error::raw_os_error) != Some(libc::EXDEV) {
        return moved;
    }
    // Another mount (`/tmp` and `/workspace` are two): copy, then remove the original.
    let (mut source, _) = open_file(root, from)?;
    let mode = stat_at(&from_dir, &from_name, false)?.st_mode & 0o7777;
    let mut draft = Draft::create(root, to, mode)?;
    if let Err(e) = io::copy(&mut source, &mut draft.file) {
        draft.abandon();
        return Err(e);
    }
    draft.commit()?;
    // SAFETY: unlinkat with a valid descriptor and name.
    check(unsafe { libc::unlinkat(from_dir.as_raw_fd(), from_name.as_ptr(), 0) })
}

/// Creates a folder and its missing parents (`mkdir -p`), each as the sandbox would.
pub fn mkdir_p(root: &OwnedFd, path: &SandboxPath) -> io::Result<()> {
    let bytes = path.resolve.as_bytes();
    let ends = (1..=bytes.len()).filter(|&i| i == bytes.len() || bytes[i] == b'/');
    for end in ends {
        let prefix =
            std::str::from_utf8(&bytes[..end]).map_err(|_| super::path::invalid("the path is not UTF-8"))?;
        let step = SandboxPath { shown: prefix.to_string(), resolve: CString::new(prefix)? };
        let Some(_) = step.split() else { continue };
        let (dir, name) = parent(root, &step)?;
        // SAFETY: mkdirat with a valid descriptor and name.
        let made = check(unsafe { libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), 0o755) });
        match made {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                // Something is there: fine if it is (or leads to) a folder.
                if stat_at(&dir, &name, true)?.st_mode & libc::S_IFMT != libc::S_IFDIR {
                    return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The names in a folder, without `.` and `..`.
fn names(dir: &OwnedFd) -> io::Result<Vec<CString>> {
    // fdopendir takes the descriptor it is given: hand it a duplicate.
    let dup = dir.try_clone()?;
    // SAFETY: fdopendir on a descriptor we give up; readdir/closedir on the stream it made.
    unsafe {
        let stream = libc::fdopendir(dup.as_raw_fd());
        if stream.is_null() {
            return Err(io::Error::last_os_error());
        }
        std::mem::forget(dup);
        let mut out = Vec::new();
        loop {
            *libc::__errno_location() = 0;
            let entry = libc::readdir64(stream);
            if entry.is_null() {
                let errno = *libc::__errno_location();
                libc::closedir(stream);
                if errno != 0 {
                    return Err(io::Error::from_raw_os_error(errno));
                }
                return Ok(out);
            }
            let name = CStr::from_ptr((*entry).d_name.as_ptr());
            if name != c"." && name != c".." {
                out.push(name.to_owned());
            }
        }
    }
}

fn open_at(dir: &OwnedFd, name: &CStr, flags: i32) -> io::Result<OwnedFd> {
    open_at_mode(dir, name, flags, 0)
}

/// `openat` of a single name (no slash) in `dir`.
pub fn open_at_mode(dir: &OwnedFd, name: &CStr, flags: i32, mode: u32) -> io::Result<OwnedFd> {
    // SAFETY: openat with a valid descriptor and name.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags | libc::O_CLOEXEC, mode) };
    check(fd)?;
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `-rw-r--r--`, `drwxr-xr-x`, `lrwxrwxrwx`, as `ls -l` shows them.
pub fn permissions(mode: u32) -> String {
    let kind = match mode & libc::S_IFMT {
        libc::S_IFDIR => 'd',
        libc::S_IFLNK => 'l',
        libc::S_IFCHR => 'c',
        libc::S_IFBLK => 'b',
        libc::S_IFIFO => 'p',
        libc::S_IFSOCK => 's',
        _ => '-',
    };
    let mut s = String::with_capacity(10);
    s.push(kind);
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// The sandbox's file size limit (or the read cap) was reached.
pub fn too_large(limit: u64) -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, format!("larger than the limit of {limit} bytes"))
}

pub fn check(r: i32) -> io::Result<()> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_read_like_ls() {
        assert_eq!(permissions(libc::S_IFREG | 0o644), "-rw-r--r--");
        assert_eq!(permissions(libc::S_IFDIR | 0o755), "drwxr-xr-x");
        assert_eq!(permissions(libc::S_IFLNK | 0o777), "lrwxrwxrwx");
    }
}
