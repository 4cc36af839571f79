//! Namespace isolation: a sandbox is one set of user, mount, pid, ipc, uts and network
//! namespaces (the network one reaches the internet through `network.rs`, or nothing), held by
//! a pid-1 process of its own, on a read-only view of the host's system directories and a
//! private disk, inside the sandbox's cgroup. Each process of the sandbox enters those
//! namespaces as an unprivileged uid, in a pid namespace of its own run. See
//! `shared/reference/isolation.md` for why we own this code and the rules it follows. The code
//! between spawn and the program's `exec` is the `hopx-sandbox` crate, run in a helper process
//! (`spawn/helper.rs`).

mod cgroup;
mod connect;
mod holder;
mod network;
mod pause;
mod probe;
mod process;

use super::helper::{self, pipe, read_status, read_until, write_byte, Pipes, SETUP_TIMEOUT};
use super::{Command, Finish, Isolator, Process, SandboxSpec};
use cgroup::{Cgroups, SandboxCgroup};
use holder::Holder;
use hopx_sandbox::plan::{Mode, PlanSpec};
use hopx_sandbox::uidmap::IdMode;
use process::IsolatedProcess;
use std::collections::HashMap;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A sandbox whose holder runs: what every process of it needs.
struct Prepared {
    holder: Holder,
    /// The sandbox's root (`O_PATH`), sent by the holder once it was built.
    root: Arc<std::os::fd::OwnedFd>,
    cgroup: Option<Arc<SandboxCgroup>>,
    /// Its internet access, while it has one.
    network: Mutex<Option<network::Slirp>>,
}

type Table = Arc<Mutex<HashMap<String, Arc<Prepared>>>>;

/// Runs each sandbox in its own set of namespaces. Build it with [`NamespaceIsolator::probe`].
pub struct NamespaceIsolator {
    ids: IdMode,
    cgroups: Option<Cgroups>,
    /// The user-mode network stack that gives sandboxes internet access, or why there is none.
    slirp: Result<std::path::PathBuf, String>,
    /// Every prepared sandbox, by id.
    sandboxes: Table,
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
            tracing::info!("cgroups are not writable here (not root or no cgroupfs): sandbox memory and process limits fall back to rlimits, CPU sharing to one session per run");
        }
        let slirp = network::find();
        if let Err(e) = &slirp {
            tracing::info!("sandboxes have no internet access: {e}");
        }
        Ok(NamespaceIsolator { ids: IdMode::current(), cgroups, slirp, sandboxes: Default::default() })
    }

    fn prepared(&self, id: &str) -> io::Result<Arc<Prepared>> {
        let table = self.sandboxes.lock().unwrap_or_else(|e| e.into_inner());
        let found = table.get(id).cloned().filter(|p| p.holder.is_alive());
        found.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("sandbox {id} is not running")))
    }

    /// The rlimits of every process of `sandbox`: those its cgroup does not already enforce.
    fn rlimits(
        &self,
        sandbox: &SandboxSpec,
        cgroup: Option<&SandboxCgroup>,
    ) -> Vec<(libc::__rlimit_resource_t, u64)> {
        let (limits_memory, limits_pids) =
            cgroup.map_or((false, false), |c| (c.limits_memory, c.limits_pids));
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
        rlimits
    }
}

