//! What `hopx` prints: results as text or JSON (`--json`), errors as one line on stderr,
//! colour and progress only when a person watches (a terminal, and no `NO_COLOR`).

use hopx_core::{Error, ErrorKind, Progress};
use serde_json::Value;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// Exit status of a run or command that passed its timeout (as `timeout(1)`).
pub const TIMED_OUT: i32 = 124;

pub struct Out {
    pub json: bool,
    color: bool,
    tty: bool,
}

impl Out {
    pub fn new(json: bool) -> Out {
        let tty = std::io::stderr().is_terminal();
        Out { json, color: tty && std::env::var_os("NO_COLOR").is_none(), tty }
    }

    /// Prints one value as JSON on stdout.
    pub fn json(&self, value: &Value) {
        println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
    }

    /// An error of ours (not of the SDK): one line, status 1.
    pub fn fail(&self, message: &str) -> i32 {
        self.line(message);
        1
    }

    /// An SDK error: one line (and, with `--json`, an object on stdout); 124 for a timeout.
    pub fn error(&self, error: &Error) -> i32 {
        self.line(&format!("{error} ({})", error.kind.class_name()));
        if self.json {
            self.json(&serde_json::json!({
                "error": { "class": error.kind.class_name(), "message": error.message, "code": error.code }
            }));
        }
        if error.kind == ErrorKind::Timeout {
            TIMED_OUT
        } else {
            1
        }
    }

    /// A note for the person at the terminal (never mixed into stdout).
    pub fn note(&self, message: &str) {
        eprintln!("{message}");
    }

    fn line(&self, message: &str) {
        let label = if self.color { "\x1b[1;31merror\x1b[0m" } else { "error" };
        eprintln!("{label}: {}", message.lines().next().unwrap_or(message));
    }

    /// A progress line for a transfer, redrawn in place on a terminal; `None` elsewhere.
    pub fn progress(&self, label: &str) -> Option<Progress> {
        if !self.tty {
            return None;
        }
        let label = label.to_string();
        Some(Arc::new(move |done: u64, total: Option<u64>| {
            let mib = |n: u64| n as f64 / (1024.0 * 1024.0);
            let text = match total {
                Some(t) if t > 0 => format!("{label}: {:.1} / {:.1} MiB", mib(done), mib(t)),
                _ => format!("{label}: {:.1} MiB", mib(done)),
            };
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K{text}");
            if total == Some(done) {
                let _ = writeln!(err);
            }
            let _ = err.flush();
        }))
    }
}
