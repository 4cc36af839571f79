//! What `/proc` says about one process of a sandbox, for the agent's process list and metrics:
//! its pid as the sandbox sees it, name, state, memory, CPU time and command line. The engine's
//! own helpers in a sandbox (its pid 1 and the one that starts each run) are not the user's
//! processes and are left out; they are known by their executable, the helper's memfd, which
//! a process cannot fake.

use std::sync::OnceLock;

/// One process, read from `/proc/<host pid>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcInfo {
    /// The pid in the sandbox's own pid namespace (a run's processes also have one in the
    /// run's namespace below it).
    pub pid: i32,
    pub name: String,
    /// The kernel's one-letter state (`R` running, `S` sleeping, `T` stopped, `Z` zombie...).
    pub state: char,
    /// Resident memory.
    pub rss_bytes: u64,
    /// User and system CPU time used so far.
    pub cpu_seconds: f64,
    /// How long ago it started.
    pub age_seconds: f64,
    /// Its arguments joined with spaces (empty for a kernel thread or a zombie).
    pub command: String,
}

fn sysconf(name: libc::c_int, default: u64) -> u64 {
    // SAFETY: sysconf(3) with a valid name.
    let v = unsafe { libc::sysconf(name) };
    if v > 0 {
        v as u64
    } else {
        default
    }
}

fn ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| sysconf(libc::_SC_CLK_TCK, 100) as f64)
}

fn page_size() -> u64 {
    static PAGE: OnceLock<u64> = OnceLock::new();
    *PAGE.get_or_init(|| sysconf(libc::_SC_PAGESIZE, 4096))
}

/// The pid of `host_pid` as the sandbox sees it (the second entry of its `NSpid`), or the
/// host pid itself for a process without a pid namespace of its own.
pub fn sandbox_pid(host_pid: i32) -> i32 {
    let status = std::fs::read_to_string(format!("/proc/{host_pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(host_pid)
}

/// The longest command line shown (as `ps` cuts to its width; the kernel's is its source).
const COMMAND_CHARS: usize = 256;

/// Reads the process `host_pid`; `None` once it is gone, or when it is one of the engine's
/// helpers.
pub fn read(host_pid: i32) -> Option<ProcInfo> {
    let exe = std::fs::read_link(format!("/proc/{host_pid}/exe")).unwrap_or_default();
    if exe.to_string_lossy().starts_with("/memfd:hopx-sandbox") {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/{host_pid}/stat")).ok()?;
    let (head, rest) = stat.rsplit_once(") ")?;
    let name = head.split_once(" (").map_or("", |(_, n)| n).to_string();
    // Fields after the name, from `state` (field 3 of proc(5)) on.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let ticks = ticks_per_second();
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|u| u.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    // NSpid lists the pid from the host's namespace down; the sandbox's is the second.
    let pid = sandbox_pid(host_pid);
    let cmdline = std::fs::read(format!("/proc/{host_pid}/cmdline")).unwrap_or_default();
    let mut command = String::from_utf8_lossy(&cmdline).trim_end_matches('\0').replace('\0', " ");
    if let Some((cut, _)) = command.char_indices().nth(COMMAND_CHARS) {
        command.truncate(cut);
        command.push('…');
    }
    Some(ProcInfo {
        pid,
        name,
        state: f.first().and_then(|s| s.chars().next()).unwrap_or('?'),
        rss_bytes: num(21) * page_size(),
        cpu_seconds: (num(11) + num(12)) as f64 / ticks,
        age_seconds: (uptime - num(19) as f64 / ticks).max(0.0),
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_live_process_and_not_a_gone_one() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        // Until the child has exec'd (its name and arguments are its parent's before that).
        let mut info = read(child.id() as i32).expect("a live process");
        for _ in 0..100 {
            if info.command == "sleep 30" && info.state == 'S' && info.rss_bytes > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            info = read(child.id() as i32).expect("a live process");
        }
        assert_eq!(info.name, "sleep");
        assert_eq!(info.command, "sleep 30");
        assert!(info.rss_bytes > 0 && matches!(info.state, 'S' | 'R'), "{info:?}");
        assert_eq!(info.pid, child.id() as i32, "no pid namespace of its own");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(read(child.id() as i32), None);
    }
}
