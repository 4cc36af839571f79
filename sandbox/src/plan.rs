//! What the engine tells the helper: one sandboxed process to start, as plain owned data, and
//! its byte encoding (the engine writes it to a memfd the helper reads at start).
//!
//! The encoding is private to this crate and always written and read by the same build (the
//! helper is embedded in the engine), so it has no version: length-prefixed little-endian
//! fields in a fixed order.

use crate::child::ChildPlan;
use crate::mounts::MountPlan;
use crate::seccomp;
use crate::uidmap::IdMode;
use std::ffi::CString;
use std::io;
use std::os::raw::c_char;
use std::os::raw::c_int;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Descriptor numbers as the helper sees them; -1 where one is not used (an unisolated
/// process has no id-map hand-shake, so no `ready` or `go`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FdNumbers {
    pub stdin: Option<c_int>,
    pub stdout: c_int,
    pub stderr: c_int,
    /// Become fd 3, 4, ... of the program.
    pub extra: Vec<c_int>,
    pub status: c_int,
    pub ready: c_int,
    pub go: c_int,
    pub engine_pidfd: c_int,
}

impl FdNumbers {
    /// Every descriptor the helper must keep, sorted and without repeats.
    pub fn all(&self) -> Vec<c_int> {
        let mut v = vec![self.stdout, self.stderr, self.status, self.ready, self.go, self.engine_pidfd];
        v.extend(&self.extra);
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
        }
    }
}

/// One process to start in a sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSpec {
    /// In namespaces (the intermediate, init, program tree of `child.rs`), or, for trusted code
    /// only, unisolated: the helper becomes the program in a session of its own.
    pub isolated: bool,
    /// Absolute host path of the executable.
    pub program: Vec<u8>,
    /// The full argv, `argv[0]` included.
    pub argv: Vec<Vec<u8>>,
    /// `KEY=value` entries: the whole environment.
    pub env: Vec<Vec<u8>>,
    /// Working directory: a path inside the sandbox (a host path when not isolated).
    pub cwd: Vec<u8>,
    /// Host directories behind `/workspace` and `/tmp`.
    pub workspace: PathBuf,
    pub tmp: PathBuf,
    /// Host paths the sandbox also sees read-only.
    pub ro_paths: Vec<PathBuf>,
    /// Share the host network (otherwise a network namespace with only loopback).
    pub network: bool,
    pub ids: IdMode,
    pub rlimits: Vec<(libc::__rlimit_resource_t, u64)>,
    pub fds: FdNumbers,
}

