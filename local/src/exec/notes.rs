//! Lines the engine adds to a run's stderr (`[hopx] ...`), so whoever reads the output learns
//! why a run ended the way it did: a memory limit, a restarted kernel.

use super::output::Captured;
use crate::spawn::Limits;

/// Appends an engine note on its own line.
pub fn note(stream: &mut Captured, line: &str) {
    if !stream.text.is_empty() && !stream.text.ends_with('\n') {
        stream.text.push('\n');
    }
    stream.text.push_str(line);
    stream.text.push('\n');
}

/// The line that explains an out-of-memory kill in a sandbox with these limits.
pub fn memory_note(limits: &Limits) -> String {
    match limits.memory_bytes {
        Some(b) => format!("[hopx] killed: the sandbox memory limit ({} MiB) was reached", b / (1024 * 1024)),
        None => "[hopx] killed: out of memory".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_starts_on_a_line_of_its_own() {
        let mut stream = Captured { text: "partial".into(), truncated: false };
        note(&mut stream, "[hopx] one");
        note(&mut stream, "[hopx] two");
        assert_eq!(stream.text, "partial\n[hopx] one\n[hopx] two\n");
        let limits = Limits { memory_bytes: Some(256 << 20), ..Limits::default() };
        assert!(memory_note(&limits).contains("(256 MiB)"));
    }
}
