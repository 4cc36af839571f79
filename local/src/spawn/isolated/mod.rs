//! Namespace isolation: every process of a sandbox runs in fresh user, mount, pid, ipc and uts
//! namespaces (and a network namespace with only loopback unless the sandbox has network), on
//! a read-only view of the host's system directories, as an unprivileged host uid, inside the
//! sandbox's cgroup. See `shared/reference/isolation.md` for why we own this code and the
//! rules it follows. The code between spawn and the program's `exec` is the `hopx-sandbox`
//! crate, run in a helper process (`spawn/helper.rs`); its `child.rs` has the process tree.

mod cgroup;
mod probe;
mod process;

use super::helper::{self, pipe, read_status, read_until, write_byte, Pipes, SETUP_TIMEOUT};
use super::{Command, Isolator, Process, SandboxSpec};
use cgroup::{Cgroups, SandboxCgroup};
use hopx_sandbox::plan::PlanSpec;
use hopx_sandbox::uidmap::{IdMode, PROGRAM_HOST_ID};
use process::IsolatedProcess;
use std::collections::HashMap;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Runs each process in its own set of namespaces. Build it with [`NamespaceIsolator::probe`].
pub struct NamespaceIsolator {
    ids: IdMode,
    cgroups: Option<Cgroups>,
    /// The cgroup of each prepared sandbox, by id.
    sandboxes: Mutex<HashMap<String, Arc<SandboxCgroup>>>,
}

impl NamespaceIsolator {
    /// Checks, without side effects on the host, that this machine can isolate processes, and
    /// returns the isolator; the error names what is missing.
    pub fn probe() -> Result<NamespaceIsolator, String> {
        probe::check()?;
        helper::check()?;
        let cgroups = Cgroups::detect();
        if let Some(c) = &cgroups {
            c.sweep_stale();
        }
        if cgroups.is_none() {
            tracing::info!("cgroups are not writable here (not root or no cgroupfs): sandbox memory and process limits fall back to rlimits");
        }
        Ok(NamespaceIsolator { ids: IdMode::current(), cgroups, sandboxes: Mutex::new(HashMap::new()) })
    }

    fn cgroup_of(&self, id: &str) -> Option<Arc<SandboxCgroup>> {
        self.sandboxes.lock().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }
}

impl Isolator for NamespaceIsolator {
    fn name(&self) -> &'static str {
        "namespaces"
    }

    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<()> {
        for dir in [&sandbox.workspace, &sandbox.tmp] {
            std::fs::create_dir_all(dir)?;
            if self.ids == IdMode::Root {
                // The program runs as host 65534: it must own its /workspace and /tmp. The
                // engine (root) can still write code files in there.
                std::os::unix::fs::chown(dir, Some(PROGRAM_HOST_ID), Some(PROGRAM_HOST_ID))?;
            }
        }
        if let Some(cgroups) = &self.cgroups {
            match cgroups.create(&sandbox.id, &sandbox.limits) {
                Ok(cg) => {
                    self.sandboxes
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(sandbox.id.clone(), Arc::new(cg));
                }
                Err(e) => {
                    tracing::info!(sandbox = %sandbox.id, "cannot create the sandbox cgroup ({e}): limits fall back to rlimits")
                }
            }
        }
        Ok(())
    }

    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process> {
        self.spawn_split(sandbox, command)?()
    }

    fn spawn_split(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<super::FinishSpawn> {
        let cgroup = self.cgroup_of(&sandbox.id);
        let (limits_memory, limits_pids) =
            cgroup.as_ref().map_or((false, false), |c| (c.limits_memory, c.limits_pids));
        let l = &sandbox.limits;
        let mut rlimits = vec![(libc::RLIMIT_CORE, 0)];
        let optional = [
            (libc::RLIMIT_FSIZE, l.file_size_bytes),
            (libc::RLIMIT_NOFILE, l.open_files),
            // Per host uid, shared by all sandboxes: only a fallback for a missing pids cgroup.
            (libc::RLIMIT_NPROC, l.max_processes.filter(|_| !limits_pids)),
            // DATA, not AS: an address-space limit kills node at start (it reserves lots).
            (libc::RLIMIT_DATA, l.memory_bytes.filter(|_| !limits_memory)),
        ];
        rlimits.extend(optional.into_iter().filter_map(|(r, v)| v.map(|v| (r, v))));

        if !command.program.is_absolute() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("program must be an absolute path: {}", command.program.display()),
            ));
        }
        let pipes = Pipes::new(command.stdin)?;
        let (ready_r, ready_w) = pipe()?;
        let (go_r, go_w) = pipe()?;
        let bytes = |s: &std::ffi::OsStr| s.as_bytes().to_vec();
        let spec = PlanSpec {
            isolated: true,
            program: bytes(command.program.as_os_str()),
            argv: std::iter::once(command.program.as_os_str())
                .chain(command.args.iter().map(|a| a.as_os_str()))
                .map(bytes)
                .collect(),
            env: command.env.iter().map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat()).collect(),
            cwd: command.cwd.as_bytes().to_vec(),
            workspace: sandbox.workspace.clone(),
            tmp: sandbox.tmp.clone(),
            ro_paths: sandbox.ro_paths.clone(),
            network: sandbox.network,
            ids: self.ids,
            rlimits,
            fds: pipes.child_fds(&command.extra_fds, ready_w.as_raw_fd(), go_r.as_raw_fd()),
        };
        // The helper builds the same plan again; building it here first turns bad input (a NUL
        // in an argument, an unusable read-only path) into a clear error instead of an errno.
        drop(spec.build()?);
        let oom_base = cgroup.as_ref().map_or(0, |c| c.oom_kills());
        let pid = helper::spawn(&spec)?;
        // The children's ends: ours are closed so that EOF means "they are gone".
        drop((ready_w, go_r, command.extra_fds));
        let ends = pipes.into_engine_ends();

        // The hand-shake below waits on the child's namespace and mount set-up (milliseconds):
        // it runs off the spawner thread so concurrent sandboxes start in parallel.
        let ids = self.ids;
        Ok(Box::new(move || {
            let deadline = Instant::now() + SETUP_TIMEOUT;
            let setup = (|| {
                // "r": the intermediate has unshared; map its ids and put it in the cgroup before
                // it forks anything, so every sandbox process is born confined.
                let mut byte = [0u8; 1];
                if read_until(&ready_r, &mut byte, deadline)? == 1 {
                    ids.write_maps(pid)?;
                    if let Some(cg) = &cgroup {
                        cg.join(pid)?;
                    }
                    write_byte(&go_w, b'g')?;
                }
                drop(go_w);
                read_status(&ends.status, deadline)
            })();
            let status = match setup {
                Ok(s) if s.error.is_none() && s.init.is_some() && s.program.is_some() => s,
                other => {
                    helper::abandon(pid);
                    return Err(match other {
                        Err(e) => e,
                        Ok(s) => s.error.unwrap_or_else(|| {
                            io::Error::other("sandbox set-up ended without starting the program")
                        }),
                    });
                }
            };
            let control = IsolatedProcess::new(
                pid,
                status.init.unwrap_or(0),
                status.program.unwrap_or(0),
                cgroup,
                oom_base,
            )?;
            Ok(Process {
                stdin: ends.stdin,
                stdout: ends.stdout,
                stderr: ends.stderr,
                control: Box::new(control),
            })
        }))
    }

    fn release(&self, sandbox: &SandboxSpec) {
        let cg = self.sandboxes.lock().unwrap_or_else(|e| e.into_inner()).remove(&sandbox.id);
        if let Some(cg) = cg {
            cg.remove();
        }
    }
}
