//! Reading a process's output: capped, never blocking the writer, UTF-8 safe across chunks.
//!
//! Both streams are read at once (so a process filling one pipe never deadlocks), and past
//! the cap the bytes are read and dropped, with a flag, rather than killing the process.

use super::{EventSink, ExecEvent};
use std::os::fd::OwnedFd;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;

/// Which output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The kept part of one stream.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Captured {
    pub text: String,
    pub truncated: bool,
}

/// Accumulates bytes up to a cap and hands out text chunks that never split a character.
#[derive(Debug)]
pub struct Capture {
    kept: Vec<u8>,
    limit: usize,
    truncated: bool,
    /// Bytes of an incomplete UTF-8 sequence waiting for the next chunk (for events).
    pending: Vec<u8>,
}

impl Capture {
    pub fn new(limit: usize) -> Self {
        Capture { kept: Vec::new(), limit, truncated: false, pending: Vec::new() }
    }

    /// Adds bytes; returns the text to stream as an event (may be empty).
    pub fn push(&mut self, bytes: &[u8]) -> String {
        let room = self.limit.saturating_sub(self.kept.len());
        let take = bytes.len().min(room);
        self.kept.extend_from_slice(&bytes[..take]);
        if take < bytes.len() {
            self.truncated = true;
        }
        self.pending.extend_from_slice(&bytes[..take]);
        let valid = utf8_prefix_len(&self.pending);
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.pending.drain(..valid);
        text
    }

    /// The kept bytes as text (invalid UTF-8 becomes U+FFFD).
    pub fn finish(self) -> Captured {
        Captured { text: String::from_utf8_lossy(&self.kept).into_owned(), truncated: self.truncated }
    }
}

/// Length of the longest prefix that does not end inside a UTF-8 sequence. Invalid bytes
/// count as complete (they become U+FFFD); only a truncated valid start is held back.
fn utf8_prefix_len(b: &[u8]) -> usize {
    let n = b.len();
    for back in 1..=n.min(3) {
        let byte = b[n - back];
        if byte & 0b1100_0000 != 0b1000_0000 {
            let need = match byte {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            return if need > back { n - back } else { n };
        }
    }
    n
}

/// Reads `fd` to its end into a capture of `limit` bytes, streaming chunks to `events`.
pub async fn read_stream(fd: OwnedFd, stream: Stream, limit: usize, events: EventSink) -> Captured {
    let mut capture = Capture::new(limit);
    let Ok(mut rx) = pipe::Receiver::from_owned_fd(fd) else {
        return capture.finish();
    };
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match rx.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let text = capture.push(&buf[..n]);
                if let (Some(tx), false) = (&events, text.is_empty()) {
                    let _ = tx.send(match stream {
                        Stream::Stdout => ExecEvent::Stdout(text),
                        Stream::Stderr => ExecEvent::Stderr(text),
                    });
                }
            }
        }
    }
    capture.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_flags() {
        let mut c = Capture::new(4);
        c.push(b"abc");
        c.push(b"def");
        let out = c.finish();
        assert_eq!(out.text, "abcd");
        assert!(out.truncated);
    }

    #[test]
    fn never_splits_a_character_between_events() {
        let mut c = Capture::new(100);
        let euro = "€".as_bytes(); // 3 bytes
        assert_eq!(c.push(&[b'a', euro[0]]), "a");
        assert_eq!(c.push(&euro[1..2]), "");
        assert_eq!(c.push(&euro[2..]), "€");
        assert_eq!(c.finish().text, "a€");
    }

    #[test]
    fn binary_output_is_replaced_not_lost() {
        let mut c = Capture::new(100);
        c.push(&[0xff, b'x', 0x00]);
        assert_eq!(c.finish().text, "\u{fffd}x\u{0}");
    }
}
