//! What the engine tells the helper, as plain owned data: start a sandbox (its holder), start
//! one process in a started sandbox, connect to a port on a sandbox's loopback, or (trusted
//! code only) start one process unisolated. The engine writes [`PlanSpec::encode`] to a memfd the helper reads at start.

use crate::child::ChildPlan;
use crate::codec::{bad, Reader, Writer};
use crate::mounts::{Disk, MountPlan};
use crate::seccomp;
use crate::uidmap::IdMode;
use std::ffi::CString;
use std::io;
use std::os::raw::c_char;
use std::os::raw::c_int;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What the helper is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Trusted code only: the helper becomes the program, on the host, in a session of its own.
    Unisolated,
    /// Make a sandbox: fresh namespaces, its file system, and a pid-1 holder that keeps them
    /// alive until the sandbox is killed (`holder.rs`).
    Holder,
    /// Start a program inside a sandbox that a holder keeps (`join.rs`).
    Join,
    /// Open a TCP connection to a port on a sandbox's own loopback and hand it to the engine
    /// (`connect.rs`); nothing runs in the sandbox.
    Connect,
}

impl Mode {
    fn code(self) -> u64 {
        match self {
            Mode::Unisolated => 0,
            Mode::Holder => 1,
            Mode::Join => 2,
            Mode::Connect => 3,
        }
    }

    fn from_code(c: u64) -> io::Result<Mode> {
        match c {
            0 => Ok(Mode::Unisolated),
            1 => Ok(Mode::Holder),
            2 => Ok(Mode::Join),
            3 => Ok(Mode::Connect),
            _ => Err(bad("unknown mode")),
        }
    }
}

/// Descriptor numbers as the helper sees them; -1 (or empty) where one is not used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FdNumbers {
    pub stdin: Option<c_int>,
    pub stdout: c_int,
    pub stderr: c_int,
    /// Become fd 3, 4, ... of the program.
    pub extra: Vec<c_int>,
    pub status: c_int,
    /// The id-map hand-shake of a holder (the engine writes the maps between the two).
    pub ready: c_int,
    pub go: c_int,
    pub engine_pidfd: c_int,
    /// Join and Connect: a pidfd of the sandbox's holder, whose namespaces are entered. Holder: a
    /// unix socket on which the holder sends the engine an `O_PATH` descriptor of the
    /// sandbox's root, the engine's only way into the sandbox's files (`local/src/files`).
    pub holder: c_int,
    /// The content of the code file the program step writes (a memfd), if any.
    pub code: c_int,
    /// `cgroup.procs` files the helper joins before anything else (it writes "0" to each).
    pub cgroups: Vec<c_int>,
    /// Connect: a unix socket on which the helper sends the engine the connected socket.
    pub reply: c_int,
}

