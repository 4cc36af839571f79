//! The sandbox's own identity files over the host's `/etc`: who its users are, its host name,
//! its machine id, empty password databases, and its DNS server (the one its own network
//! offers, see the engine's `spawn/isolated/network.rs`: the host's may be on the host's
//! loopback, which a sandbox cannot reach).
//!
//! The rest of `/etc` stays the host's, read-only: it holds what programs need to run (the
//! loader cache, certificates, fonts, alternatives, time zones), and a list of what to keep
//! would break on distributions we did not try. But these few files tell a sandbox about the
//! host (its users' names and homes, its network names, a stable id), and the user the sandbox
//! runs as (1000) may be a real person on the host, whose name and home would otherwise show.
//! Each is a file of a small detached tmpfs mounted over the host's; no path leads to the
//! tmpfs itself.

use crate::sys::{
    self, SysResult, MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, MOUNT_ATTR_NOSUID, MOUNT_ATTR_RDONLY,
};
use std::ffi::CString;
use std::io;
use std::os::raw::c_int;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
                      user:x:1000:1000:sandbox user:/workspace:/bin/bash\n\
                      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const GROUP: &str = "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n";
const HOSTS: &str = "127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n";
/// slirp4netns answers DNS on 10.0.2.3 and forwards to the host's resolver.
const RESOLV_CONF: &str = "nameserver 10.0.2.3\n";

/// The files, by name in `/etc`, that exist on the host as regular files (a mount can only
/// go over something that is there), with their content. `machine-id` gets its content at
/// attach time: a fresh random id per sandbox.
pub struct Identity {
    files: Vec<(CString, CString, &'static str, libc::mode_t)>,
    /// Where the DNS configuration is mounted, relative to the root, when `/etc/resolv.conf`
    /// is a link out of `/etc` (systemd-resolved's `/run/...`): the root must have a file there.
    pub resolv_target: Option<std::path::PathBuf>,
}

impl Identity {
    pub fn new() -> io::Result<Identity> {
        // The password databases stay root-only, as on the host: empty, and unreadable.
        let wanted: [(&str, &'static str, libc::mode_t); 7] = [
            ("passwd", PASSWD, 0o644),
            ("group", GROUP, 0o644),
            ("hostname", "sandbox\n", 0o644),
            ("hosts", HOSTS, 0o644),
            ("machine-id", "", 0o444),
            ("shadow", "", 0o600),
            ("gshadow", "", 0o600),
        ];
        let mut files = Vec::new();
        let c = |s: String| CString::new(s).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput));
        // `/etc/resolv.conf` is often a link; the mount goes over the file it leads to.
        let mut resolv_target = None;
        if let Ok(real) = std::fs::canonicalize("/etc/resolv.conf") {
            if real.is_file() && real.is_absolute() {
                let rel: std::path::PathBuf = real.components().skip(1).collect();
                files.push((c("resolv.conf".into())?, c(rel.display().to_string())?, RESOLV_CONF, 0o644));
                resolv_target = Some(rel);
            }
        }
        for (name, content, mode) in wanted {
            let host = std::path::Path::new("/etc").join(name);
            if std::fs::symlink_metadata(&host).is_ok_and(|m| m.is_file()) {
                files.push((c(name.to_string())?, c(format!("etc/{name}"))?, content, mode));
            }
        }
        Ok(Identity { files, resolv_target })
    }

    /// Mounts the files over `etc/<name>` of the root being built (the current directory).
    pub fn attach(&self) -> SysResult<()> {
        let options = [
            (CString::from(c"size"), CString::from(c"64k")),
            (CString::from(c"mode"), CString::from(c"0755")),
        ];
        let fs = sys::new_tmpfs(&options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)?;
        let result = self.fill_and_attach(fs);
        // SAFETY: the tmpfs stays reachable only through the files mounted from it.
        unsafe { libc::close(fs) };
        result
    }

    fn fill_and_attach(&self, fs: c_int) -> SysResult<()> {
        for (name, target, content, mode) in &self.files {
            let mut machine_id = [0u8; 33];
            let data = if name.as_bytes() == b"machine-id" {
                random_hex(&mut machine_id)?;
                &machine_id[..]
            } else {
                content.as_bytes()
            };
            // SAFETY: openat on our tmpfs with a fixed name.
            let fd = unsafe {
                libc::openat(
                    fs,
                    name.as_ptr(),
                    libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                    0o600,
                )
            };
            let fd = sys::check(fd as libc::c_long)? as c_int;
            // SAFETY: fchmod of our own descriptor (the umask must not decide the mode).
            let written =
                sys::write_all(fd, data).and_then(|_| crate::child::ok(unsafe { libc::fchmod(fd, *mode) }));
            // SAFETY: our own descriptor.
            unsafe { libc::close(fd) };
            written?;
            let view = sys::open_tree_clone_at(fs, name)?;
            let attached = sys::set_mount_attrs(view, c"", MOUNT_ATTR_RDONLY, false)
                .and_then(|_| sys::move_mount(view, target));
            // SAFETY: the detached view, attached or not.
            unsafe { libc::close(view) };
            attached?;
        }
        Ok(())
    }
}

/// 32 random hex digits and a newline, as `/etc/machine-id` holds.
fn random_hex(out: &mut [u8; 33]) -> SysResult<()> {
    let mut raw = [0u8; 16];
    // SAFETY: getrandom into a stack buffer.
    let n = unsafe { libc::getrandom(raw.as_mut_ptr().cast(), raw.len(), 0) };
    if n != raw.len() as isize {
        return Err(sys::errno());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in raw.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out[32] = b'\n';
    Ok(())
}
