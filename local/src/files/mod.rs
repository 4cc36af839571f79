//! What the engine does to a sandbox's files for the agent's `/files/*` calls.
//!
//! The rule (`shared/DESIGN.md`, "Acting for a sandbox"): a file call acts exactly as code in
//! that sandbox would. Two things make it so:
//! - **its view**: every path is resolved by the kernel beneath the sandbox's own root (a
//!   descriptor its holder sent when the sandbox was made), through the sandbox's mounts, so
//!   `/workspace` and `/tmp` are its private disk, system folders are its read-only ones, a
//!   host path it cannot see does not exist, and no symlink or `..` leads anywhere else
//!   (`ops.rs`);
//! - **its rights**: the work runs on threads whose file-system ids are the sandbox user's
//!   host ids, without groups or file capabilities (`worker.rs`), so the kernel refuses what
//!   it would refuse that user (`/etc/shadow`, read-only folders) and what is created belongs
//!   to that user.

mod draft;
mod ops;
mod path;
mod watch;
mod worker;

pub use ops::Entry;
pub use path::SandboxPath;

use crate::spawn::{FsView, Isolator, SandboxSpec};
use draft::Draft;
use std::io::{self, Write};
use std::sync::Arc;

/// Largest file `read` returns as JSON text (bigger files go through download, which streams).
pub const READ_LIMIT: u64 = 32 << 20;

/// The files of one sandbox, for one call.
#[derive(Clone)]
pub struct SandboxFiles {
    view: FsView,
    /// The sandbox's largest file, if limited.
    file_size: Option<u64>,
}

impl SandboxFiles {
    /// The files of `sandbox` (an error once it is gone).
    pub fn of(isolator: &Arc<dyn Isolator>, sandbox: &SandboxSpec) -> io::Result<SandboxFiles> {
        Ok(SandboxFiles { view: isolator.files(sandbox)?, file_size: sandbox.limits.file_size_bytes })
    }

    /// Checks and cleans a path the caller gave.
    pub fn path(&self, path: &str) -> io::Result<SandboxPath> {
        SandboxPath::new(&self.view, path)
    }

    /// A text file's content (at most [`READ_LIMIT`] bytes).
    pub async fn read(&self, path: &SandboxPath) -> io::Result<Vec<u8>> {
        self.run(path, |root, p| ops::read_text(root, p, READ_LIMIT)).await
    }

    /// A folder's entries.
    pub async fn list(&self, path: &SandboxPath) -> io::Result<Vec<Entry>> {
        self.run(path, ops::list).await
    }

    pub async fn exists(&self, path: &SandboxPath) -> io::Result<bool> {
        self.run(path, ops::exists).await
    }

    /// Removes a file or a whole folder.
    pub async fn remove(&self, path: &SandboxPath) -> io::Result<()> {
        self.run(path, ops::remove).await
    }

    /// Creates a folder and its parents.
    pub async fn mkdir(&self, path: &SandboxPath) -> io::Result<()> {
        self.run(path, ops::mkdir_p).await
    }

    /// Writes `content` to `path` whole, replacing what was there.
    pub async fn write(&self, path: &SandboxPath, content: Vec<u8>, mode: u32) -> io::Result<()> {
        self.check_size(content.len() as u64)?;
        self.run(path, move |root, p| {
            let mut draft = Draft::create(root, p, mode)?;
            match draft.file.write_all(&content) {
                Ok(()) => draft.commit(),
                Err(e) => {
                    draft.abandon();
                    Err(e)
                }
            }
        })
        .await
    }

    /// Moves `from` to `to` (whose folders are created), replacing a file there.
    pub async fn rename(&self, from: &SandboxPath, to: &SandboxPath) -> io::Result<()> {
        let to = to.clone();
        self.run(from, move |root, from| ops::rename(root, from, &to)).await
    }

    /// Starts a streamed write of `path`.
    pub async fn create(&self, path: &SandboxPath, mode: u32) -> io::Result<Upload> {
        let draft = self.run(path, move |root, p| Draft::create(root, p, mode)).await?;
        Ok(Upload { draft: Some(draft), user: self.view.user, written: 0, limit: self.file_size })
    }

    /// Opens a regular file for a streamed read; returns it and its size.
    pub async fn open(&self, path: &SandboxPath) -> io::Result<(std::fs::File, u64)> {
        self.run(path, ops::open_file).await
    }

    fn check_size(&self, size: u64) -> io::Result<()> {
        match self.file_size {
            Some(limit) if size > limit => Err(ops::too_large(limit)),
            _ => Ok(()),
        }
    }

    /// Runs `op` on `path` as the sandbox user.
    async fn run<T: Send + 'static>(
        &self,
        path: &SandboxPath,
        op: impl FnOnce(&std::os::fd::OwnedFd, &SandboxPath) -> io::Result<T> + Send + 'static,
    ) -> io::Result<T> {
        let (root, path) = (self.view.root.clone(), path.clone());
        worker::run_as(self.view.user, move || op(&root, &path)).await
    }
}

/// A file being uploaded: its bytes go to a draft that takes the target's place on
/// [`Upload::commit`]; dropped before that, the draft is removed and the target untouched.
pub struct Upload {
    draft: Option<Draft>,
    user: Option<(u32, u32)>,
    written: u64,
    limit: Option<u64>,
}

impl Upload {
    /// Appends a piece (a write to an open descriptor: no path is resolved again).
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.written += chunk.len() as u64;
        if let Some(limit) = self.limit.filter(|l| self.written > *l) {
            return Err(ops::too_large(limit));
        }
        match self.draft.as_mut() {
            Some(d) => d.file.write_all(chunk),
            None => Err(io::Error::other("the upload is over")),
        }
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Puts the file in place.
    pub async fn commit(mut self) -> io::Result<()> {
        let draft = self.draft.take().ok_or_else(|| io::Error::other("the upload is over"))?;
        worker::run_as(self.user, move || draft.commit()).await
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(draft) = self.draft.take() {
            let user = self.user;
            // Removed as the sandbox user, like everything else done there.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(worker::run_as(user, move || {
                    draft.abandon();
                    Ok(())
                }));
            }
        }
    }
}
