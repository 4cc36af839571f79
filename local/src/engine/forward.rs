//! Preview URLs on the local engine: a port on the host's loopback that leads to a port on a
//! sandbox's own loopback, where the cloud would give a public URL.
//!
//! A forward is made on the first ask for a (sandbox, port) and lives until the sandbox is
//! killed. Each connection it accepts gets a connection of its own into the sandbox
//! ([`Isolator::connect`]), made by the engine: the sandbox is given no way to the host, so one
//! without internet access still has none, and the forward's port is as far out of its reach
//! as any service on the host's loopback (`spawn/isolated/network.rs`). Like the cloud's
//! preview URLs, a forward asks for no token: whoever reaches the host's loopback may use it.

use super::error::ApiError;
use super::sandbox::Sandbox;
use crate::spawn::{Isolator, SandboxSpec};
use axum::http::StatusCode;
use hopx_wire::code;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Forwarded ports per sandbox: each is a listener and a task on the host.
pub const MAX_PORTS: usize = 32;

/// The forwards of one sandbox: its port → the host address that leads there.
#[derive(Default)]
pub struct Forwards {
    ports: Mutex<HashMap<u16, SocketAddr>>,
}

impl Forwards {
    /// The URL (`http://127.0.0.1:<host port>/`) that leads to `port` in `sandbox`, the same
    /// one every time it is asked.
    pub fn url(&self, sandbox: &Sandbox, port: u16) -> Result<String, ApiError> {
        let mut ports = self.ports.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(addr) = ports.get(&port) {
            return Ok(url(*addr));
        }
        if ports.len() >= MAX_PORTS {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::RESOURCE_LIMIT_EXCEEDED,
                format!("a sandbox has at most {MAX_PORTS} preview URLs; this one has them all"),
            )
            .with_detail("limit", MAX_PORTS));
        }
        let listener = listen(bind_ip(&sandbox.agent_url))
            .map_err(|e| ApiError::internal(format!("cannot open a port for the preview URL: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ApiError::internal(format!("cannot open a port for the preview URL: {e}")))?;
        let ctx = &sandbox.context;
        let target = Target { isolator: ctx.isolator.clone(), spec: ctx.spec.clone(), port };
        tokio::spawn(serve(listener, target, sandbox.kill_signal()));
        ports.insert(port, addr);
        Ok(url(addr))
    }
}

fn url(addr: SocketAddr) -> String {
    // The trailing slash, as the cloud's preview URLs have it.
    format!("http://{addr}/")
}

/// An ephemeral port on `ip`.
fn listen(ip: IpAddr) -> io::Result<TcpListener> {
    let listener = std::net::TcpListener::bind((ip, 0))?;
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}

/// The address the sandbox's agent listens on (so a preview URL is reachable wherever the
/// agent is), loopback if its URL does not say.
fn bind_ip(agent_url: &str) -> IpAddr {
    let rest = agent_url.split_once("://").map_or(agent_url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']').parse().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// Where a forward's connections go.
#[derive(Clone)]
struct Target {
    isolator: Arc<dyn Isolator>,
    spec: Arc<SandboxSpec>,
    port: u16,
}

/// Accepts until the sandbox is killed; dropping the listener then closes the port.
async fn serve(listener: TcpListener, target: Target, mut killed: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            // Killed, or the sandbox is gone (the sender dropped): either way, the end.
            _ = killed.wait_for(|k| *k) => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((client, _)) => {
                tokio::spawn(relay(client, target.clone(), killed.clone()));
            }
            // Out of descriptors, most likely: wait instead of spinning on the error.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Connects `client` to the sandbox's port and copies both ways until either side closes or
/// the sandbox is killed.
async fn relay(mut client: TcpStream, target: Target, mut killed: watch::Receiver<bool>) {
    let _ = client.set_nodelay(true);
    let port = target.port;
    let connect = tokio::task::spawn_blocking(move || {
        let stream = target.isolator.connect(&target.spec, target.port)?;
        stream.set_nonblocking(true)?;
        Ok::<_, io::Error>(stream)
    });
    let upstream = match connect.await.map_err(io::Error::other).and_then(|r| r) {
        Ok(stream) => TcpStream::from_std(stream),
        Err(e) => Err(e),
    };
    let mut upstream = match upstream {
        Ok(stream) => stream,
        Err(e) => {
            tracing::debug!(port, "preview connection refused: {e}");
            let text = match e.kind() {
                io::ErrorKind::ConnectionRefused => {
                    format!("Nothing is listening on port {port} in the sandbox.\n")
                }
                _ => format!("Cannot reach port {port} in the sandbox: {e}\n"),
            };
            return bad_gateway(client, &text).await;
        }
    };
    let _ = upstream.set_nodelay(true);
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
        _ = killed.wait_for(|k| *k) => {}
    }
}

/// Answers `502` and closes. Preview URLs are mostly opened in browsers, which show this text
/// where a bare close would give them an unexplained error page; a client speaking another
/// protocol just sees the connection close.
async fn bad_gateway(mut client: TcpStream, text: &str) {
    let answer = format!(
        "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = client.write_all(answer.as_bytes()).await;
    let _ = client.shutdown().await;
    // Closing with the request still unread makes the kernel reset the connection, and the
    // client may report the reset instead of the answer: read what it sends, for a while.
    let mut sink = [0u8; 4096];
    let drain = async { while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {} };
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_where_the_agent_listens() {
        assert_eq!(bind_ip("http://127.0.0.1:4321"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(bind_ip("http://127.0.0.2:4321/"), "127.0.0.2".parse::<IpAddr>().unwrap());
        assert_eq!(bind_ip("http://[::1]:4321"), "::1".parse::<IpAddr>().unwrap());
        assert_eq!(bind_ip("nonsense"), IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
}