impl FdNumbers {
    /// Every descriptor the helper must keep, sorted and without repeats.
    pub fn all(&self) -> Vec<c_int> {
        let mut v = vec![
            self.stdout,
            self.stderr,
            self.status,
            self.ready,
            self.go,
            self.engine_pidfd,
            self.holder,
            self.code,
            self.reply,
        ];
        v.extend(&self.extra);
        v.extend(&self.cgroups);
        v.extend(self.stdin);
        v.retain(|&fd| fd >= 0);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Renumbers every descriptor through `f` (the engine moves them into the helper's slots);
    /// unused ones stay -1.
    pub fn map(&self, f: impl Fn(c_int) -> c_int) -> FdNumbers {
        let f = |fd: c_int| if fd < 0 { fd } else { f(fd) };
        FdNumbers {
            stdin: self.stdin.map(&f),
            stdout: f(self.stdout),
            stderr: f(self.stderr),
            extra: self.extra.iter().map(|&x| f(x)).collect(),
            status: f(self.status),
            ready: f(self.ready),
            go: f(self.go),
            engine_pidfd: f(self.engine_pidfd),
            holder: f(self.holder),
            code: f(self.code),
            cgroups: self.cgroups.iter().map(|&x| f(x)).collect(),
            reply: f(self.reply),
        }
    }
}

/// One thing for the helper to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSpec {
    pub mode: Mode,
    /// Absolute path of the executable (empty for a holder, which runs no program).
    pub program: Vec<u8>,
    /// The full argv, `argv[0]` included.
    pub argv: Vec<Vec<u8>>,
    /// `KEY=value` entries: the whole environment.
    pub env: Vec<Vec<u8>>,
    /// Working directory (an inside path; a host path when unisolated), created if missing
    /// by the program itself, as the sandbox user.
    pub cwd: Vec<u8>,
    /// Where the program step writes the content of `fds.code`, as the sandbox user (empty:
    /// no code file).
    pub code_path: Vec<u8>,
    /// Holder: host paths the sandbox also sees read-only.
    pub ro_paths: Vec<PathBuf>,
    /// Unisolated only: the program is on the host's network. A sandbox always has a network
    /// namespace of its own (the engine may connect it to the internet, never to the host).
    pub network: bool,
    /// Holder: the size of the sandbox's writable file system (`/workspace` and `/tmp`
    /// together) in bytes, and its number of files; 0 means the kernel's default.
    pub disk_bytes: u64,
    pub disk_inodes: u64,
    /// Connect: the TCP port on the sandbox's loopback.
    pub port: u16,
    /// Holder: files written into the new sandbox as its user (`(inside path, content)`).
    pub seed: Vec<(Vec<u8>, Vec<u8>)>,
    pub ids: IdMode,
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    pub fds: FdNumbers,
}

impl PlanSpec {
    /// A plan with nothing set, for `mode`.
    pub fn empty(mode: Mode, ids: IdMode) -> PlanSpec {
        PlanSpec {
            mode,
            program: Vec::new(),
            argv: Vec::new(),
            env: Vec::new(),
            cwd: Vec::new(),
            code_path: Vec::new(),
            ro_paths: Vec::new(),
            network: false,
            disk_bytes: 0,
            disk_inodes: 0,
            port: 0,
            seed: Vec::new(),
            ids,
            rlimits: Vec::new(),
            fds: FdNumbers {
                stdout: -1,
                stderr: -1,
                status: -1,
                ready: -1,
                go: -1,
                engine_pidfd: -1,
                holder: -1,
                code: -1,
                reply: -1,
                ..Default::default()
            },
        }
    }

