//! One cgroup per sandbox, nested under the engine's own cgroup (never at the hierarchy root:
//! the engine may itself be confined, and its sandboxes must stay inside that budget).
//!
//! Memory and pids limits, a CPU share of its own, the OOM-kill counter that tells "killed for
//! memory" apart from "killed", and a reliable way to kill everything left at release. Both
//! cgroup v1 (separate `memory`, `pids` and `cpu` hierarchies, as on this project's CI) and v2
//! (one unified tree) are handled. Each helper joins (through descriptors of `cgroup.procs`
//! the engine opened) before it forks anything, so every sandbox process is born inside.
//!
//! The sandbox's files live in memory (its private tmpfs), and the kernel charges their pages
//! to the cgroup of whoever wrote them. So the memory limit is the sandbox's memory plus its
//! disk: a full disk is `ENOSPC` for the writer, never an OOM kill of the sandbox's kernel.
//!
//! CPU: a cgroup per sandbox with the default weight, so the scheduler shares the machine
//! between sandboxes (and the engine) rather than between processes: a sandbox running 80 busy
//! processes gets the same share as one running one.
//!
//! Pause: the freezer (v1's `freezer` hierarchy, v2's `cgroup.freeze`) stops every process of
//! the sandbox at once, without a signal any of them could see, and lets them go on resume.

use crate::spawn::Limits;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROOT: &str = "/sys/fs/cgroup";
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;

/// The hierarchies the engine can create sandbox cgroups in.
#[derive(Debug, Clone)]
pub enum Cgroups {
    /// v1: the engine's `memory`, `pids`, `cpu` and `freezer` cgroup directories (any may be
    /// missing).
    V1 { memory: Option<PathBuf>, pids: Option<PathBuf>, cpu: Option<PathBuf>, freezer: Option<PathBuf> },
    /// v2: the engine's cgroup directory in the unified tree.
    V2 { base: PathBuf },
}

/// The cgroup(s) of one sandbox.
#[derive(Debug)]
pub struct SandboxCgroup {
    /// Every directory whose `cgroup.procs` a new process must join.
    dirs: Vec<PathBuf>,
    /// `cgroup.procs` of each of `dirs`, open for writing: a helper writes "0" to join.
    procs: Vec<std::os::fd::OwnedFd>,
    /// The directory holding memory accounting, if memory is limited by the cgroup.
    memory: Option<PathBuf>,
    /// The directory whose freezer pauses the sandbox, if there is one.
    freezer: Option<PathBuf>,
    v2: bool,
    pub limits_memory: bool,
    pub limits_pids: bool,
}

