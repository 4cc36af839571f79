//! `Sandbox.debug`: a handle on one agent alone, given its URL and token, without asking a
//! control plane (for debugging an agent directly). Agent calls work; control-plane calls
//! (`kill`, `get_info`, token refresh) go to the agent's address and fail there.

use crate::client::Client;
use crate::config::ClientConfig;
use crate::error::Error;
use crate::sandbox::Sandbox;
use crate::token::{self, Token};
use crate::Result;

/// How long the given token is trusted before a refresh would be tried.
const DEBUG_TOKEN_LIFE: i64 = 24 * 3600;

impl Sandbox {
    /// A handle on the agent at `agent_url` (`ws://`/`wss://` taken as `http://`/`https://`)
    /// that sends `jwt_token`, named `sandbox_id`.
    pub async fn debug(agent_url: &str, jwt_token: &str, sandbox_id: &str) -> Result<Sandbox> {
        let url = http_url(agent_url)?;
        if jwt_token.is_empty() {
            return Err(Error::validation("jwt_token must not be empty"));
        }
        let config = ClientConfig { base_url: Some(url.clone()), ..Default::default() };
        let client = Client::new(config).await?;
        let tok = Token { value: jwt_token.to_string(), expires_at: Some(token::now() + DEBUG_TOKEN_LIFE) };
        token::put(client.base_url(), sandbox_id, tok);
        Ok(Sandbox::from_parts(client, sandbox_id, Some(url)))
    }
}

fn http_url(agent_url: &str) -> Result<String> {
    let url = if let Some(rest) = agent_url.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = agent_url.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        agent_url.to_string()
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() <= "https://".len() {
        return Err(Error::validation(format!(
            "agent_url must be an http(s) or ws(s) URL, got {agent_url:?}"
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::http_url;

    #[test]
    fn websocket_urls_become_http() {
        assert_eq!(http_url("wss://7777-x.vms.hopx.dev/").unwrap(), "https://7777-x.vms.hopx.dev");
        assert_eq!(http_url("ws://127.0.0.1:9").unwrap(), "http://127.0.0.1:9");
        assert_eq!(http_url("http://127.0.0.1:9").unwrap(), "http://127.0.0.1:9");
        assert!(http_url("127.0.0.1:9").is_err());
        assert!(http_url("").is_err());
    }
}
