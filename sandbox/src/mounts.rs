//! The sandbox's filesystem: a read-only tmpfs root holding read-only views of the host's
//! system directories, a private `/dev`, a fresh `/proc`, and the sandbox's own `/tmp` and
//! `/workspace` read-write. Nothing else of the host (no `/root`, `/home`, other sandboxes).
//!
//! `/workspace`, `/tmp` and `/dev/shm` are folders of one private tmpfs, the sandbox's "disk": it
//! lives only in the sandbox's mount namespace (no host path leads to it, so nothing the
//! sandbox plants there can ever be followed by the engine on the host), its size and number
//! of files are capped (a full disk is `ENOSPC` inside the sandbox, nothing outside), and it
//! vanishes with the sandbox.
//!
//! The parent builds a [`MountPlan`] (all strings allocated up front); the sandbox init runs it
//! in two phases, because the bind sources must be cloned while init still has host-root DAC
//! (to traverse e.g. `/root/.pyenv`), but new files can only be created on a tmpfs once init
//! runs as a *mapped* uid (an unmapped fsuid gets EOVERFLOW).

use crate::identity::Identity;
use crate::sys::{self, SysResult, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOSUID, MOUNT_ATTR_RDONLY};
use crate::uidmap::PROGRAM_ID;
use std::ffi::{CString, OsStr};
use std::io;
use std::os::raw::c_int;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// Host top-level entries the sandbox sees read-only. Symlinks (merged `/usr`: `/bin -> usr/bin`)
/// are recreated as the same symlinks.
const SYSTEM: &[&str] = &["usr", "bin", "lib", "lib32", "lib64", "libx32", "sbin", "etc"];
/// Device nodes bound from the host `/dev` (they cannot be created with mknod in a user ns).
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

/// Where the new root is assembled: a tmpfs mounted over this host directory, inside the
/// sandbox's private mount namespace only (the host never sees it).
const STAGING: &std::ffi::CStr = c"/tmp";

/// One host path cloned into the sandbox.
pub struct Bind {
    source: CString,
    /// Extra mount flags: read-only, nosuid, nodev.
    attrs: u64,
}

/// One step of building the root, relative to the new root's top directory.
enum Step {
    Dir(CString),
    File(CString),
    Symlink {
        content: CString,
        path: CString,
    },
    /// Attach `binds[index]` here.
    Bind {
        index: usize,
        target: CString,
    },
    Tmpfs {
        target: CString,
        data: CString,
        flags: libc::c_ulong,
    },
    Proc(CString),
    /// A new devpts instance; optional (a sandbox without ptys still works).
    Devpts(CString),
    /// The sandbox's own file system, seen as `/workspace` and `/tmp`.
    Disk,
    /// The sandbox's identity files over the host's `/etc`.
    Identity,
}

/// The full recipe for one sandbox's filesystem, allocated before `fork`.
pub struct MountPlan {
    binds: Vec<Bind>,
    steps: Vec<Step>,
    disk: Option<DiskPlan>,
    identity: Option<Identity>,
}

/// Limits of the sandbox's writable file system; 0 means the kernel's default.
pub struct Disk {
    pub bytes: u64,
    pub inodes: u64,
}

/// The disk's tmpfs options, as C strings.
struct DiskPlan {
    options: Vec<(CString, CString)>,
}

fn cstr(p: impl AsRef<OsStr>) -> io::Result<CString> {
    CString::new(p.as_ref().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))
}

/// A host path as a path relative to the new root ("/a/b" -> "a/b"), rejecting `..`.
fn relative(path: &Path) -> io::Result<PathBuf> {
    if !path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a clean absolute path: {}", path.display()),
        ));
    }
    Ok(path.components().filter(|c| matches!(c, Component::Normal(_))).collect())
}

