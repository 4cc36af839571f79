//! A running engine with its control plane listening: what `hopx-local serve` and the
//! embedded engine both start.

use crate::engine::config::EngineConfig;
use crate::engine::Engine;
use std::net::SocketAddr;

/// An engine serving its control plane.
pub struct Server {
    pub engine: Engine,
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Starts an engine and serves its control plane on `addr` (port 0 picks a free port).
    pub async fn start(config: EngineConfig, addr: SocketAddr) -> std::io::Result<Server> {
        let engine = Engine::start(config).await?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let router = crate::http::control::router(engine.clone());
        let task = crate::http::serve(listener, router, std::future::pending());
        Ok(Server { engine, addr, task })
    }

    /// The control plane's base URL, e.g. `http://127.0.0.1:7777`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until SIGTERM or SIGINT, then stops as [`Server::shutdown`] does. The signals
    /// are taken as a flag, not through tokio, which also works when a Node host runs its own
    /// tokio runtime beside ours (`crate::shared::serve`).
    pub async fn serve_until_signalled(self) {
        stop_signal().await;
        self.shutdown().await;
    }

    /// Stops serving and kills every sandbox.
    pub async fn shutdown(self) {
        self.task.abort();
        self.engine.shutdown().await;
    }
}

/// Returns once SIGTERM or SIGINT arrived (taken as a flag, not through tokio: see
/// [`Server::serve_until_signalled`]).
pub async fn stop_signal() {
    let stop = crate::shared::serve::stop_on_signals();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
