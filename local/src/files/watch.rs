//! Change events of one folder (`/files/watch`), from inotify. The watch is placed by the
//! sandbox user's worker thread on a folder resolved beneath the sandbox's root, so it sees
//! what that user may read there and nothing else. Not recursive: events of the folder's own
//! entries, as the official agent documents.

use super::ops;
use super::path::SandboxPath;
use super::SandboxFiles;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use tokio::io::unix::AsyncFd;

/// One change in the watched folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The entry's path in the sandbox.
    pub path: String,
    /// `created`, `modified`, `deleted` or `renamed`.
    pub event: &'static str,
}

/// A watched folder; dropping it ends the watch.
pub struct Watch {
    fd: AsyncFd<OwnedFd>,
    folder: SandboxPath,
    pending: std::collections::VecDeque<Change>,
    /// The folder itself was removed: no event can come any more.
    gone: bool,
    /// The entry being written (IN_MODIFY seen, IN_CLOSE_WRITE not yet): said once.
    writing: Option<String>,
    /// Rename cookies of the engine's own drafts (whose landing is a modification).
    draft_moves: std::collections::HashSet<u32>,
}

const MASK: u32 = libc::IN_CREATE
    | libc::IN_CLOSE_WRITE
    | libc::IN_MODIFY
    | libc::IN_DELETE
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO
    | libc::IN_DELETE_SELF
    | libc::IN_ONLYDIR;

impl SandboxFiles {
    /// Starts watching the folder `path`.
    pub async fn watch(&self, path: &SandboxPath) -> io::Result<Watch> {
        let fd = self
            .run(path, |root, p| {
                let dir = ops::open(root, &p.resolve, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
                // SAFETY: inotify_init1 with flags; a new descriptor or -1.
                let ino = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
                if ino < 0 {
                    return Err(io::Error::last_os_error());
                }
                // SAFETY: a fresh descriptor we own.
                let ino = unsafe { OwnedFd::from_raw_fd(ino) };
                // The folder is named by our own descriptor of it (already resolved beneath
                // the root); the kernel checks the watcher's (the sandbox user's) read right.
                let by_fd = std::ffi::CString::new(format!("/proc/self/fd/{}", dir.as_raw_fd()))?;
                // SAFETY: inotify_add_watch with valid descriptors and path.
                if unsafe { libc::inotify_add_watch(ino.as_raw_fd(), by_fd.as_ptr(), MASK) } < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(ino)
            })
            .await?;
        // SAFETY: `fd` is an inotify descriptor we own and move in; nothing else closes it.
        let fd = unsafe { AsyncFd::register(fd) }.map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Watch {
            fd,
            folder: path.clone(),
            pending: Default::default(),
            gone: false,
            writing: None,
            draft_moves: Default::default(),
        })
    }
}

impl Watch {
    /// The next change; `None` once the folder itself is gone.
    pub async fn next(&mut self) -> io::Result<Option<Change>> {
        loop {
            if let Some(c) = self.pending.pop_front() {
                return Ok(Some(c));
            }
            if self.gone {
                return Ok(None);
            }
            let mut guard = self.fd.readable().await?;
            let mut buf = [0u8; 16 * 1024];
            let read = guard.try_io(|fd| {
                // SAFETY: read into our buffer.
                let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            });
            let n = match read {
                Ok(r) => r?,
                Err(_would_block) => continue,
            };
            self.gone = self.parse(&buf[..n]);
        }
    }

    /// Queues the events in `buf`; true once the folder itself was removed.
    fn parse(&mut self, buf: &[u8]) -> bool {
        let header = std::mem::size_of::<libc::inotify_event>();
        let mut at = 0;
        let mut gone = false;
        while at + header <= buf.len() {
            // SAFETY: the kernel wrote whole events; read_unaligned copes with any offset.
            let ev: libc::inotify_event = unsafe { std::ptr::read_unaligned(buf[at..].as_ptr().cast()) };
            let name_bytes = &buf[at + header..(at + header + ev.len as usize).min(buf.len())];
            let name = String::from_utf8_lossy(name_bytes.split(|&b| b == 0).next().unwrap_or_default())
                .into_owned();
            at += header + ev.len as usize;
            if ev.mask & (libc::IN_DELETE_SELF | libc::IN_IGNORED) != 0 {
                gone = true;
                continue;
            }
            if name.starts_with(super::draft::DRAFT_PREFIX) {
                // A write replacing a file: the draft is ours, its landing is what the caller sees.
                if ev.mask & libc::IN_MOVED_FROM != 0 {
                    self.draft_moves.insert(ev.cookie);
                }
                continue;
            }
            let landed = ev.mask & libc::IN_MOVED_TO != 0 && self.draft_moves.remove(&ev.cookie);
            let event = if landed {
                "modified"
            } else if ev.mask & libc::IN_CREATE != 0 {
                "created"
            } else if ev.mask & libc::IN_DELETE != 0 {
                "deleted"
            } else if ev.mask & (libc::IN_MOVED_FROM | libc::IN_MOVED_TO) != 0 {
                "renamed"
            } else {
                "modified"
            };
            if name.is_empty() {
                continue;
            }
            // One write is IN_MODIFY (perhaps many) then IN_CLOSE_WRITE, perhaps read apart:
            // it is said once, at its first event; anything else in between starts anew.
            let writing = ev.mask & (libc::IN_MODIFY | libc::IN_CLOSE_WRITE) != 0 && !landed;
            let same_write = writing && self.writing.as_deref() == Some(name.as_str());
            self.writing = match writing && ev.mask & libc::IN_CLOSE_WRITE == 0 {
                true => Some(name.clone()),
                false => None,
            };
            if same_write {
                continue;
            }
            let change = Change { path: self.folder.child(&name), event };
            self.pending.push_back(change);
        }
        gone
    }
}
