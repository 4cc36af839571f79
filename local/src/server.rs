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

    /// Stops serving and kills every sandbox.
    pub async fn shutdown(self) {
        self.task.abort();
        self.engine.shutdown().await;
    }
}