impl Cgroups {
    /// Finds where the engine may create cgroups, or `None` (not root, no cgroupfs).
    pub fn detect() -> Option<Cgroups> {
        // SAFETY: trivial getter.
        if unsafe { libc::geteuid() } != 0 {
            return None;
        }
        let own = fs::read_to_string("/proc/self/cgroup").ok()?;
        if is_cgroup2(Path::new(ROOT)) {
            let path = own.lines().find_map(|l| l.strip_prefix("0::"))?;
            return Some(Cgroups::V2 { base: join(Path::new(ROOT), path) });
        }
        // v1 lines read "N:ctrl1,ctrl2:/path".
        let find = |ctrl: &str| {
            own.lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
                ctrls.split(',').any(|c| c == ctrl).then(|| join(&Path::new(ROOT).join(ctrl), path))
            })
        };
        let memory = find("memory").filter(|p| p.join("cgroup.procs").exists());
        let pids = find("pids").filter(|p| p.join("cgroup.procs").exists());
        let cpu = find("cpu").filter(|p| p.join("cgroup.procs").exists());
        let freezer = find("freezer").filter(|p| p.join("cgroup.procs").exists());
        (memory.is_some() || pids.is_some()).then_some(Cgroups::V1 { memory, pids, cpu, freezer })
    }

    /// The directories sandbox cgroups are made in.
    fn bases(&self) -> Vec<&Path> {
        match self {
            Cgroups::V1 { memory, pids, cpu, freezer } => memory
                .iter()
                .chain(pids.iter())
                .chain(cpu.iter())
                .chain(freezer.iter())
                .map(PathBuf::as_path)
                .collect(),
            Cgroups::V2 { base } => vec![base.as_path()],
        }
    }

    /// Removes cgroups left by engines that died (`hopx-<pid>-...` whose pid is gone). Their
    /// processes died with the engine, so the groups are empty and `rmdir` succeeds.
    pub fn sweep_stale(&self) {
        for base in self.bases() {
            let Ok(entries) = fs::read_dir(base) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let pid =
                    name.to_str().and_then(|n| n.strip_prefix("hopx-")).and_then(|n| n.split('-').next());
                if let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) {
                    if !Path::new(&format!("/proc/{pid}")).exists() {
                        let _ = fs::remove_dir(entry.path());
                    }
                }
            }
        }
    }

    /// Creates the cgroup of sandbox `id` with `limits`, named after this engine's pid so a
    /// later engine can tell a leftover from a live one.
    pub fn create(&self, id: &str, limits: &Limits) -> io::Result<SandboxCgroup> {
        let mut cg = self.create_dirs(id, limits)?;
        for dir in &cg.dirs {
            let procs = fs::OpenOptions::new().write(true).open(dir.join("cgroup.procs"))?;
            cg.procs.push(procs.into());
        }
        Ok(cg)
    }

    fn create_dirs(&self, id: &str, limits: &Limits) -> io::Result<SandboxCgroup> {
        let name = format!("hopx-{}-{}", std::process::id(), sanitize(id));
        // Files count against memory (see the module doc).
        let memory_limit = limits.memory_bytes.map(|m| m + limits.disk_bytes.unwrap_or(0));
        match self {
            Cgroups::V1 { memory, pids, cpu, freezer } => {
                let mut cg = SandboxCgroup {
                    dirs: Vec::new(),
                    procs: Vec::new(),
                    memory: None,
                    freezer: None,
                    v2: false,
                    limits_memory: false,
                    limits_pids: false,
                };
                if let Some(base) = cpu {
                    // The default weight (cpu.shares 1024) is the point: one share per sandbox.
                    cg.dirs.push(make_dir(&base.join(&name))?);
                }
                if let Some(base) = memory {
                    let dir = make_dir(&base.join(&name))?;
                    if let Some(bytes) = memory_limit {
                        fs::write(dir.join("memory.limit_in_bytes"), bytes.to_string())?;
                        // Also cap memory+swap where swap accounting exists, so swap is no escape.
                        let _ = fs::write(dir.join("memory.memsw.limit_in_bytes"), bytes.to_string());
                        cg.limits_memory = true;
                    }
                    cg.memory = Some(dir.clone());
                    cg.dirs.push(dir);
                }
                if let Some(base) = pids {
                    let dir = make_dir(&base.join(&name))?;
                    if let Some(n) = limits.max_processes {
                        fs::write(dir.join("pids.max"), n.to_string())?;
                        cg.limits_pids = true;
                    }
                    cg.dirs.push(dir);
                }
                if let Some(base) = freezer {
                    let dir = make_dir(&base.join(&name))?;
                    cg.freezer = Some(dir.clone());
                    cg.dirs.push(dir);
                }
                Ok(cg)
            }
            Cgroups::V2 { base } => {
                // Controllers must be enabled in the parent's subtree_control. That fails with
                // EBUSY when the engine's own cgroup holds processes (the no-internal-process
                // rule) unless someone delegated a subtree to us; then we keep what is there.
                let _ = fs::write(base.join("cgroup.subtree_control"), "+memory +pids +cpu");
                let dir = make_dir(&base.join(&name))?;
                let available = fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
                let has = |c: &str| available.split_whitespace().any(|x| x == c);
                // Every v2 cgroup but the root has `cgroup.freeze` (Linux 5.2+).
                let freezer = dir.join("cgroup.freeze").exists().then(|| dir.clone());
                let mut cg = SandboxCgroup {
                    dirs: vec![dir.clone()],
                    procs: Vec::new(),
                    memory: None,
                    freezer,
                    v2: true,
                    limits_memory: false,
                    limits_pids: false,
                };
                if has("memory") {
                    if let Some(bytes) = memory_limit {
                        fs::write(dir.join("memory.max"), bytes.to_string())?;
                        let _ = fs::write(dir.join("memory.swap.max"), "0");
                        cg.limits_memory = true;
                    }
                    cg.memory = Some(dir.clone());
                }
                if !has("memory") || !has("pids") {
                    tracing::info!(
                        cgroup = %dir.display(),
                        "cgroup v2 memory/pids controllers not delegated to the engine's cgroup: those limits fall back to rlimits"
                    );
                }
                if has("pids") {
                    if let Some(n) = limits.max_processes {
                        fs::write(dir.join("pids.max"), n.to_string())?;
                        cg.limits_pids = true;
                    }
                }
                Ok(cg)
            }
        }
    }
}

impl SandboxCgroup {
    /// The raw numbers of the open `cgroup.procs` files, for a helper to inherit.
    pub fn procs_fds(&self) -> Vec<i32> {
        use std::os::fd::AsRawFd;
        self.procs.iter().map(|f| f.as_raw_fd()).collect()
    }