    /// Builds what the children run on: C strings, the mount plan, the seccomp filter. Fails on
    /// input the kernel would refuse (a NUL in a string, an unusable read-only path).
    pub fn build(&self) -> io::Result<ChildPlan> {
        let program = c(&self.program)?;
        let argv_strings = self.argv.iter().map(|a| c(a)).collect::<io::Result<Vec<_>>>()?;
        let env_strings = self.env.iter().map(|e| c(e)).collect::<io::Result<Vec<_>>>()?;
        let mounts = match self.mode {
            Mode::Holder => {
                MountPlan::new(&self.ro_paths, &Disk { bytes: self.disk_bytes, inodes: self.disk_inodes })?
            }
            _ => MountPlan::none(),
        };
        let mut namespaces = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS;
        if !self.network {
            namespaces |= libc::CLONE_NEWNET;
        }
        let seed =
            self.seed.iter().map(|(p, data)| Ok((c(p)?, data.clone()))).collect::<io::Result<Vec<_>>>()?;
        let code_path = (!self.code_path.is_empty()).then(|| c(&self.code_path)).transpose()?;
        if code_path.is_some() != (self.fds.code >= 0) {
            return Err(bad("a code file needs both a path and a descriptor"));
        }
        let mut strings = argv_strings;
        let argv = pointers(&strings);
        let envp = pointers(&env_strings);
        strings.extend(env_strings);
        Ok(ChildPlan {
            mode: self.mode,
            program,
            argv,
            envp,
            cwd: c(&self.cwd)?,
            code_path,
            bind_fds: vec![-1; mounts.bind_count()],
            mounts,
            namespaces,
            new_net: !self.network,
            port: self.port,
            seed,
            ids: self.ids,
            rlimits: self.rlimits.clone(),
            seccomp: if self.mode == Mode::Join { seccomp::filter() } else { None },
            fds: self.fds.clone(),
            keep: self.fds.all(),
            _strings: strings,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(1024));
        w.u64(self.mode.code());
        w.bytes(&self.program);
        w.list(&self.argv);
        w.list(&self.env);
        w.bytes(&self.cwd);
        w.bytes(&self.code_path);
        w.list(&self.ro_paths.iter().map(|p| p.as_os_str().as_bytes().to_vec()).collect::<Vec<_>>());
        w.u64(self.network as u64);
        w.u64(self.disk_bytes);
        w.u64(self.disk_inodes);
        w.u64(self.port as u64);
        w.u64(self.seed.len() as u64);
        for (path, data) in &self.seed {
            w.bytes(path);
            w.bytes(data);
        }
        match self.ids {
            IdMode::Root => w.u64(0),
            IdMode::Unprivileged { uid, gid } => {
                w.u64(1);
                w.u64(uid as u64);
                w.u64(gid as u64);
            }
        }
        w.u64(self.rlimits.len() as u64);
        for &(r, v) in &self.rlimits {
            w.u64(r as u64);
            w.u64(v);
        }
        let f = &self.fds;
        w.fd(f.stdin.unwrap_or(-1));
        for fd in [f.stdout, f.stderr, f.status, f.ready, f.go, f.engine_pidfd, f.holder, f.code, f.reply] {
            w.fd(fd);
        }
        w.fds(&f.extra);
        w.fds(&f.cgroups);
        w.0
    }

    pub fn decode(data: &[u8]) -> io::Result<PlanSpec> {
        let mut r = Reader(data);
        let mode = Mode::from_code(r.u64()?)?;
        let program = r.bytes()?;
        let argv = r.list()?;
        let env = r.list()?;
        let cwd = r.bytes()?;
        let code_path = r.bytes()?;
        let ro_paths = r.list()?.into_iter().map(path).collect();
        let network = r.bool()?;
        let disk_bytes = r.u64()?;
        let disk_inodes = r.u64()?;
        let port = u16::try_from(r.u64()?).map_err(|_| bad("port out of range"))?;
        let mut seed = Vec::new();
        for _ in 0..r.count()? {
            seed.push((r.bytes()?, r.bytes()?));
        }
        let ids = match r.u64()? {
            0 => IdMode::Root,
            _ => IdMode::Unprivileged { uid: r.u64()? as u32, gid: r.u64()? as u32 },
        };
        let mut rlimits = Vec::new();
        for _ in 0..r.count()? {
            rlimits.push((r.u64()? as libc::__rlimit_resource_t, r.u64()?));
        }
        let stdin = Some(r.fd()?).filter(|&fd| fd >= 0);
        let [stdout, stderr, status, ready, go, engine_pidfd, holder, code, reply] =
            [r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?];
        let extra = r.fds()?;
        let cgroups = r.fds()?;
        r.finish()?;
        let fds = FdNumbers {
            stdin,
            stdout,
            stderr,
            extra,
            status,
            ready,
            go,
            engine_pidfd,
            holder,
            code,
            cgroups,
            reply,
        };
        Ok(PlanSpec {
            mode,
            program,
            argv,
            env,
            cwd,
            code_path,
            ro_paths,
            network,
            disk_bytes,
            disk_inodes,
            port,
            seed,
            ids,
            rlimits,
            fds,
        })
    }
}

/// A NULL-terminated pointer array over `strings`.
pub fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect()
}

/// Makes a C string of `s`, refusing interior NULs.
pub fn c(s: &[u8]) -> std::io::Result<CString> {
    CString::new(s)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "argument contains NUL"))
}

fn path(bytes: Vec<u8>) -> PathBuf {
    Path::new(std::ffi::OsStr::from_bytes(&bytes)).to_path_buf()
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
