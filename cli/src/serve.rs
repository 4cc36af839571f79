//! `hopx serve`: the local engine as a standalone HopX server, for any client (ours, the
//! official SDKs and CLI) pointed at its URL. The same as `hopx-local serve`.

use crate::output::Out;
use hopx_core::{Error, ErrorKind};
use hopx_local::{EngineConfig, Server};
use std::net::{IpAddr, SocketAddr};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port of the control plane (0 picks a free one).
    #[arg(long, default_value_t = 7777)]
    port: u16,
    /// The key clients must send (default: $HOPX_LOCAL_API_KEY; without one, any key is taken).
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
}

pub async fn serve(args: ServeArgs, out: &Out) -> Result<i32, Error> {
    let key = args.key.or_else(|| std::env::var("HOPX_LOCAL_API_KEY").ok().filter(|k| !k.is_empty()));
    let addr = SocketAddr::new(args.host, args.port);
    let config = EngineConfig { api_key: key, ..EngineConfig::from_env() };
    let server = Server::start(config, addr)
        .await
        .map_err(|e| Error::new(ErrorKind::Hopx, format!("cannot serve on {addr}: {e}")))?;
    if out.json {
        out.json(&serde_json::json!({ "base_url": server.base_url() }));
    } else {
        println!("hopx serving the HopX API on {}", server.base_url());
    }
    server.serve_until_signalled().await;
    Ok(0)
}