    /// Moves process `pid` (and its future children) into this sandbox's cgroup.
    #[cfg(test)]
    pub fn join(&self, pid: i32) -> io::Result<()> {
        for dir in &self.dirs {
            fs::write(dir.join("cgroup.procs"), pid.to_string())?;
        }
        Ok(())
    }

    /// How many processes the kernel OOM killer has killed in this sandbox so far.
    pub fn oom_kills(&self) -> u64 {
        let Some(dir) = &self.memory else { return 0 };
        // v1 keeps the counter in memory.oom_control, v2 in memory.events; both "oom_kill N".
        let file = if self.v2 { "memory.events" } else { "memory.oom_control" };
        fs::read_to_string(dir.join(file))
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok()))
            .unwrap_or(0)
    }

    /// Freezes (`true`) or thaws every process of the sandbox and waits until the kernel says
    /// it is done. `Ok(false)`: this cgroup has no freezer.
    pub fn freeze(&self, frozen: bool) -> io::Result<bool> {
        let Some(dir) = &self.freezer else { return Ok(false) };
        let (file, value, done_file, done) = match (self.v2, frozen) {
            (true, _) => ("cgroup.freeze", if frozen { "1" } else { "0" }, "cgroup.events", ""),
            (false, true) => ("freezer.state", "FROZEN", "freezer.state", "FROZEN"),
            (false, false) => ("freezer.state", "THAWED", "freezer.state", "THAWED"),
        };
        fs::write(dir.join(file), value)?;
        let want_v2 = format!("frozen {}", u8::from(frozen));
        // Freezing waits for tasks in the middle of a system call; it takes microseconds to
        // milliseconds.
        for _ in 0..2000 {
            let state = fs::read_to_string(dir.join(done_file))?;
            let reached = if self.v2 { state.lines().any(|l| l == want_v2) } else { state.trim() == done };
            if reached {
                return Ok(true);
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        Err(io::Error::new(io::ErrorKind::TimedOut, format!("the sandbox's freezer did not reach {value}")))
    }

    /// Kills whatever is still in the cgroup and removes it.
    pub fn remove(&self) {
        if let Some(dir) = &self.freezer {
            // A frozen process dies of SIGKILL only once thawed (v1): thaw after the signals
            // are pending, so no user code runs in between.
            kill_members(dir);
            let _ = self.freeze(false);
        }
        for dir in &self.dirs {
            // v2 (5.14+) kills the whole subtree atomically, even a forking one.
            if self.v2 {
                let _ = fs::write(dir.join("cgroup.kill"), "1");
            }
            for _ in 0..200 {
                kill_members(dir);
                if fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            if dir.exists() {
                tracing::warn!(cgroup = %dir.display(), "could not remove the sandbox cgroup");
            }
        }
    }
}

fn kill_members(dir: &Path) {
    let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
        // SAFETY: kill(2); pids listed by the cgroup are in our pid namespace.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

fn make_dir(dir: &Path) -> io::Result<PathBuf> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(dir.to_path_buf()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(dir.to_path_buf()),
        Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", dir.display()))),
    }
}

fn join(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

fn sanitize(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

fn is_cgroup2(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: statfs into a zeroed struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    (unsafe { libc::statfs(c.as_ptr(), &mut st) } == 0) && st.f_type as i64 == CGROUP2_SUPER_MAGIC
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v2 path (create, join, cgroup.kill, remove) on this host's controller-less unified
    /// mount; limits cannot be checked there (memory and pids are bound to v1).
    #[test]
    fn v2_join_kill_remove() {
        let unified = Path::new("/sys/fs/cgroup/unified");
        // SAFETY: trivial getter.
        if !is_cgroup2(unified) || unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: no writable cgroup v2 mount here");
            return;
        }
        let cgroups = Cgroups::V2 { base: unified.to_path_buf() };
        let id = format!("unit-{}", std::process::id());
        let cg = cgroups.create(&id, &Limits { memory_bytes: Some(1 << 30), ..Default::default() }).unwrap();
        assert!(!cg.limits_memory, "no memory controller here, so no memory limit claimed");
        let mut child = std::process::Command::new("/bin/sleep").arg("100").spawn().unwrap();
        cg.join(child.id() as i32).unwrap();
        let dir = unified.join(format!("hopx-{}-{id}", std::process::id()));
        assert!(fs::read_to_string(dir.join("cgroup.procs")).unwrap().contains(&child.id().to_string()));
        cg.remove();
        assert!(!dir.exists());
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
    }
}