impl MountPlan {
    /// The plan for a sandbox that also sees each of `ro_paths` read-only, and whose
    /// `/workspace` and `/tmp` share one private file system limited by `disk`.
    pub fn new(ro_paths: &[PathBuf], disk: &Disk) -> io::Result<MountPlan> {
        let mut options = vec![(cstr("mode")?, cstr("0755")?)];
        if disk.bytes > 0 {
            options.push((cstr("size")?, cstr(disk.bytes.to_string())?));
        }
        if disk.inodes > 0 {
            options.push((cstr("nr_inodes")?, cstr(disk.inodes.to_string())?));
        }
        let mut plan = MountPlan {
            binds: Vec::new(),
            steps: Vec::new(),
            disk: Some(DiskPlan { options }),
            identity: Some(Identity::new()?),
        };
        let ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        let mut system_dirs = Vec::new();
        for name in SYSTEM {
            let host = Path::new("/").join(name);
            match std::fs::symlink_metadata(&host) {
                Ok(m) if m.file_type().is_symlink() => {
                    let content = std::fs::read_link(&host)?;
                    plan.steps.push(Step::Symlink { content: cstr(content)?, path: cstr(name)? });
                }
                Ok(m) if m.is_dir() => {
                    plan.bind(&host, Path::new(name), true, ro)?;
                    system_dirs.push(host);
                }
                _ => {}
            }
        }
        if system_dirs.iter().any(|d| d == Path::new("/etc")) {
            // A DNS configuration outside the system directories (systemd-resolved's, under
            // /run) gets a file of the root to be mounted over.
            let target = plan.identity.as_ref().and_then(|i| i.resolv_target.clone());
            if let Some(rel) = target.filter(|rel| !SYSTEM.iter().any(|s| rel.starts_with(s))) {
                plan.parents(&rel)?;
                plan.steps.push(Step::File(cstr(&rel)?));
            }
            plan.steps.push(Step::Identity);
        }
        // Extra read-only paths, e.g. a Python prefix under /root. Paths already inside a
        // system directory are visible anyway (and their mount point could not be created on
        // a read-only bind). Those under /tmp go into the sandbox's private /tmp once it is
        // there (`late`): a venv made in /tmp by a CI job works, and /tmp stays the sandbox's.
        let mut late = Vec::new();
        for path in ro_paths {
            let rel = relative(path)?;
            let first = rel.components().next().map(|c| Path::new("/").join(c));
            let covered = first.as_ref().is_some_and(|f| {
                SYSTEM.iter().any(|s| Path::new("/").join(s) == *f) && std::fs::symlink_metadata(f).is_ok()
            });
            if covered || rel.as_os_str().is_empty() {
                continue;
            }
            let is_dir = || -> io::Result<bool> {
                let m = std::fs::metadata(path).map_err(|e| {
                    io::Error::new(e.kind(), format!("read-only path {}: {e}", path.display()))
                })?;
                Ok(m.is_dir())
            };
            let top = rel.components().next().map(|c| c.as_os_str().to_owned()).unwrap_or_default();
            if top == "tmp" && rel.components().count() > 1 {
                late.push((path.clone(), rel, is_dir()?));
                continue;
            }
            // These are the sandbox's own mounts; a bind below them would be hidden or, worse,
            // its mount point created in the sandbox's host directory.
            if ["tmp", "workspace", "dev", "proc"].iter().any(|s| top == *s) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("read-only path {} would be hidden by the sandbox's own mounts", path.display()),
                ));
            }
            plan.parents(&rel)?;
            plan.bind(path, &rel, is_dir()?, ro)?;
        }
        // A private /dev: tmpfs, host device nodes bound in, /dev/shm, the usual symlinks.
        plan.steps.push(Step::Dir(cstr("dev")?));
        plan.steps.push(Step::Tmpfs {
            target: cstr("dev")?,
            data: cstr("mode=0755,size=64k")?,
            flags: libc::MS_NOSUID | libc::MS_NOEXEC,
        });
        for dev in DEVICES {
            let host = Path::new("/dev").join(dev);
            if std::fs::metadata(&host).is_ok() {
                // Device nodes need dev semantics, so only nosuid here.
                plan.bind(&host, &Path::new("dev").join(dev), false, MOUNT_ATTR_NOSUID)?;
            }
        }
        for (link, content) in [
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ] {
            plan.steps.push(Step::Symlink { content: cstr(content)?, path: cstr(format!("dev/{link}"))? });
        }
        // A private devpts instance, so ptys work (os.openpty, `script`); ptmx points into it.
        plan.steps.push(Step::Dir(cstr("dev/pts")?));
        plan.steps.push(Step::Devpts(cstr("dev/pts")?));
        plan.steps.push(Step::Symlink { content: cstr("pts/ptmx")?, path: cstr("dev/ptmx")? });
        // /dev/shm is a folder of the sandbox's disk (attached by `Step::Disk`), so shared
        // memory counts against the same budget as its files.
        plan.steps.push(Step::Dir(cstr("dev/shm")?));
        plan.steps.push(Step::Dir(cstr("proc")?));
        plan.steps.push(Step::Proc(cstr("proc")?));
        plan.steps.push(Step::Dir(cstr("tmp")?));
        plan.steps.push(Step::Dir(cstr("workspace")?));
        plan.steps.push(Step::Disk);
        // On the disk now: made by the holder before any sandbox code runs, read-only binds
        // whose mount points the sandbox user can neither remove nor write into.
        for (path, rel, is_dir) in late {
            plan.parents(&rel)?;
            plan.bind(&path, &rel, is_dir, ro)?;
        }
        Ok(plan)
    }

    /// An empty plan, for a process that builds no file system.
    pub fn none() -> MountPlan {
        MountPlan { binds: Vec::new(), steps: Vec::new(), disk: None, identity: None }
    }

    /// Number of detached mounts phase 1 produces (the caller provides that many slots).
    pub fn bind_count(&self) -> usize {
        self.binds.len()
    }

    fn bind(&mut self, host: &Path, rel: &Path, is_dir: bool, attrs: u64) -> io::Result<()> {
        let target = cstr(rel)?;
        self.steps.push(if is_dir { Step::Dir(target.clone()) } else { Step::File(target.clone()) });
        self.steps.push(Step::Bind { index: self.binds.len(), target });
        self.binds.push(Bind { source: cstr(host)?, attrs });
        Ok(())
    }

    fn parents(&mut self, rel: &Path) -> io::Result<()> {
        let mut acc = PathBuf::new();
        let comps: Vec<_> = rel.components().collect();
        for c in &comps[..comps.len().saturating_sub(1)] {
            acc.push(c);
            self.steps.push(Step::Dir(cstr(&acc)?));
        }
        Ok(())
    }

    /// Phase 1, still with host-root DAC, inside the new mount namespace: clone every bind
    /// source into a detached mount and add its flags. Fills `fds` (one per bind).
    pub fn clone_sources(&self, fds: &mut [c_int]) -> Result<(), (&'static str, c_int)> {
        for (bind, slot) in self.binds.iter().zip(fds.iter_mut()) {
            let fd = sys::open_tree_clone(&bind.source).map_err(|e| ("open_tree", e))?;
            *slot = fd;
            sys::set_mount_attrs(fd, c"", bind.attrs, true).map_err(|e| ("mount_setattr", e))?;
        }
        Ok(())
    }

    /// Phase 2, as the mapped init uid: build the root on a tmpfs, switch to it, make it
    /// read-only. On return the process's root and cwd are the sandbox's `/`.
    pub fn build_root(&self, fds: &[c_int]) -> Result<(), (&'static str, c_int)> {
        let e = |stage: &'static str| move |errno| (stage, errno);
        sys::mount(
            Some(c"tmpfs"),
            STAGING,
            Some(c"tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(c"mode=0755,size=1m"),
        )
        .map_err(e("mount root tmpfs"))?;
        // SAFETY: chdir to a NUL-terminated path.
        check0(unsafe { libc::chdir(STAGING.as_ptr()) }).map_err(e("chdir root"))?;
        for step in &self.steps {
            match step {
                Step::Dir(p) => {
                    // SAFETY: mkdir on a valid path; EEXIST is fine.
                    if unsafe { libc::mkdir(p.as_ptr(), 0o755) } < 0 && sys::errno() != libc::EEXIST {
                        return Err(("mkdir", sys::errno()));
                    }
                }
                Step::File(p) => {
                    // SAFETY: creates an empty mount point file.
                    let fd = unsafe {
                        libc::open(p.as_ptr(), libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC, 0o644)
                    };
                    check0(fd).map_err(e("create file"))?;
                    // SAFETY: closing the fd we just opened.
                    unsafe { libc::close(fd) };
                }
                Step::Symlink { content, path } => {
                    // SAFETY: both are valid C strings.
                    check0(unsafe { libc::symlink(content.as_ptr(), path.as_ptr()) })
                        .map_err(e("symlink"))?;
                }
                Step::Bind { index, target } => {
                    sys::move_mount(fds[*index], target).map_err(e("move_mount"))?
                }
                Step::Tmpfs { target, data, flags } => {
                    sys::mount(Some(c"tmpfs"), target, Some(c"tmpfs"), *flags, Some(data))
                        .map_err(e("mount tmpfs"))?
                }
                Step::Devpts(target) => {
                    let _ = sys::mount(
                        Some(c"devpts"),
                        target,
                        Some(c"devpts"),
                        libc::MS_NOSUID | libc::MS_NOEXEC,
                        Some(c"newinstance,ptmxmode=0666,mode=0620"),
                    );
                }
                // A /proc of the sandbox's own pid namespace. The kernel allows it only while a
                // fully visible procfs is mounted in this namespace: the host's, still here.
                Step::Proc(target) => sys::mount(
                    Some(c"proc"),
                    target,
                    Some(c"proc"),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    None,
                )
                .map_err(e("mount proc"))?,
                Step::Disk => match &self.disk {
                    Some(disk) => disk.attach().map_err(e("sandbox disk"))?,
                    None => return Err(("sandbox disk", libc::EINVAL)),
                },
                Step::Identity => match &self.identity {
                    Some(identity) => identity.attach().map_err(e("identity files"))?,
                    None => return Err(("identity files", libc::EINVAL)),
                },
            }
        }
        // pivot_root(".", ".") stacks the old root on top of the new one; detaching it drops
        // every host mount from this namespace.
        // SAFETY: plain syscalls on valid paths.
        unsafe {
            check0(libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), c".".as_ptr()) as c_int)
                .map_err(e("pivot_root"))?;
            check0(libc::umount2(c".".as_ptr(), libc::MNT_DETACH)).map_err(e("umount old root"))?;
            check0(libc::chdir(c"/".as_ptr())).map_err(e("chdir /"))?;
        }
        sys::set_mount_attrs(
            libc::AT_FDCWD,
            c"/",
            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
            false,
        )
        .map_err(e("read-only root"))?;
        Ok(())
    }
}

