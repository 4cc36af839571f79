//! Calls to the control plane (`/v1/...`, authenticated by `X-API-Key`).
//!
//! Each call picks its retry policy here, next to the request it protects, so that the reason
//! a call may or may not be repeated is visible in one place.

use crate::error::{Error, ErrorKind, Plane, Result};
use crate::http::{self, Failure};
use crate::models::{CreateOptions, ListOptions, SandboxInfo};
use crate::per_process::PerProcess;
use crate::retry::{self, Policy, CREATE, IDEMPOTENT};
use hopx_wire::{CreateSandboxRequest, List, SandboxRecord};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// The official SDKs' control-plane timeout.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(60);

/// One control plane: its URL, its key and this process's HTTP client for it.
pub(crate) struct Control {
    pub base_url: String,
    pub api_key: Option<String>,
    /// Looked up once per process (a forked child gets its own), not once per request.
    http: PerProcess<Result<reqwest::Client>>,
}

impl Control {
    pub fn new(base_url: String, api_key: Option<String>) -> Control {
        Control { base_url, api_key, http: PerProcess::new() }
    }

    /// The shared HTTP client of this process for this control plane (and its agents).
    pub fn http(&self) -> Result<reqwest::Client> {
        self.http.get(|_| http::shared_client(&self.base_url, self.api_key.as_deref())).clone()
    }

    async fn call(&self, policy: &Policy, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        self.call_raw(policy, method, path, body, &[], &[]).await.map_err(Error::from)
    }

    async fn call_raw(
        &self,
        policy: &Policy,
        method: Method,
        path: &str,
        body: Option<&Value>,
        query: &[(&str, String)],
        headers: &[(&str, String)],
    ) -> std::result::Result<Value, Failure> {
        let url = format!("{}{}", self.base_url, path);
        let client = self.http().map_err(|error| Failure { error, connect: false, retry_after: None })?;
        retry::run(policy, || {
            let mut req = client.request(method.clone(), &url).header("Content-Type", "application/json");
            if let Some(key) = &self.api_key {
                req = req.header("X-API-Key", key);
            }
            if !query.is_empty() {
                req = req.query(query);
            }
            for (name, value) in headers {
                req = req.header(*name, value);
            }
            if let Some(body) = body {
                req = req.body(body.to_string());
            }
            http::send(Plane::Control, req, CONTROL_TIMEOUT)
        })
        .await
    }

    /// `POST /v1/sandboxes`; returns the raw body (it carries the agent token). `owner` is the
    /// header that ties the sandbox to this process on a shared local engine.
    pub async fn create(&self, options: &CreateOptions, owner: Option<(&str, String)>) -> Result<Value> {
        let body = serde_json::to_value(create_body(options)?).expect("a create request is JSON");
        let headers: Vec<(&str, String)> = owner.into_iter().collect();
        let failure =
            match self.call_raw(&CREATE, Method::POST, "/v1/sandboxes", Some(&body), &[], &headers).await {
                Ok(created) => return Ok(created),
                Err(f) => f.error,
            };
        let not_found = matches!(failure.kind, ErrorKind::NotFound | ErrorKind::TemplateNotFound);
        match (&options.template_id, &options.template) {
            (None, Some(name)) if not_found => Err(self.template_not_found(failure, name).await),
            _ => Err(failure),
        }
    }

    /// Turns a 404 on create into `TemplateNotFound`, keeping the original code and ids and
    /// listing the templates that exist (when the server did not already).
    async fn template_not_found(&self, mut error: Error, name: &str) -> Error {
        error.kind = ErrorKind::TemplateNotFound;
        error.template_name = Some(name.to_string());
        if error.available_templates.is_empty() {
            // Best effort: the suggestion list must not hide the real error.
            error.available_templates = self.template_names().await.unwrap_or_default();
        }
        if !error.message.contains(name) {
            error.message = format!("Template '{name}' not found: {}", error.message);
        }
        error
    }

    /// Names from `GET /v1/templates`. Only the name is read, from each item that has one:
    /// the rest of a cloud template is no business of this call's.
    pub async fn template_names(&self) -> Result<Vec<String>> {
        let body = self.call(&IDEMPOTENT, Method::GET, "/v1/templates", None).await?;
        let items = serde_json::from_value::<List<Value>>(body).map(|list| list.data).unwrap_or_default();
        Ok(items.iter().filter_map(|t| t.get("name").and_then(Value::as_str).map(String::from)).collect())
    }

    /// `GET /v1/sandboxes/{id}`.
    pub async fn get(&self, id: &str) -> Result<SandboxInfo> {
        let body = self.call(&IDEMPOTENT, Method::GET, &sandbox_path(id, ""), None).await?;
        parse_info(body)
    }

    /// `GET /v1/sandboxes` with the filters that are set; a `null` list is empty.
    pub async fn list(&self, options: &ListOptions) -> Result<Vec<SandboxInfo>> {
        self.list_page(options, None).await.map(|(page, _)| page)
    }

