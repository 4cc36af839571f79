//! A HopX server that does no work: control plane and agent on one loopback port, answering
//! every request at once, so a benchmark against it measures the client alone.
//!
//! `hopx-bench-mock [port]` (0 = any) prints `listening <port>` on stdout, then serves until killed.
//! One thread per connection (the benchmarks keep at most ~40 connections open), HTTP/1.1
//! keep-alive, TCP_NODELAY, a listen backlog of 1024, each response sent in one write.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn listen(port: u16) -> io::Result<TcpListener> {
    // std has no way to set the backlog (it uses 128), so the socket is made by hand.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let one: libc::c_int = 1;
        let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, &one as *const _ as *const _, len);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_port = port.to_be();
        addr.sin_addr.s_addr = u32::from_be_bytes([127, 0, 0, 1]).to_be();
        let alen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        if libc::bind(fd, &addr as *const _ as *const libc::sockaddr, alen) != 0 || libc::listen(fd, 1024) != 0 {
            let e = io::Error::last_os_error();
            libc::close(fd);
            return Err(e);
        }
        Ok(TcpListener::from_raw_fd(fd))
    }
}

fn sandbox_json(id: &str, host: &str) -> String {
    format!(
        concat!(
            r#"{{"id":"{id}","object":"sandbox","status":"running","public_host":"{host}","direct_url":"{host}","#,
            r#""template_id":"1","template_name":"code-interpreter","organization_id":0,"region":"local","#,
            r#""resources":{{"vcpu":2,"memory_mb":1024,"disk_mb":10240}},"internet_access":false,"live_mode":false,"#,
            r#""auth_token":"bench-token","token_expires_at":"2099-01-01T00:00:00Z","#,
            r#""created_at":"2026-01-01T00:00:00Z","request_id":"req_bench"}}"#
        ),
        id = id,
        host = host
    )
}

const EXECUTE: &str = r#"{"success":true,"stdout":"1\n","stderr":"","exit_code":0,"execution_time":0.001,"language":"python","rich_outputs":[]}"#;

/// (status, body) for one request.
fn route(method: &str, path: &str, host: &str) -> (u16, String) {
    let path = path.split('?').next().unwrap_or("");
    match (method, path) {
        ("GET", "/health") => (200, r#"{"status":"healthy"}"#.into()),
        ("POST", "/execute") => (200, EXECUTE.into()),
        ("PATCH", "/env") | ("PUT", "/env") => (200, r#"{"success":true}"#.into()),
        ("POST", "/v1/sandboxes") => {
            let id = format!("bench{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
            (201, sandbox_json(&id, host))
        }
        ("GET", "/v1/sandboxes") => {
            (200, r#"{"object":"list","data":[],"has_more":false,"next_cursor":null}"#.into())
        }
        (_, p) if p.starts_with("/v1/sandboxes/") => {
            let rest = &p["/v1/sandboxes/".len()..];
            let (id, suffix) = rest.split_once('/').map(|(a, b)| (a, Some(b))).unwrap_or((rest, None));
            match (method, suffix) {
                ("GET", None) | ("POST", Some("token/refresh")) => (200, sandbox_json(id, host)),
                ("DELETE", None) => (200, format!(r#"{{"status":"deleted","id":"{id}"}}"#)),
                _ => (200, format!(r#"{{"id":"{id}"}}"#)),
            }
        }
        _ => (404, r#"{"error":"not found","code":"RESOURCE_NOT_FOUND","message":"not found"}"#.into()),
    }
}

fn serve(stream: TcpStream, host: Arc<String>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        let mut close = false;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body)?;
        let (status, payload) = route(&method, &path, &host);
        let reason = match status {
            200 => "OK",
            201 => "Created",
            _ => "Not Found",
        };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_bench\r\n{}\r\n{payload}",
            payload.len(),
            if close { "connection: close\r\n" } else { "" }
        );
        out.write_all(response.as_bytes())?;
        if close {
            return Ok(());
        }
    }
}

fn main() {
    let port: u16 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let listener = listen(port).expect("listen");
    let port = listener.local_addr().expect("addr").port();
    let host = Arc::new(format!("http://127.0.0.1:{port}"));
    println!("listening {port}");
    io::stdout().flush().ok();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let host = host.clone();
        std::thread::spawn(move || {
            let _ = serve(stream, host);
        });
    }
}
