//! Nothing of an engine outlives it: its sandbox directories live under one per-engine
//! folder that a tiny watchdog removes when the engine's process ends (however it ends), and
//! folders of engines that died before this fix are swept at start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The per-engine folder, made fresh under `state_dir`: `<state_dir>/<pid>-<random>`.
pub fn engine_root(state_dir: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(state_dir)?;
    check_private(state_dir)?;
    sweep(state_dir);
    let name = format!("{}-{}", std::process::id(), &crate::ids::secret()[..8]);
    let root = state_dir.join(name);
    std::fs::create_dir(&root)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o711))?;
    start_watchdog(&root);
    Ok(root)
}

/// Refuses a state folder that someone else could change under us: the engine (often root)
/// creates, sweeps and deletes folders in it, and the system temp folder is shared by every
/// user of the machine, who could plant a link or a folder of their own by that name.
fn check_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(dir)?;
    // SAFETY: trivial getter.
    let me = unsafe { libc::geteuid() };
    let problem = if !meta.is_dir() {
        Some("is not a folder (a link?)")
    } else if meta.uid() != me {
        Some("belongs to another user")
    } else if meta.mode() & 0o022 != 0 {
        Some("is writable by other users")
    } else {
        None
    };
    match problem {
        Some(p) => Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "the engine's state folder {} {p}: choose another with HOPX_LOCAL_STATE_DIR",
                dir.display()
            ),
        )),
        None => Ok(()),
    }
}

/// Removes folders whose engine process is gone.
fn sweep(state_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(state_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split('-').next()).and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Starts `sh` reading a pipe whose only writer is this process: when the process ends the
/// pipe closes and the shell removes `root`. The write end is leaked on purpose.
fn start_watchdog(root: &Path) {
    let child = Command::new("/bin/sh")
        .args(["-c", "cat >/dev/null; rm -rf -- \"$0\"", &root.to_string_lossy()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    if let Ok(mut child) = child {
        if let Some(stdin) = child.stdin.take() {
            // Keep the writer open for the life of the process; never write to it.
            let mut w = stdin;
            let _ = w.flush();
            std::mem::forget(w);
        }
        // The shell is reaped by init once we are gone; do not wait for it here.
        std::mem::forget(child);
    }
}

use std::os::unix::process::CommandExt;

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn state_folder_must_be_private() {
        let base = std::env::temp_dir().join(format!("hopx-cleanup-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let open = base.join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = engine_root(&open).unwrap_err();
        assert!(err.to_string().contains("writable by other users"), "{err}");
        let link = base.join("link");
        std::os::unix::fs::symlink(&open, &link).unwrap();
        let err = engine_root(&link).unwrap_err();
        assert!(err.to_string().contains("not a folder"), "{err}");
        assert_eq!(std::fs::read_dir(&open).unwrap().count(), 0, "nothing made through the link");
        let fresh = base.join("fresh");
        let root = engine_root(&fresh).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o777, 0o700);
        assert!(root.starts_with(&fresh));
        let _ = std::fs::remove_dir_all(&base);
    }
}
