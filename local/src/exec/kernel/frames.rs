//! The framing between the engine and the kernel runner: a 4-byte big-endian length, then
//! that many bytes of UTF-8 JSON. Requests go to the runner, messages come back.

use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::pipe;

/// Largest frame accepted from the runner (a big PNG is a few MiB of base64). The runner never
/// writes a bigger one (it names a too-big output in a small `dropped` frame instead), so a
/// bigger length means that something else writes into the channel.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// How long a frame may stay half-read. The runner writes each frame in one go, so one that
/// stops halfway was begun by something else (say a length header written by user code), and
/// waiting longer would only wedge the kernel's runs.
const STALL: Duration = Duration::from_secs(5);

/// Writes frames to the runner.
pub struct FrameWriter {
    tx: pipe::Sender,
}

impl FrameWriter {
    pub fn new(fd: OwnedFd) -> std::io::Result<Self> {
        Ok(FrameWriter { tx: pipe::Sender::from_owned_fd(fd)? })
    }

    /// Sends one frame, in one buffer so it goes out in as few writes as possible.
    pub async fn send(&mut self, msg: &serde_json::Value) -> std::io::Result<()> {
        let body = serde_json::to_vec(msg)?;
        let mut buf = Vec::with_capacity(body.len() + 4);
        buf.extend_from_slice(&(body.len() as u32).to_be_bytes());
        buf.extend_from_slice(&body);
        self.tx.write_all(&buf).await
    }
}

/// Reads frames from the runner.
pub struct FrameReader {
    // Buffered: a small frame's header and body then cost one read between them.
    rx: BufReader<pipe::Receiver>,
    stall: Duration,
}

impl FrameReader {
    pub fn new(fd: OwnedFd) -> std::io::Result<Self> {
        let rx = BufReader::with_capacity(64 * 1024, pipe::Receiver::from_owned_fd(fd)?);
        Ok(FrameReader { rx, stall: STALL })
    }

    /// The next frame's body; `Ok(None)` once the runner is gone (end of file, even mid-frame:
    /// a runner that dies while writing is a death, not a broken channel); `Err` with the
    /// reason for a frame the runner cannot have written.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut len = [0u8; 4];
        // Between frames the runner may be quiet for as long as a cell runs.
        match self.rx.read(&mut len[..1]).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
        if !self.fill(&mut len[1..]).await? {
            return Ok(None);
        }
        let len = u32::from_be_bytes(len) as usize;
        if len == 0 || len > MAX_FRAME {
            return Err(format!("a message of {len} bytes"));
        }
        let mut body = vec![0u8; len];
        if !self.fill(&mut body).await? {
            return Ok(None);
        }
        Ok(Some(body))
    }

    /// Fills `buf` unless the pipe ends (false); fails when the bytes stop coming.
    async fn fill(&mut self, buf: &mut [u8]) -> Result<bool, String> {
        let mut at = 0;
        while at < buf.len() {
            match tokio::time::timeout(self.stall, self.rx.read(&mut buf[at..])).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(false),
                Ok(Ok(n)) => at += n,
                Err(_) => return Err(format!("a message that stopped halfway for {:?}", self.stall)),
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn reader() -> (FrameReader, std::fs::File) {
        let (r, w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK).unwrap();
        (FrameReader::new(r).unwrap(), std::fs::File::from(w))
    }

    #[tokio::test]
    async fn frames_lengths_and_the_end() {
        let (mut frames, mut w) = reader();
        w.write_all(b"\x00\x00\x00\x02{}\x00\x00\x00\x03[1]").unwrap();
        assert_eq!(frames.next().await.unwrap().unwrap(), b"{}");
        assert_eq!(frames.next().await.unwrap().unwrap(), b"[1]");
        w.write_all(&(MAX_FRAME as u32 + 1).to_be_bytes()).unwrap();
        assert_eq!(frames.next().await.unwrap_err(), format!("a message of {} bytes", MAX_FRAME + 1));
        let (mut frames, mut w) = reader();
        w.write_all(b"\x00\x00\x00\x09{\"a\"").unwrap();
        drop(w);
        assert_eq!(frames.next().await, Ok(None), "cut short by the end of the pipe");
    }

    #[tokio::test]
    async fn a_frame_that_stops_halfway_is_an_error() {
        let (mut frames, mut w) = reader();
        frames.stall = Duration::from_millis(50);
        w.write_all(b"\x00\x00\x01\x00{\"type\": \"done\"}").unwrap();
        let err = frames.next().await.unwrap_err();
        assert!(err.contains("stopped halfway"), "{err}");
        drop(w);
    }
}
