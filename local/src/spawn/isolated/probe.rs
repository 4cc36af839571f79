//! Can this machine isolate? Answered by trying, in a throwaway child, exactly what a sandbox
//! needs (user, mount, pid, ipc, uts, net namespaces; a detached bind with the new mount API;
//! a pidfd). The namespaces die with the child: no side effect on the host.

use hopx_sandbox::sys::{self, MOUNT_ATTR_RDONLY};

/// `Ok` if sandboxes can be created, else a message naming what is missing.
pub fn check() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err("process isolation needs Linux (user, mount and pid namespaces)".into());
    }
    if !std::path::Path::new("/proc/self/ns/user").exists() {
        return Err("user namespaces are not supported by this kernel (no /proc/self/ns/user)".into());
    }
    if std::fs::read_to_string("/proc/sys/user/max_user_namespaces").is_ok_and(|s| s.trim() == "0") {
        return Err("user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0)".into());
    }
    // SAFETY: getpid cannot fail.
    if let Err(e) = crate::spawn::pidfd::open(unsafe { libc::getpid() }) {
        return Err(format!("pidfd_open is unavailable (Linux 5.3+ needed): {e}"));
    }
    let mut fds = [0; 2];
    // SAFETY: pipe2 into a 2-slot array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: the child only makes raw syscalls and _exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: async-signal-safe calls only.
        unsafe {
            libc::close(fds[0]);
            let flags = libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWNET;
            let step: i32 = if libc::unshare(flags) < 0 {
                1
            } else if libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ) < 0
            {
                2
            } else {
                match sys::open_tree_clone(c"/usr") {
                    Err(_) => 3,
                    Ok(fd) => match sys::set_mount_attrs(fd, c"", MOUNT_ATTR_RDONLY, true) {
                        Err(_) => 4,
                        Ok(()) => 0,
                    },
                }
            };
            let errno = if step == 0 { 0 } else { sys::errno() };
            let msg = [step, errno];
            let _ = sys::write_all(fds[1], std::slice::from_raw_parts(msg.as_ptr().cast(), 8));
            libc::_exit(0);
        }
    }
    // SAFETY: closing our copy of the write end; then reading the child's 8-byte answer.
    let mut msg = [0i32; 2];
    let n = unsafe {
        libc::close(fds[1]);
        let n = libc::read(fds[0], msg.as_mut_ptr().cast(), 8);
        libc::close(fds[0]);
        if pid > 0 {
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        n
    };
    if pid < 0 || n != 8 {
        return Err("cannot fork a probe process".into());
    }
    let err = std::io::Error::from_raw_os_error(msg[1]);
    match msg[0] {
        0 => Ok(()),
        1 => Err(format!("cannot create user/mount/pid/ipc/uts/net namespaces ({err}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces, or an AppArmor/SELinux policy)")),
        2 => Err(format!("cannot make mounts private in a new mount namespace ({err})")),
        3 => Err(format!("the new mount API (open_tree, Linux 5.2+) is unavailable ({err})")),
        _ => Err(format!("mount_setattr (Linux 5.12+) is unavailable ({err})")),
    }
}
