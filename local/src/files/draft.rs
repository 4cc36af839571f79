//! Writing a whole file the way readers should see it: complete or not at all.

use super::ops::{check, mkdir_p, open, open_at_mode, parent, stat_at};
use super::path::SandboxPath;
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

/// Prefix of the files a write fills before it renames them into place.
pub const DRAFT_PREFIX: &str = ".hopx-draft-";

/// A file being written whole. A new file is created in place (its watchers see it
/// created); an existing one is replaced through a draft next to it, renamed over it at the
/// end, so readers see the old content or the new, never half of it. A target that is a
/// symlink is written through instead (as `open(..., "w")` would).
pub struct Draft {
    pub file: File,
    dir: OwnedFd,
    name: CString,
    pending: Pending,
}

/// What is left to do when the content is complete (or abandoned).
enum Pending {
    /// Rename this draft over the target (or remove it).
    Replace(CString),
    /// The target was created by us: nothing (or remove it).
    Fresh,
    /// Written through a link, or already done: nothing either way.
    Nothing,
}

impl Draft {
    /// Starts writing `path` (its folders are created) with permission bits `mode`.
    pub fn create(root: &OwnedFd, path: &SandboxPath, mode: u32) -> io::Result<Draft> {
        if let Some((folder, _)) = path.split() {
            mkdir_p(root, &folder)?;
        }
        let (dir, name) = parent(root, path)?;
        let exclusive = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW;
        let (fd, pending) = match stat_at(&dir, &name, false) {
            Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFLNK => {
                let fd = open(root, &path.resolve, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC, mode)?;
                return Ok(Draft { file: File::from(fd), dir, name, pending: Pending::Nothing });
            }
            Ok(st) if st.st_mode & libc::S_IFMT == libc::S_IFDIR => {
                return Err(io::Error::from_raw_os_error(libc::EISDIR));
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                match open_at_mode(&dir, &name, exclusive, mode) {
                    Ok(fd) => (fd, Pending::Fresh),
                    // Made meanwhile: replace it like any existing file.
                    Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Draft::new_draft(&dir, mode)?,
                    Err(e) => return Err(e),
                }
            }
            Ok(_) => Draft::new_draft(&dir, mode)?,
            Err(e) => return Err(e),
        };
        let file = File::from(fd);
        // The umask may have taken bits off; set exactly what was asked, on the descriptor.
        // SAFETY: fchmod on our descriptor.
        check(unsafe { libc::fchmod(file.as_raw_fd(), mode) })?;
        Ok(Draft { file, dir, name, pending })
    }

    fn new_draft(dir: &OwnedFd, mode: u32) -> io::Result<(OwnedFd, Pending)> {
        let draft = CString::new(format!("{DRAFT_PREFIX}{:016x}", rand::random::<u64>()))?;
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW;
        Ok((open_at_mode(dir, &draft, flags, mode)?, Pending::Replace(draft)))
    }

    /// Puts the content in place (or removes what was written if that fails).
    pub fn commit(mut self) -> io::Result<()> {
        let Pending::Replace(draft) = std::mem::replace(&mut self.pending, Pending::Nothing) else {
            return Ok(());
        };
        let (d, n) = (self.dir.as_raw_fd(), self.name.as_ptr());
        // SAFETY: renameat within one folder descriptor, with valid names.
        let renamed = check(unsafe { libc::renameat(d, draft.as_ptr(), d, n) });
        if renamed.is_err() {
            self.pending = Pending::Replace(draft);
            self.abandon();
        }
        renamed
    }

    /// Removes what an unfinished write made (a replaced target is untouched).
    pub fn abandon(self) {
        let name = match &self.pending {
            Pending::Replace(draft) => draft,
            Pending::Fresh => &self.name,
            Pending::Nothing => return,
        };
        // SAFETY: unlinkat with a valid descriptor and name.
        unsafe { libc::unlinkat(self.dir.as_raw_fd(), name.as_ptr(), 0) };
    }
}
