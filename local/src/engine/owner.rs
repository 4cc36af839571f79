//! Sandboxes that die with the client process that made them.
//!
//! A shared engine (`crate::shared`) outlives its clients, but a sandbox made by a script must
//! still end when the script ends, crash included, as it did when the engine lived inside the
//! script. The client names itself on create with `X-Hopx-Owner: <pid>:<start time>` (the start
//! time, field 22 of `/proc/<pid>/stat`, tells a recycled pid from the real owner); the engine
//! holds a pidfd of that process and kills the sandbox when it exits. A connection is not
//! watched: it can drop while the process lives on, and a process may hold none.

use super::Engine;
use std::sync::Arc;
use std::time::Duration;

/// The header a client of a shared engine sends on create.
pub const OWNER_HEADER: &str = "x-hopx-owner";

/// A client process, named so that a recycled pid does not pass for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub pid: i32,
    pub start_time: u64,
}

impl Owner {
    /// This process.
    pub fn me() -> Option<Owner> {
        Owner::of(std::process::id() as i32)
    }

    /// Process `pid` as it is now, if it runs.
    pub fn of(pid: i32) -> Option<Owner> {
        Some(Owner { pid, start_time: start_time(pid)? })
    }

    /// `<pid>:<start time>`, the header's value.
    pub fn header_value(&self) -> String {
        format!("{}:{}", self.pid, self.start_time)
    }

    pub fn parse(value: &str) -> Option<Owner> {
        let (pid, start) = value.split_once(':')?;
        let pid = pid.parse().ok().filter(|p: &i32| *p > 0)?;
        Some(Owner { pid, start_time: start.parse().ok()? })
    }

    /// Whether the process still runs (and is the same process).
    pub fn alive(&self) -> bool {
        start_time(self.pid) == Some(self.start_time)
    }
}

/// Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks since boot;
/// `None` if there is no such process or it has exited (a zombie not yet collected).
fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces or ')': skip past the last.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

/// Kills `sandbox` when `owner` exits; stops watching when the sandbox is killed first.
pub(crate) fn watch(engine: Engine, sandbox: Arc<super::sandbox::Sandbox>, owner: Owner) {
    let mut killed = sandbox.kill_signal();
    tokio::spawn(async move {
        let exited = async {
            // Opened first, checked second: while the pidfd is held, the pid cannot be recycled.
            match crate::spawn::pidfd::watch(owner.pid) {
                Ok(fd) if owner.alive() => drop(fd.readable().await),
                // No pidfd (a kernel before 5.3): look every second.
                Err(_) if owner.alive() => {
                    while owner.alive() {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                _ => {}
            }
        };
        let killed_first = async {
            let _ = killed.wait_for(|k| *k).await;
        };
        tokio::select! {
            _ = exited => {
                tracing::info!("sandbox {} ends with its owner, process {}", sandbox.id, owner.pid);
                let _ = engine.kill(&sandbox.id).await;
            }
            _ = killed_first => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_wrong_start_time_is_not() {
        let me = Owner::me().unwrap();
        assert!(me.alive());
        assert_eq!(Owner::parse(&me.header_value()), Some(me));
        assert!(!Owner { start_time: me.start_time + 1, ..me }.alive());
        assert_eq!(Owner::parse("0:5"), None);
        // An exited child not yet collected is not alive.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        let started = std::time::Instant::now();
        while Owner::of(pid).is_some() && started.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(Owner::of(pid), None, "a zombie passed for a live process");
        child.wait().unwrap();
        assert_eq!(Owner::parse("12"), None);
    }
}
