//! `hopx-local serve`: the local engine as a standalone server, so any HopX client (ours or
//! the official SDKs, with `base_url` pointing here) can use it.

use hopx_local::{EngineConfig, Server};
use std::net::{IpAddr, SocketAddr};

const USAGE: &str = "usage: hopx-local serve [--host 127.0.0.1] [--port 7777] [--api-key KEY]

Serves the HopX control plane on http://HOST:PORT and one agent per sandbox on
other loopback ports. Without --api-key (or HOPX_LOCAL_API_KEY) any key is accepted.
Settings: HOPX_LOCAL_PYTHON, HOPX_LOCAL_MEMORY_MB, HOPX_LOCAL_MAX_PROCESSES,
HOPX_LOCAL_OUTPUT_LIMIT_MB, HOPX_LOCAL_RICH_OUTPUT_LIMIT_MB, HOPX_LOCAL_BACKGROUND_OUTPUT_MB,
HOPX_LOCAL_MAX_SANDBOXES, HOPX_LOCAL_KERNEL_POOL,
HOPX_LOCAL_ISOLATION=none (no isolation: trusted code only).";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok((addr, key)) => run(addr, key),
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("hopx-local: {msg}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if msg.is_empty() { 0 } else { 2 });
        }
    }
}

fn parse(args: &[String]) -> Result<(SocketAddr, Option<String>), String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("serve") => {}
        Some("-h" | "--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}")),
    }
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port: u16 = 7777;
    let mut key = std::env::var("HOPX_LOCAL_API_KEY").ok().filter(|k| !k.is_empty());
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => host = value()?.parse().map_err(|e| format!("--host: {e}"))?,
            "--port" => port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--api-key" => key = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok((SocketAddr::new(host, port), key))
}

fn run(addr: SocketAddr, api_key: Option<String>) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(async move {
        let config = EngineConfig { api_key, ..EngineConfig::from_env() };
        let server = match Server::start(config, addr).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("hopx-local: cannot serve on {addr}: {e}");
                std::process::exit(1);
            }
        };
        println!("hopx-local serving the HopX API on {}", server.base_url());
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        server.shutdown().await;
    });
}