    /// One page of `GET /v1/sandboxes` from `cursor` (the first without one), and the cursor of
    /// the next page when there is one.
    pub async fn list_page(
        &self,
        options: &ListOptions,
        cursor: Option<&str>,
    ) -> Result<(Vec<SandboxInfo>, Option<String>)> {
        let mut query = Vec::new();
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_string()));
        }
        if let Some(limit) = options.limit {
            query.push(("limit", limit.to_string()));
        }
        if let Some(status) = &options.status {
            query.push(("status", status.clone()));
        }
        if let Some(region) = &options.region {
            query.push(("region", region.clone()));
        }
        let body = self.call_raw(&IDEMPOTENT, Method::GET, "/v1/sandboxes", None, &query, &[]).await?;
        let list: List<SandboxRecord> = serde_json::from_value(body).map_err(unreadable)?;
        let next = list.next_cursor.filter(|c| list.has_more && !c.is_empty());
        Ok((list.data.into_iter().map(SandboxInfo::from).collect(), next))
    }

    /// `GET /v1/templates`, optionally only those of a `category` or `language`: the records as
    /// the control plane sent them.
    pub async fn templates(&self, category: Option<&str>, language: Option<&str>) -> Result<Vec<Value>> {
        let query: Vec<(&str, String)> = [("category", category), ("language", language)]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?.to_string())))
            .collect();
        let body = self.call_raw(&IDEMPOTENT, Method::GET, "/v1/templates", None, &query, &[]).await?;
        Ok(body["data"].as_array().cloned().unwrap_or_default())
    }

    /// `GET /v1/templates/{name}`.
    pub async fn template(&self, name: &str) -> Result<Value> {
        self.call(&IDEMPOTENT, Method::GET, &format!("/v1/templates/{}", escape(name)), None).await
    }

    /// `DELETE /v1/templates/{id}`: the control plane's answer.
    pub async fn delete_template(&self, id: &str) -> Result<Value> {
        self.call(&IDEMPOTENT, Method::DELETE, &format!("/v1/templates/{}", escape(id)), None).await
    }

    /// `GET /health` of the control plane (no key needed).
    pub async fn health(&self) -> Result<Value> {
        self.call(&IDEMPOTENT, Method::GET, "/health", None).await
    }

    /// `DELETE /v1/sandboxes/{id}`.
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.call(&IDEMPOTENT, Method::DELETE, &sandbox_path(id, ""), None).await.map(drop)
    }

    /// `PUT /v1/sandboxes/{id}/timeout`. Zero would kill the sandbox at once: refused here.
    pub async fn set_timeout(&self, id: &str, seconds: u64) -> Result<()> {
        if seconds == 0 {
            return Err(Error::validation("timeout_seconds must be a positive number of seconds"));
        }
        let body = json!({ "timeout_seconds": seconds });
        self.call(&IDEMPOTENT, Method::PUT, &sandbox_path(id, "/timeout"), Some(&body)).await.map(drop)
    }

    /// `POST /v1/sandboxes/{id}/token/refresh`; returns the raw body.
    pub async fn refresh_token(&self, id: &str) -> Result<Value> {
        self.call(&IDEMPOTENT, Method::POST, &sandbox_path(id, "/token/refresh"), None).await
    }

    /// `POST /v1/sandboxes/{id}/pause`. Pausing a paused sandbox is harmless, so it retries.
    pub async fn pause(&self, id: &str) -> Result<()> {
        self.call(&IDEMPOTENT, Method::POST, &sandbox_path(id, "/pause"), None).await.map(drop)
    }

    /// `POST /v1/sandboxes/{id}/resume`. Resuming a resumed sandbox is harmless, so it retries.
    pub async fn resume(&self, id: &str) -> Result<()> {
        self.call(&IDEMPOTENT, Method::POST, &sandbox_path(id, "/resume"), None).await.map(drop)
    }
}

/// The create body: a template id (as a string) or name, plus the options that are set.
fn create_body(options: &CreateOptions) -> Result<CreateSandboxRequest> {
    let non_empty = |s: &Option<String>| s.clone().filter(|v| !v.trim().is_empty());
    let (template_id, template_name) = match (non_empty(&options.template_id), non_empty(&options.template)) {
        (Some(id), _) => (Some(id), None),
        (None, Some(name)) => (None, Some(name)),
        (None, None) => return Err(Error::validation("Either 'template' or 'template_id' must be provided")),
    };
    Ok(CreateSandboxRequest {
        template_id,
        template_name,
        region: options.region.clone(),
        timeout_seconds: options.timeout_seconds,
        internet_access: options.internet_access,
        env_vars: options.env_vars.clone(),
    })
}

/// `/v1/sandboxes/{id}{suffix}`, with the id escaped so it cannot change the path.
fn sandbox_path(id: &str, suffix: &str) -> String {
    format!("/v1/sandboxes/{}{suffix}", escape(id))
}

/// Percent-escapes a path segment so an id cannot change the path.
pub(crate) fn escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A sandbox record; one without an id is a broken server, reported as such.
pub(crate) fn parse_info(body: Value) -> Result<SandboxInfo> {
    serde_json::from_value::<SandboxRecord>(body).map(SandboxInfo::from).map_err(unreadable)
}

fn unreadable(e: serde_json::Error) -> Error {
    Error::new(ErrorKind::Api, format!("The control plane sent an unreadable sandbox: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_body_prefers_template_id_and_omits_unset_fields() {
        let opts = CreateOptions {
            template: Some("base".into()),
            template_id: Some("291".into()),
            timeout_seconds: Some(60),
            ..Default::default()
        };
        let body = |opts: &CreateOptions| serde_json::to_value(create_body(opts).unwrap()).unwrap();
        assert_eq!(body(&opts), json!({"template_id": "291", "timeout_seconds": 60}));
        let opts = CreateOptions { template: Some("base".into()), ..Default::default() };
        assert_eq!(body(&opts), json!({"template_name": "base"}));
        let err = create_body(&CreateOptions::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.message, "Either 'template' or 'template_id' must be provided");
    }

    #[test]
    fn ids_cannot_escape_their_path() {
        assert_eq!(sandbox_path("abc-1", "/timeout"), "/v1/sandboxes/abc-1/timeout");
        assert_eq!(sandbox_path("../x?y", ""), "/v1/sandboxes/..%2Fx%3Fy");
    }
}