impl Isolator for NamespaceIsolator {
    #[cfg(feature = "test-hooks")]
    fn name(&self) -> &'static str {
        "namespaces"
    }

    fn sees_host_paths(&self) -> bool {
        false
    }

    fn prepare(&self, sandbox: &SandboxSpec) -> io::Result<Finish<()>> {
        let cgroup = match &self.cgroups {
            Some(cgroups) => match cgroups.create(&sandbox.id, &sandbox.limits) {
                Ok(cg) => Some(Arc::new(cg)),
                Err(e) => {
                    tracing::info!(sandbox = %sandbox.id, "cannot create the sandbox cgroup ({e}): limits fall back to rlimits");
                    None
                }
            },
            None => None,
        };
        let pipes = Pipes::new(false)?;
        let (ready_r, ready_w) = pipe()?;
        let (go_r, go_w) = pipe()?;
        let (root_r, root_w) = holder::root_channel()?;
        let mut spec = PlanSpec::empty(Mode::Holder, self.ids);
        spec.ro_paths = sandbox.ro_paths.clone();
        spec.disk_bytes = sandbox.limits.disk_bytes.unwrap_or(0);
        spec.disk_inodes = sandbox.limits.disk_files.unwrap_or(0);
        spec.seed = sandbox.seed.iter().map(|(p, d)| (p.as_bytes().to_vec(), d.clone())).collect();
        spec.fds = pipes.child_fds(&[], ready_w.as_raw_fd(), go_r.as_raw_fd());
        (spec.fds.stdout, spec.fds.stderr) = (-1, -1);
        spec.fds.holder = root_w.as_raw_fd();
        spec.fds.cgroups = cgroup.as_ref().map_or_else(Vec::new, |c| c.procs_fds());
        drop(spec.build()?);
        let pid = helper::spawn(&spec)?;
        drop((ready_w, go_r, root_w, pipes.stdout, pipes.stderr));
        let status_r = pipes.status.0;
        drop(pipes.status.1);
        let ids = self.ids;
        let table = self.sandboxes.clone();
        let id = sandbox.id.clone();
        let slirp = match sandbox.network {
            true => Some(self.slirp.clone().map_err(io::Error::other)?),
            false => None,
        };
        Ok(Box::new(move || {
            let deadline = Instant::now() + SETUP_TIMEOUT;
            let setup = (|| {
                // "r": the intermediate has unshared: map its ids before it forks the holder.
                let mut byte = [0u8; 1];
                if read_until(&ready_r, &mut byte, deadline)? == 1 {
                    ids.write_maps(pid)?;
                    write_byte(&go_w, b'g')?;
                }
                drop(go_w);
                // The holder closes the status pipe once the sandbox's world is built.
                read_status(&status_r, deadline)
            })();
            let init = match setup {
                Ok(s) if s.error.is_none() && s.init.is_some() => s.init.unwrap_or(0),
                other => {
                    helper::abandon(pid);
                    if let Some(cg) = &cgroup {
                        cg.remove();
                    }
                    return Err(match other {
                        Err(e) => e,
                        Ok(s) => s
                            .error
                            .unwrap_or_else(|| io::Error::other("the sandbox ended while it was being made")),
                    });
                }
            };
            let holder = Holder::new(pid, init).inspect_err(|_| helper::abandon(pid))?;
            // Sent before the status pipe closed, so it is waiting.
            let root = Arc::new(holder::receive_root(&root_r)?);
            let network = match slirp.map(|program| network::Slirp::attach(&program, holder.pid())) {
                Some(Err(e)) => {
                    drop(holder);
                    if let Some(cg) = &cgroup {
                        cg.remove();
                    }
                    return Err(e);
                }
                attached => attached.transpose()?,
            };
            let prepared = Prepared { holder, root, cgroup, network: Mutex::new(network) };
            table.lock().unwrap_or_else(|e| e.into_inner()).insert(id, Arc::new(prepared));
            Ok(())
        }))
    }

    fn spawn(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<Process> {
        self.spawn_split(sandbox, command)?()
    }

    fn spawn_split(&self, sandbox: &SandboxSpec, command: Command) -> io::Result<super::FinishSpawn> {
        let prepared = self.prepared(&sandbox.id)?;
        let cgroup = prepared.cgroup.clone();
        if !command.program.is_absolute() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("program must be an absolute path: {}", command.program.display()),
            ));
        }
        let pipes = Pipes::new(command.stdin)?;
        let bytes = |s: &std::ffi::OsStr| s.as_bytes().to_vec();
        let mut spec = PlanSpec::empty(Mode::Join, self.ids);
        spec.program = bytes(command.program.as_os_str());
        spec.argv = std::iter::once(command.program.as_os_str())
            .chain(command.args.iter().map(|a| a.as_os_str()))
            .map(bytes)
            .collect();
        spec.env = command.env.iter().map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat()).collect();
        spec.cwd = command.cwd.as_bytes().to_vec();
        spec.rlimits = self.rlimits(sandbox, cgroup.as_deref());
        spec.fds = pipes.child_fds(&command.extra_fds, -1, -1);
        spec.fds.holder = prepared.holder.pidfd().as_raw_fd();
        spec.fds.cgroups = cgroup.as_ref().map_or_else(Vec::new, |c| c.procs_fds());
        if let Some(code) = &command.code {
            spec.code_path = code.path.as_bytes().to_vec();
            spec.fds.code = code.content.as_raw_fd();
        }
        // The helper builds the same plan again; building it here first turns bad input (a NUL
        // in an argument) into a clear error instead of an errno.
        drop(spec.build()?);
        let oom_base = cgroup.as_ref().map_or(0, |c| c.oom_kills());
        let pid = helper::spawn(&spec)?;
        let (cwd, code_file) = (command.cwd, command.code.as_ref().map(|c| c.path.clone()));
        // The children's ends: ours are closed so that EOF means "they are gone".
        drop((command.extra_fds, command.code));
        let ends = pipes.into_engine_ends();

        // Waiting for the run's set-up and exec runs off the spawner thread, so concurrent
        // runs start in parallel.
        Ok(Box::new(move || {
            let status = match read_status(&ends.status, Instant::now() + SETUP_TIMEOUT) {
                Ok(s) if s.error.is_none() && s.init.is_some() && s.program.is_some() => s,
                other => {
                    helper::abandon(pid);
                    return Err(match other {
                        Err(e) => e,
                        Ok(s) => s.explained(&cwd, code_file.as_deref()).unwrap_or_else(|| {
                            io::Error::other("the sandbox process ended before its program started")
                        }),
                    });
                }
            };
            // The holder is kept by the run too: the sandbox outlives none of its processes.
            drop(prepared);
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

    fn files(&self, sandbox: &SandboxSpec) -> io::Result<super::FsView> {
        let prepared = self.prepared(&sandbox.id)?;
        let user = match self.ids {
            IdMode::Root => {
                Some((hopx_sandbox::uidmap::PROGRAM_HOST_ID, hopx_sandbox::uidmap::PROGRAM_HOST_ID))
            }
            // The sandbox user is the engine's own uid and gid.
            IdMode::Unprivileged { .. } => None,
        };
        Ok(super::FsView { root: prepared.root.clone(), user, host_dirs: None })
    }

    fn internet(&self) -> Result<(), String> {
        self.slirp.as_ref().map(|_| ()).map_err(|e| e.clone())
    }

    fn set_internet(&self, sandbox: &SandboxSpec, on: bool) -> io::Result<()> {
        let prepared = self.prepared(&sandbox.id)?;
        let mut network = prepared.network.lock().unwrap_or_else(|e| e.into_inner());
        match (on, network.is_some()) {
            (true, false) => {
                let program = self.slirp.clone().map_err(io::Error::other)?;
                *network = Some(network::Slirp::attach(&program, prepared.holder.pid())?);
            }
            (false, true) => {
                if let Some(n) = network.take() {
                    n.end_in_background();
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn processes(&self, sandbox: &SandboxSpec) -> io::Result<Vec<i32>> {
        let prepared = self.prepared(&sandbox.id)?;
        pause::members_of(prepared.holder.pid())
    }

    fn set_paused(&self, sandbox: &SandboxSpec, paused: bool) -> io::Result<()> {
        let prepared = self.prepared(&sandbox.id)?;
        pause::set_paused(prepared.cgroup.as_deref(), prepared.holder.pid(), paused)
    }

    fn connect(&self, sandbox: &SandboxSpec, port: u16) -> io::Result<std::net::TcpStream> {
        let prepared = self.prepared(&sandbox.id)?;
        connect::connect(&prepared.holder, self.ids, port)
    }

    fn release(&self, sandbox: &SandboxSpec) {
        let prepared = self.sandboxes.lock().unwrap_or_else(|e| e.into_inner()).remove(&sandbox.id);
        if let Some(p) = prepared {
            // The holder goes first (its death takes every process of the sandbox along),
            // then the cgroup, which must be empty to be removed. A run still starting may
            // hold the last reference; its drop reaps the holder's helper.
            p.holder.kill();
            if let Some(network) = p.network.lock().unwrap_or_else(|e| e.into_inner()).take() {
                network.end_in_background();
            }
            if let Some(cg) = &p.cgroup {
                cg.remove();
            }
        }
    }
}
