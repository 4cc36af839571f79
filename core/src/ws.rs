//! Opening an agent WebSocket (`/execute/stream`, `/files/watch`): the URL from the agent's
//! base URL, the bearer token on the upgrade, and the first message the protocol asks for.

use crate::error::{Error, ErrorKind, Plane};
use futures_util::SinkExt;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why opening failed: the upgrade's HTTP status matters (401 means refresh).
pub(crate) struct OpenFailure {
    pub error: Error,
    pub status: Option<u16>,
}

/// Connects to `{agent}{path}` with the bearer token and sends `first` as a JSON text frame.
pub(crate) async fn open(
    agent_url: &str,
    path: &str,
    token: &str,
    first: &impl Serialize,
) -> Result<Socket, OpenFailure> {
    let ws_url = match agent_url.split_once("://") {
        Some(("https", rest)) => format!("wss://{}", host_of(rest)),
        Some((_, rest)) => format!("ws://{}", host_of(rest)),
        None => format!("ws://{}", host_of(agent_url)),
    } + path;
    let mut req = ws_url.as_str().into_client_request().map_err(|e| OpenFailure {
        error: Error::new(ErrorKind::Network, format!("bad WebSocket URL {ws_url}: {e}")),
        status: None,
    })?;
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        req.headers_mut().insert("Authorization", v);
    }
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(req, None, true).await.map_err(open_error)?;
    let text = serde_json::to_string(first).expect("a WebSocket message is JSON");
    ws.send(Message::text(text)).await.map_err(|e| OpenFailure {
        error: Error::new(ErrorKind::Network, format!("cannot send the first message on {path}: {e}")),
        status: None,
    })?;
    Ok(ws)
}

fn host_of(rest: &str) -> &str {
    rest.split('/').next().unwrap_or(rest)
}

fn open_error(e: tokio_tungstenite::tungstenite::Error) -> OpenFailure {
    use tokio_tungstenite::tungstenite::Error as WsError;
    match e {
        WsError::Http(resp) => {
            let status = resp.status().as_u16();
            let rid = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from);
            let body =
                resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            OpenFailure {
                error: Error::from_response(Plane::Agent, status, rid, &body),
                status: Some(status),
            }
        }
        other => OpenFailure {
            error: Error::new(ErrorKind::Network, format!("cannot open the WebSocket: {other}")),
            status: None,
        },
    }
}
