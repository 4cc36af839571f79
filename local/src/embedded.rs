//! The engine inside an SDK process: started once, on first use, on the caller's runtime.

use std::io;
use std::path::PathBuf;

/// Settings the embedding SDK may pass.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedOptions {
    /// The Python that runs sandbox code (the Python SDK passes its own interpreter).
    pub python: Option<PathBuf>,
}

/// Where the embedded engine's control plane listens, and its private API key.
#[derive(Debug, Clone)]
pub struct EmbeddedEngine {
    pub base_url: String,
    pub api_key: String,
}

/// Starts the process-wide engine if it is not running yet and returns its address.
/// Later calls return the same engine (their options are ignored).
pub async fn start(options: EmbeddedOptions) -> io::Result<EmbeddedEngine> {
    let _ = options;
    Err(io::Error::other("the embedded engine is not built yet"))
}
