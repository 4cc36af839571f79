//! Nothing of an engine outlives it: its sandbox directories live under one per-engine
//! folder that a tiny watchdog removes when the engine's process ends (however it ends), and
//! folders of engines that died before this fix are swept at start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The per-engine folder, made fresh under `state_dir`: `<state_dir>/<pid>-<random>`.
pub fn engine_root(state_dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(state_dir)?;
    sweep(state_dir);
    let name = format!("{}-{}", std::process::id(), &crate::ids::secret()[..8]);
    let root = state_dir.join(name);
    std::fs::create_dir(&root)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o711))?;
    start_watchdog(&root);
    Ok(root)
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
