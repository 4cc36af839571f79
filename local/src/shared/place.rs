//! Where a user's shared engines are found: a private folder holding, per engine, a record
//! (address, secret key, pid), a lock taken while one starts or stops, and its log.
//!
//! The folder is `$HOPX_LOCAL_SHARED_DIR`, else `$XDG_RUNTIME_DIR/hopx` (a per-user tmpfs that
//! the session manager empties at logout), else `$XDG_STATE_HOME/hopx` or
//! `~/.local/state/hopx`. It must belong to this user and be closed to everyone else (0700),
//! and the records are 0600: the key in them is all it takes to drive the engine.

use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

/// What a running shared engine publishes about itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    /// The engine's package version.
    pub version: String,
    /// The identity it was started for (see `shared::identity`).
    pub id: String,
    pub pid: i32,
    pub base_url: String,
    pub api_key: String,
}

/// The user's folder of shared engines.
#[derive(Debug, Clone)]
pub struct Place {
    pub dir: PathBuf,
}

impl Place {
    /// The folder from the environment, made if missing and checked.
    pub fn find() -> io::Result<Place> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = var("HOPX_LOCAL_SHARED_DIR")
            .or_else(|| var("XDG_RUNTIME_DIR").filter(|d| d.is_dir()).map(|d| d.join("hopx")))
            .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("hopx")))
            .or_else(|| var("HOME").map(|h| h.join(".local/state/hopx")))
            .ok_or_else(|| io::Error::other("no folder for the shared engine: HOME is not set"))?;
        Place::at(dir)
    }

    /// `dir`, made 0700 if missing; refused unless this user owns it and nobody else may enter.
    pub fn at(dir: PathBuf) -> io::Result<Place> {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent)?;
        }
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
        let meta = fs::symlink_metadata(&dir)?;
        // SAFETY: trivial getter.
        let me = unsafe { libc::geteuid() };
        if !meta.is_dir() || meta.uid() != me || meta.permissions().mode() & 0o077 != 0 {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "{} must be a folder of user {me} that only its owner may use (mode 0700)",
                    dir.display()
                ),
            ));
        }
        Ok(Place { dir })
    }

    fn path(&self, id: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("engine-{id}.{ext}"))
    }

    /// The record of engine `id`, if one was written and reads whole.
    pub fn read(&self, id: &str) -> Option<Record> {
        let text = fs::read(self.path(id, "json")).ok()?;
        serde_json::from_slice::<Record>(&text).ok().filter(|r| r.id == id)
    }

    /// Publishes `record` at once and whole (written aside, then renamed over).
    pub fn write(&self, record: &Record) -> io::Result<()> {
        let tmp = self.path(&record.id, &format!("json.{}", record.pid));
        let mut file = OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        file.write_all(&serde_json::to_vec(record).expect("a record is JSON"))?;
        fs::rename(&tmp, self.path(&record.id, "json"))
    }

    /// Removes the record of `id` if it is still the one of process `pid`.
    pub fn remove_if_mine(&self, id: &str, pid: i32) {
        if self.read(id).is_some_and(|r| r.pid == pid) {
            let _ = fs::remove_file(self.path(id, "json"));
        }
    }

    /// The log file of engine `id` (its stderr), emptied.
    pub fn log(&self, id: &str) -> io::Result<File> {
        OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(self.path(id, "log"))
    }

    /// The last lines of engine `id`'s log, to explain a failed start.
    pub fn log_tail(&self, id: &str) -> String {
        let text = fs::read_to_string(self.path(id, "log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(10)..].join("\n")
    }

    /// Takes the lock of engine `id`, waiting for it (`wait`) or not; `None` if held elsewhere.
    pub fn lock(&self, id: &str, wait: bool) -> io::Result<Option<Lock>> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(self.path(id, "lock"))?;
        let op = if wait { libc::LOCK_EX } else { libc::LOCK_EX | libc::LOCK_NB };
        loop {
            // SAFETY: flock on a descriptor we own; released when the file closes.
            if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
                return Ok(Some(Lock { _file: file }));
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EWOULDBLOCK) if !wait => return Ok(None),
                _ => return Err(e),
            }
        }
    }
}

/// A held engine lock; dropping it releases the lock.
pub struct Lock {
    _file: File,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hopx-place-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_new_folder_is_private_and_an_open_one_is_refused() {
        let dir = scratch("new");
        let place = Place::at(dir.join("hopx")).unwrap();
        assert_eq!(fs::metadata(&place.dir).unwrap().permissions().mode() & 0o777, 0o700);
        fs::set_permissions(&place.dir, fs::Permissions::from_mode(0o755)).unwrap();
        let e = Place::at(place.dir.clone()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied, "{e}");
        // A link to a private folder is refused too: the folder itself must be checked.
        fs::set_permissions(&place.dir, fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(&place.dir, dir.join("link")).unwrap();
        assert!(Place::at(dir.join("link")).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_are_whole_private_and_removed_only_by_their_engine() {
        let dir = scratch("records");
        let place = Place::at(dir.clone()).unwrap();
        let record = Record {
            version: "1".into(),
            id: "abc".into(),
            pid: 42,
            base_url: "http://127.0.0.1:1".into(),
            api_key: "k".into(),
        };
        place.write(&record).unwrap();
        assert_eq!(place.read("abc"), Some(record.clone()));
        assert_eq!(fs::metadata(dir.join("engine-abc.json")).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(place.read("other"), None);
        place.remove_if_mine("abc", 43);
        assert!(place.read("abc").is_some());
        place.remove_if_mine("abc", 42);
        assert!(place.read("abc").is_none());
        // The lock: one holder at a time.
        let held = place.lock("abc", false).unwrap().expect("free");
        assert!(place.lock("abc", false).unwrap().is_none());
        drop(held);
        assert!(place.lock("abc", false).unwrap().is_some());
        fs::remove_dir_all(&dir).unwrap();
    }
}
