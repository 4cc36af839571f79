//! Loopback inside a fresh network namespace. A new netns starts with `lo` down, so even
//! `127.0.0.1` inside the sandbox is unreachable (the Python kernel and user servers need it).

use crate::sys::{self, SysResult};

/// Sets `lo` up in the caller's network namespace (needs CAP_NET_ADMIN there). Allocation-free.
pub fn loopback_up() -> SysResult<()> {
    // SAFETY: a plain socket used only as an ioctl handle, closed below.
    let sock = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if sock < 0 {
        return Err(sys::errno());
    }
    // SAFETY: ifreq is plain old data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: ioctls with a valid ifreq; the union field read is the one SIOCGIFFLAGS wrote.
    let result = unsafe {
        if libc::ioctl(sock, libc::SIOCGIFFLAGS, &mut req) < 0 {
            Err(sys::errno())
        } else {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            if libc::ioctl(sock, libc::SIOCSIFFLAGS, &req) < 0 {
                Err(sys::errno())
            } else {
                Ok(())
            }
        }
    };
    // SAFETY: closing our socket.
    unsafe { libc::close(sock) };
    result
}
