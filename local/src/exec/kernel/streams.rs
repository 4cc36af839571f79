//! The kernel's stdout and stderr, read for its whole life and handed to the run in
//! progress. A run's output ends at a sentinel the runner writes after flushing, so output
//! from one run never leaks into the next and nothing printed is left behind.

use crate::exec::output::{Capture, Captured, Stream};
use crate::exec::{EventSink, ExecEvent};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::sync::Notify;

/// What one run collects from one stream.
struct Current {
    capture: Capture,
    sentinel: Vec<u8>,
    /// Bytes that may be the start of the sentinel, held until the next chunk decides.
    held: Vec<u8>,
    found: bool,
    events: EventSink,
}

/// One stream of the kernel, shared between its reader task and the runs.
pub struct StreamRouter {
    stream: Stream,
    current: Mutex<Option<Current>>,
    /// Set when the stream reached EOF (the kernel is gone).
    closed: Mutex<bool>,
    changed: Notify,
}

impl StreamRouter {
    /// Starts reading `fd` for the kernel's life.
    pub fn spawn(fd: OwnedFd, stream: Stream) -> std::io::Result<Arc<StreamRouter>> {
        let mut rx = pipe::Receiver::from_owned_fd(fd)?;
        let router = Arc::new(StreamRouter {
            stream,
            current: Mutex::new(None),
            closed: Mutex::new(false),
            changed: Notify::new(),
        });
        let r = router.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match rx.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => r.feed(&buf[..n]),
                }
            }
            *r.closed.lock().unwrap() = true;
            r.changed.notify_waiters();
        });
        Ok(router)
    }

    /// Starts collecting for a run that ends at `sentinel`.
    pub fn begin(&self, sentinel: &str, limit: usize, events: EventSink) {
        *self.current.lock().unwrap() = Some(Current {
            capture: Capture::new(limit),
            sentinel: sentinel.as_bytes().to_vec(),
            held: Vec::new(),
            found: false,
            events,
        });
    }

    fn feed(&self, chunk: &[u8]) {
        let mut guard = self.current.lock().unwrap();
        // Output while no run is in progress (a leftover background process) is dropped.
        let Some(cur) = guard.as_mut().filter(|c| !c.found) else {
            return;
        };
        let mut data = std::mem::take(&mut cur.held);
        data.extend_from_slice(chunk);
        let (body, found) = match find(&data, &cur.sentinel) {
            Some(pos) => (&data[..pos], true),
            None => {
                let hold = partial_suffix(&data, &cur.sentinel);
                cur.held = data[data.len() - hold..].to_vec();
                (&data[..data.len() - hold], false)
            }
        };
        let text = cur.capture.push(body);
        if let (Some(tx), false) = (&cur.events, text.is_empty()) {
            let _ = tx.send(match self.stream {
                Stream::Stdout => ExecEvent::Stdout(text),
                Stream::Stderr => ExecEvent::Stderr(text),
            });
        }
        if found {
            cur.found = true;
            drop(guard);
            self.changed.notify_waiters();
        }
    }

    /// Waits until the current run's sentinel arrived (true) or the stream closed (false).
    pub async fn wait_sentinel(&self) -> bool {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.current.lock().unwrap().as_ref().is_none_or(|c| c.found) {
                return true;
            }
            if *self.closed.lock().unwrap() {
                return false;
            }
            notified.await;
        }
    }

    /// Ends the current run and returns what it collected (held bytes included).
    pub fn finish(&self) -> Captured {
        match self.current.lock().unwrap().take() {
            Some(mut cur) => {
                let held = std::mem::take(&mut cur.held);
                cur.capture.push(&held);
                cur.capture.finish()
            }
            None => Captured::default(),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Length of the longest suffix of `data` that is a proper prefix of `sentinel`.
fn partial_suffix(data: &[u8], sentinel: &[u8]) -> usize {
    let max = data.len().min(sentinel.len().saturating_sub(1));
    (1..=max).rev().find(|&n| data[data.len() - n..] == sentinel[..n]).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_only_a_possible_sentinel_start() {
        assert_eq!(partial_suffix(b"hello\n", b"\x01END"), 0);
        assert_eq!(partial_suffix(b"hello\x01E", b"\x01END"), 2);
        assert_eq!(find(b"ab\x01ENDcd", b"\x01END"), Some(2));
    }

    #[tokio::test]
    async fn splits_output_at_the_sentinel_across_chunks() {
        let router = StreamRouter {
            stream: Stream::Stdout,
            current: Mutex::new(None),
            closed: Mutex::new(false),
            changed: Notify::new(),
        };
        router.begin("\x01S", 100, None);
        router.feed(b"one\n\x01");
        router.feed(b"Slate");
        assert!(router.wait_sentinel().await);
        assert_eq!(router.finish().text, "one\n");
        router.feed(b"dropped");
        assert_eq!(router.finish().text, "");
    }
}
