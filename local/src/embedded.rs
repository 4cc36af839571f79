//! The engine inside an SDK process: started once, on first use, on a runtime of its own
//! (so it outlives whichever caller started it: a test's runtime, a short-lived event loop).

use crate::{EngineConfig, Server};
use std::io;
use std::path::PathBuf;
use tokio::sync::OnceCell;

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

static ENGINE: OnceCell<EmbeddedEngine> = OnceCell::const_new();

/// The engine's own runtime, on two worker threads that live as long as the process.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hopx-engine")
            .enable_all()
            .build()
            .expect("cannot start the engine runtime")
    })
}

/// Starts the process-wide engine if it is not running yet and returns its address.
/// Later calls return the same engine (their options are ignored).
pub async fn start(options: EmbeddedOptions) -> io::Result<EmbeddedEngine> {
    ENGINE
        .get_or_try_init(|| async {
            runtime()
                .spawn(launch(options))
                .await
                .map_err(|e| io::Error::other(format!("the engine failed to start: {e}")))?
        })
        .await
        .cloned()
}

async fn launch(options: EmbeddedOptions) -> io::Result<EmbeddedEngine> {
    let mut config = EngineConfig::from_env();
    if config.python.is_none() {
        config.python = options.python;
    }
    // A random key of its own: other local users cannot drive this engine.
    let api_key = crate::ids::secret();
    config.api_key = Some(api_key.clone());
    let server = Server::start(config, ([127, 0, 0, 1], 0).into()).await?;
    let base_url = server.base_url();
    // The server lives as long as the process.
    std::mem::forget(server);
    Ok(EmbeddedEngine { base_url, api_key })
}