impl PlanSpec {
    /// Builds what the children run on: C strings, the mount plan, the seccomp filter. Fails on
    /// input the kernel would refuse (a NUL in a string, an unusable read-only path).
    pub fn build(&self) -> io::Result<ChildPlan> {
        let program = c(&self.program)?;
        let argv_strings = self.argv.iter().map(|a| c(a)).collect::<io::Result<Vec<_>>>()?;
        let env_strings = self.env.iter().map(|e| c(e)).collect::<io::Result<Vec<_>>>()?;
        let mounts = if self.isolated {
            MountPlan::new(&self.workspace, &self.tmp, &self.ro_paths)?
        } else {
            MountPlan::none()
        };
        let mut unshare_flags = libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS;
        if !self.network {
            unshare_flags |= libc::CLONE_NEWNET;
        }
        let mut strings = argv_strings;
        let argv = pointers(&strings);
        let envp = pointers(&env_strings);
        strings.extend(env_strings);
        Ok(ChildPlan {
            program,
            argv,
            envp,
            cwd: c(&self.cwd)?,
            bind_fds: vec![-1; mounts.bind_count()],
            mounts,
            unshare_flags,
            new_net: !self.network,
            ids: self.ids,
            rlimits: self.rlimits.clone(),
            seccomp: if self.isolated { seccomp::filter() } else { None },
            fds: self.fds.clone(),
            keep: self.fds.all(),
            _strings: strings,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(1024));
        w.u64(self.isolated as u64);
        w.bytes(&self.program);
        w.list(&self.argv);
        w.list(&self.env);
        w.bytes(&self.cwd);
        w.bytes(self.workspace.as_os_str().as_bytes());
        w.bytes(self.tmp.as_os_str().as_bytes());
        w.list(&self.ro_paths.iter().map(|p| p.as_os_str().as_bytes().to_vec()).collect::<Vec<_>>());
        w.u64(self.network as u64);
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
        for fd in [f.stdout, f.stderr, f.status, f.ready, f.go, f.engine_pidfd] {
            w.fd(fd);
        }
        w.u64(f.extra.len() as u64);
        for &fd in &f.extra {
            w.fd(fd);
        }
        w.0
    }

    pub fn decode(data: &[u8]) -> io::Result<PlanSpec> {
        let mut r = Reader(data);
        let isolated = r.u64()? != 0;
        let program = r.bytes()?;
        let argv = r.list()?;
        let env = r.list()?;
        let cwd = r.bytes()?;
        let workspace = path(r.bytes()?);
        let tmp = path(r.bytes()?);
        let ro_paths = r.list()?.into_iter().map(path).collect();
        let network = r.u64()? != 0;
        let ids = match r.u64()? {
            0 => IdMode::Root,
            _ => IdMode::Unprivileged { uid: r.u64()? as u32, gid: r.u64()? as u32 },
        };
        let mut rlimits = Vec::new();
        for _ in 0..r.count()? {
            rlimits.push((r.u64()? as libc::__rlimit_resource_t, r.u64()?));
        }
        let stdin = Some(r.fd()?).filter(|&fd| fd >= 0);
        let [stdout, stderr, status, ready, go, engine_pidfd] =
            [r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?, r.fd()?];
        let mut extra = Vec::new();
        for _ in 0..r.count()? {
            extra.push(r.fd()?);
        }
        if !r.0.is_empty() {
            return Err(bad("trailing bytes"));
        }
        let fds = FdNumbers { stdin, stdout, stderr, extra, status, ready, go, engine_pidfd };
        Ok(PlanSpec {
            isolated,
            program,
            argv,
            env,
            cwd,
            workspace,
            tmp,
            ro_paths,
            network,
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

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed sandbox plan: {what}"))
}

struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn fd(&mut self, fd: c_int) {
        self.u64(fd as i64 as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn list(&mut self, items: &[Vec<u8>]) {
        self.u64(items.len() as u64);
        for i in items {
            self.bytes(i);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(bad("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    /// A count of items that follow; bounded by the bytes left, so garbage cannot allocate.
    fn count(&mut self) -> io::Result<usize> {
        let n = self.u64()?;
        if n > self.0.len() as u64 {
            return Err(bad("count larger than the data"));
        }
        Ok(n as usize)
    }
    fn fd(&mut self) -> io::Result<c_int> {
        c_int::try_from(self.u64()? as i64).map_err(|_| bad("descriptor out of range"))
    }
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let n = self.count()?;
        Ok(self.take(n)?.to_vec())
    }
    fn list(&mut self) -> io::Result<Vec<Vec<u8>>> {
        (0..self.count()?).map(|_| self.bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PlanSpec {
        PlanSpec {
            isolated: true,
            program: b"/bin/sh".to_vec(),
            argv: vec![b"/bin/sh".to_vec(), b"-c".to_vec(), "echo \u{e9}".as_bytes().to_vec()],
            env: vec![b"A=1".to_vec(), b"EMPTY=".to_vec()],
            cwd: b"/workspace/sub".to_vec(),
            workspace: PathBuf::from("/var/x/ws"),
            tmp: PathBuf::from("/var/x/tmp"),
            ro_paths: vec![PathBuf::from("/opt/py")],
            network: false,
            ids: IdMode::Unprivileged { uid: 1001, gid: 1002 },
            rlimits: vec![(libc::RLIMIT_CORE, 0), (libc::RLIMIT_NOFILE, u64::MAX)],
            fds: FdNumbers {
                stdin: None,
                stdout: 10,
                stderr: 11,
                extra: vec![14, 15],
                status: 12,
                ready: 13,
                go: 16,
                engine_pidfd: 17,
            },
        }
    }

    #[test]
    fn round_trips() {
        let spec = sample();
        assert_eq!(PlanSpec::decode(&spec.encode()).unwrap(), spec);
        let root = PlanSpec { ids: IdMode::Root, network: true, ..sample() };
        let mut with_stdin = root.clone();
        with_stdin.fds.stdin = Some(9);
        assert_eq!(PlanSpec::decode(&with_stdin.encode()).unwrap(), with_stdin);
        let mut plain = PlanSpec { isolated: false, ..sample() };
        (plain.fds.ready, plain.fds.go) = (-1, -1);
        assert_eq!(PlanSpec::decode(&plain.encode()).unwrap(), plain);
    }

    #[test]
    fn refuses_truncated_or_padded_data() {
        let bytes = sample().encode();
        for cut in [0, 7, bytes.len() / 2, bytes.len() - 1] {
            assert!(PlanSpec::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(PlanSpec::decode(&padded).is_err());
        // A huge length (here the program's, after the `isolated` word) must fail cleanly, not
        // try to allocate.
        let mut huge = bytes;
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(PlanSpec::decode(&huge).is_err());
    }

    #[test]
    fn keeps_every_descriptor_once() {
        let mut f = sample().fds;
        f.stdin = Some(10);
        assert_eq!(f.all(), vec![10, 11, 12, 13, 14, 15, 16, 17]);
        assert_eq!(f.map(|x| x + 100).stdout, 110);
        (f.ready, f.go) = (-1, -1);
        assert_eq!(f.all(), vec![10, 11, 12, 14, 15, 17]);
        assert_eq!(f.map(|x| x + 100).go, -1);
    }

    #[test]
    fn build_refuses_nul_in_strings() {
        let mut spec = sample();
        spec.env.push(b"BAD=a\0b".to_vec());
        assert!(spec.build().is_err());
    }
}
