//! The user-namespace id maps, written by the engine (the parent) for the intermediate.
//!
//! As root the engine maps two ids, which only a process in the parent namespace may do:
//! inside 0 -> host [`INIT_HOST_ID`] for the sandbox init (it needs a mapped uid to create files
//! on its tmpfs, and ns-root to mount), inside 1000 -> host [`PROGRAM_HOST_ID`] for the program,
//! which thus runs as an unprivileged host uid with no capabilities and cannot touch files owned
//! by host root. Without root, only the engine's own ids can be mapped (to inside 1000); the
//! program is then just as unprivileged as the engine itself.

use std::io;

/// Host uid/gid of the sandbox init when the engine is root.
pub const INIT_HOST_ID: u32 = 65533;
/// Host uid/gid of the sandboxed program when the engine is root ("nobody").
pub const PROGRAM_HOST_ID: u32 = 65534;
/// The program's uid and gid inside the sandbox.
pub const PROGRAM_ID: u32 = 1000;

/// Which mapping the engine can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdMode {
    /// Engine is root: two-line maps, init = ns root, program = unprivileged host id.
    Root,
    /// Engine is unprivileged: its own uid/gid map to inside 1000 for everyone.
    Unprivileged { uid: u32, gid: u32 },
}

impl IdMode {
    pub fn current() -> IdMode {
        // SAFETY: trivial getters.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        if uid == 0 {
            IdMode::Root
        } else {
            IdMode::Unprivileged { uid, gid }
        }
    }

    /// Writes the maps of the process `pid`, which has just unshared its user namespace.
    pub fn write_maps(self, pid: i32) -> io::Result<()> {
        let proc = format!("/proc/{pid}");
        match self {
            IdMode::Root => {
                let map = format!("0 {INIT_HOST_ID} 1\n{PROGRAM_ID} {PROGRAM_HOST_ID} 1\n");
                std::fs::write(format!("{proc}/uid_map"), &map)?;
                std::fs::write(format!("{proc}/gid_map"), &map)
            }
            IdMode::Unprivileged { uid, gid } => {
                // An unprivileged writer must give up setgroups before writing gid_map.
                std::fs::write(format!("{proc}/setgroups"), "deny")?;
                std::fs::write(format!("{proc}/uid_map"), format!("{PROGRAM_ID} {uid} 1\n"))?;
                std::fs::write(format!("{proc}/gid_map"), format!("{PROGRAM_ID} {gid} 1\n"))
            }
        }
    }
}
