//! The framing between the engine and the kernel runner: a 4-byte big-endian length, then
//! that many bytes of UTF-8 JSON. Requests go on the runner's fd 3, messages come on fd 4.

use serde_json::Value;
use std::os::fd::OwnedFd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::mpsc;

/// Largest frame accepted from the runner (a big PNG is a few MiB of base64).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// Writes frames to the runner.
pub struct FrameWriter {
    tx: pipe::Sender,
}

impl FrameWriter {
    pub fn new(fd: OwnedFd) -> std::io::Result<Self> {
        Ok(FrameWriter { tx: pipe::Sender::from_owned_fd(fd)? })
    }

    /// Sends one frame, in one buffer so it goes out in as few writes as possible.
    pub async fn send(&mut self, msg: &Value) -> std::io::Result<()> {
        let body = serde_json::to_vec(msg)?;
        let mut buf = Vec::with_capacity(body.len() + 4);
        buf.extend_from_slice(&(body.len() as u32).to_be_bytes());
        buf.extend_from_slice(&body);
        self.tx.write_all(&buf).await
    }
}

/// Reads frames from the runner into a channel until the pipe closes or a frame is bad.
pub fn spawn_reader(fd: OwnedFd) -> std::io::Result<mpsc::UnboundedReceiver<Value>> {
    let mut rx = pipe::Receiver::from_owned_fd(fd)?;
    let (tx, out) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let mut len = [0u8; 4];
            if rx.read_exact(&mut len).await.is_err() {
                break;
            }
            let len = u32::from_be_bytes(len) as usize;
            if len > MAX_FRAME {
                tracing::warn!("kernel sent a {len}-byte frame; closing the channel");
                break;
            }
            let mut body = vec![0u8; len];
            if rx.read_exact(&mut body).await.is_err() {
                break;
            }
            match serde_json::from_slice::<Value>(&body) {
                Ok(v) => {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
                Err(e) => tracing::warn!("kernel sent a frame that is not JSON: {e}"),
            }
        }
    });
    Ok(out)
}
