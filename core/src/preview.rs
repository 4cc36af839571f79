//! Preview URLs: a URL that reaches a server listening on a port inside the sandbox.
//!
//! In the cloud the URL is derived from the agent's host (`https://7777-<id>.<region>.vms.
//! hopx.dev` gives `https://<port>-<id>.<region>.vms.hopx.dev/`), as the official SDKs do.
//! Any other agent (the local engine) is asked for one with `POST /preview-url {port}`: the
//! local engine answers with a loopback port it forwards into the sandbox's own network.

use crate::agent;
use crate::error::Error;
use crate::retry::IDEMPOTENT;
use crate::sandbox::Sandbox;
use crate::Result;
use serde_json::json;

impl Sandbox {
    /// A URL that reaches `port` (1 to 65535) inside the sandbox, ending in `/`.
    pub async fn preview_url(&self, port: i64) -> Result<String> {
        self.ensure_alive()?;
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| Error::validation(format!("port must be from 1 to 65535, got {port}")))?;
        let agent_url = self.resolve_agent_url().await?;
        if let Some(url) = cloud_preview_url(&agent_url, port) {
            return Ok(url);
        }
        let http = &self.client().control().http()?;
        let answer = self
            .agent_call(&IDEMPOTENT, |url, tok| async move {
                agent::post(http, &format!("{url}/preview-url"), &tok, &json!({ "port": port })).await
            })
            .await?;
        answer["url"].as_str().map(String::from).ok_or_else(|| {
            Error::new(
                crate::ErrorKind::Api,
                format!("the agent gave no preview URL for port {port}: {answer}"),
            )
        })
    }
}

/// The cloud's preview URL for an agent at `[scheme://][<digits>-]<id>.<rest>.vms.hopx.dev`.
fn cloud_preview_url(agent_url: &str, port: u16) -> Option<String> {
    let host = agent_url.split_once("://").map_or(agent_url, |(_, rest)| rest).trim_end_matches('/');
    if host.contains(['/', ':']) || !host.ends_with(".vms.hopx.dev") {
        return None;
    }
    let (first, rest) = host.split_once('.')?;
    // The first label is `<id>` or `<port>-<id>`.
    let id = match first.split_once('-') {
        Some((digits, id)) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => id,
        _ => first,
    };
    if id.is_empty() || rest == "vms.hopx.dev" {
        return None;
    }
    Some(format!("https://{port}-{id}.{rest}/"))
}

#[cfg(test)]
mod tests {
    use super::cloud_preview_url;

    #[test]
    fn cloud_urls_swap_the_port() {
        let at = |u: &str| cloud_preview_url(u, 8080);
        let want = Some("https://8080-sbx1.eu-1001.vms.hopx.dev/".to_string());
        assert_eq!(at("https://7777-sbx1.eu-1001.vms.hopx.dev"), want);
        assert_eq!(at("https://7777-sbx1.eu-1001.vms.hopx.dev/"), want);
        assert_eq!(at("sbx1.eu-1001.vms.hopx.dev"), want);
        assert_eq!(at("http://127.0.0.1:41234"), None);
        assert_eq!(at("https://example.com"), None);
        assert_eq!(at("https://7777-sbx1.vms.hopx.dev"), None);
    }
}
