//! Pausing a sandbox: every process of it stops where it is, uses no CPU, and goes on at
//! resume with its memory, files and sockets as they were (the kernel's state, background
//! runs, a half-written file).
//!
//! The cgroup freezer does it atomically and invisibly (`cgroup.rs`). Where the engine has no
//! cgroups (it does not run as root), every process of the sandbox is sent SIGSTOP, then
//! SIGCONT: the sandbox's processes are those in its user namespace, which each of them
//! enters and none can leave. A stopped child is visible to its parent (an interactive shell
//! in the terminal reports its job as stopped), which the freezer avoids.

use super::cgroup::SandboxCgroup;
use std::io;
use std::os::unix::fs::MetadataExt;

/// Pauses (`true`) or resumes the sandbox whose holder is `holder` (a host pid).
pub fn set_paused(cgroup: Option<&SandboxCgroup>, holder: i32, paused: bool) -> io::Result<()> {
    if let Some(cg) = cgroup {
        if cg.freeze(paused)? {
            return Ok(());
        }
    }
    signal_all(holder, paused)
}

/// Stops (or continues) every process in the user namespace of `holder`, until none of them
/// runs: a process may fork between the scan and its signal, so scan again until a pass finds
/// nothing left to stop.
fn signal_all(holder: i32, stop: bool) -> io::Result<()> {
    let ns = std::fs::metadata(format!("/proc/{holder}/ns/user"))?;
    let signal = if stop { libc::SIGSTOP } else { libc::SIGCONT };
    for _ in 0..50 {
        let mut pending = false;
        for pid in members(ns.dev(), ns.ino()) {
            if stop && is_stopped(pid) {
                continue;
            }
            // SAFETY: kill(2) on a process of the sandbox, found just now.
            unsafe { libc::kill(pid, signal) };
            pending = stop;
        }
        if !pending {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    Err(io::Error::new(
        io::ErrorKind::TimedOut,
        "the sandbox's processes kept starting new ones while being paused",
    ))
}

/// The host pids of every process of the sandbox whose holder is `holder`, the holder first.
pub fn members_of(holder: i32) -> io::Result<Vec<i32>> {
    let ns = std::fs::metadata(format!("/proc/{holder}/ns/user"))?;
    let mut pids = members(ns.dev(), ns.ino());
    pids.sort_by_key(|p| (*p != holder, *p));
    Ok(pids)
}

/// The host pids of the processes in the user namespace `(dev, ino)`.
fn members(dev: u64, ino: u64) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::metadata(format!("/proc/{pid}/ns/user")).is_ok_and(|m| m.dev() == dev && m.ino() == ino)
        })
        .collect()
}

/// Whether `pid` is stopped (state `T`), read from `/proc/<pid>/stat` after the command name.
fn is_stopped(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return true };
    stat.rsplit_once(") ").is_some_and(|(_, rest)| rest.starts_with('T') || rest.starts_with('t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallback on real processes: a user namespace with a process that forks another
    /// stops as a whole and goes on again; processes outside it are left alone.
    #[test]
    fn signals_stop_and_continue_the_whole_user_namespace() {
        let spawned = std::process::Command::new("unshare")
            .args(["--user", "--map-root-user", "bash", "-c", "sleep 30 & exec sleep 30"])
            .spawn();
        let Ok(mut inside) = spawned else {
            eprintln!("skipped: no unshare here");
            return;
        };
        let mut outside = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let holder = inside.id() as i32;
        // Until unshare has made the namespace and bash has started its child there.
        let mut group = Vec::new();
        for _ in 0..200 {
            if let Ok(ns) = std::fs::metadata(format!("/proc/{holder}/ns/user")) {
                group = members(ns.dev(), ns.ino());
                if group.len() == 2 && !group.contains(&(std::process::id() as i32)) {
                    break;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(group.len(), 2, "the sleep and its child: {group:?}");
        signal_all(holder, true).unwrap();
        assert!(group.iter().all(|p| is_stopped(*p)), "all stopped: {group:?}");
        assert!(!is_stopped(outside.id() as i32), "a process outside is left alone");
        signal_all(holder, false).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(group.iter().all(|p| !is_stopped(*p)), "all going again: {group:?}");
        for p in &group {
            // SAFETY: kill(2) on the test's own processes.
            unsafe { libc::kill(*p, libc::SIGKILL) };
        }
        let _ = inside.wait();
        let _ = outside.kill();
        let _ = outside.wait();
    }
}