impl DiskPlan {
    /// Makes the tmpfs as a detached mount (so it has no path of its own anywhere), creates
    /// `workspace` (the sandbox user's), `tmp` and `shm` (sticky, for everyone) in it, and
    /// attaches just those folders at `workspace`, `tmp` and `dev/shm` of the new root.
    fn attach(&self) -> SysResult<()> {
        let disk = sys::new_tmpfs(&self.options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)?;
        let result = (|| {
            sys::mkdir_at(disk, c"workspace", 0o755)?;
            // SAFETY: plain syscalls on a directory fd we hold and fixed relative names.
            unsafe {
                check0(libc::fchownat(disk, c"workspace".as_ptr(), PROGRAM_ID, PROGRAM_ID, 0))?;
                for shared in [c"tmp", c"shm"] {
                    sys::mkdir_at(disk, shared, 0o777)?;
                    check0(libc::fchmodat(disk, shared.as_ptr(), 0o1777, 0))?;
                }
            }
            for (name, target) in [(c"workspace", c"workspace"), (c"tmp", c"tmp"), (c"shm", c"dev/shm")] {
                let view = sys::open_tree_clone_at(disk, name)?;
                let moved = sys::move_mount(view, target);
                // SAFETY: closing the detached view, attached or not.
                unsafe { libc::close(view) };
                moved?;
            }
            Ok(())
        })();
        // SAFETY: the whole-disk mount stays reachable only through the views.
        unsafe { libc::close(disk) };
        result
    }
}

fn check0(r: c_int) -> SysResult<()> {
    if r < 0 {
        Err(sys::errno())
    } else {
        Ok(())
    }
}
