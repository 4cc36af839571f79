//! `sandbox.files`: the agent's `/files/*` calls. Text and small binary content go as JSON;
//! uploads and downloads stream, so a file of any size costs the client a few buffers.
//!
//! Retries follow what each call can do twice without harm: reads, listings and downloads
//! retry like any idempotent call; a write, a mkdir and an upload replace or create the same
//! thing again, so they retry too; a remove does not retry once the agent may have acted
//! (a second remove of a removed file would report it missing).

use crate::error::{Error, ErrorKind, Plane};
use crate::http::{self, Failure};
use crate::retry::{Policy, IDEMPOTENT};
use crate::sandbox::Sandbox;
use crate::transfer::{upload_body, Download};
use crate::Result;
use base64::Engine as _;
use hopx_wire::{FileContent, FileExists, FileInfo, FileList, FileWriteRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Timeout of the small file calls (the official SDKs' agent default).
pub(crate) const FILE_TIMEOUT: Duration = Duration::from_secs(60);
/// Timeout of `exists` (the official SDKs').
const EXISTS_TIMEOUT: Duration = Duration::from_secs(10);
/// The slowest link an upload's default timeout allows for, on top of [`FILE_TIMEOUT`]: a
/// 1 GiB file gets about 17 minutes, not the official SDKs' flat minute.
const SLOWEST_LINK: u64 = 1 << 20;
/// A remove is only sent again when nothing can have been removed.
const REMOVE: Policy = Policy { max_attempts: 4, statuses: &[429, 503], connect: true, connect_window: None };

/// Told how a transfer goes: bytes done so far and the total when known.
pub type Progress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// The file calls of one sandbox. Cheap to clone.
#[derive(Clone)]
pub struct Files {
    sandbox: Sandbox,
    timeout: Option<Duration>,
}

impl Files {
    pub(crate) fn new(sandbox: Sandbox) -> Files {
        Files { sandbox, timeout: None }
    }

    pub(crate) fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The timeout given with [`Files::with_timeout`], if any.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The same calls with `timeout` bounding each whole call (`None`: each call's default).
    pub fn with_timeout(&self, timeout: Option<Duration>) -> Files {
        Files { sandbox: self.sandbox.clone(), timeout }
    }

    /// `GET /files/read`: a text file's content.
    pub async fn read(&self, path: &str) -> Result<String> {
        let body: FileContent = self.get_json("/files/read", path, FILE_TIMEOUT).await?;
        Ok(body.content)
    }

    /// `GET /files/download`: a file's exact bytes.
    pub async fn read_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let mut download = self.open_download(path, None).await?;
        let mut out = Vec::with_capacity(download.total.unwrap_or(0).min(1 << 30) as usize);
        while let Some(chunk) = download.next().await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// `POST /files/write` of text; `mode` is octal text such as `"0644"`.
    pub async fn write(&self, path: &str, content: &str, mode: &str) -> Result<()> {
        self.write_request(FileWriteRequest {
            path: checked(path)?.into(),
            content: content.into(),
            mode: checked_mode(mode)?,
            encoding: None,
        })
        .await
    }

    /// `POST /files/write` of bytes (sent as base64, stored exactly).
    pub async fn write_bytes(&self, path: &str, content: &[u8], mode: &str) -> Result<()> {
        self.write_request(FileWriteRequest {
            path: checked(path)?.into(),
            content: base64::engine::general_purpose::STANDARD.encode(content),
            mode: checked_mode(mode)?,
            encoding: Some("base64".into()),
        })
        .await
    }

    /// `GET /files/list`: the entries of a folder.
    pub async fn list(&self, path: &str) -> Result<Vec<FileInfo>> {
        let body: FileList = self.get_json("/files/list", path, FILE_TIMEOUT).await?;
        Ok(body.files)
    }

    /// `GET /files/exists`.
    pub async fn exists(&self, path: &str) -> Result<bool> {
        let body: FileExists = self.get_json("/files/exists", path, EXISTS_TIMEOUT).await?;
        Ok(body.exists)
    }

    /// `DELETE /files/remove`: a file, or a folder with everything in it.
    pub async fn remove(&self, path: &str) -> Result<()> {
        let url_path = query_path("/files/remove", checked(path)?);
        let timeout = self.timeout.unwrap_or(FILE_TIMEOUT);
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        self.sandbox
            .agent_call(&REMOVE, |url, tok| {
                let req = http.delete(format!("{url}{url_path}")).bearer_auth(tok).timeout(timeout);
                async move { http::send(Plane::Agent, req, timeout).await }
            })
            .await
            .map(drop)
    }

    /// `POST /files/mkdir`: a folder and its missing parents.
    pub async fn mkdir(&self, path: &str) -> Result<()> {
        let body = serde_json::json!({ "path": checked(path)? }).to_string();
        self.post_json("/files/mkdir", body).await
    }

    /// `POST /files/upload` (multipart, fields `path` then `file`): streams `local_path` to
    /// `remote_path`, telling `progress` as it goes.
    pub async fn upload(
        &self,
        local_path: &Path,
        remote_path: &str,
        progress: Option<Progress>,
    ) -> Result<()> {
        let remote = checked(remote_path)?.to_string();
        let meta = tokio::fs::metadata(local_path).await.map_err(|e| local_error("read", local_path, e))?;
        if !meta.is_file() {
            let not_a_file = std::io::Error::other("it is not a regular file");
            return Err(local_error("upload", local_path, not_a_file));
        }
        let size = meta.len();
        let timeout = self.timeout.unwrap_or(FILE_TIMEOUT + Duration::from_secs(size / SLOWEST_LINK));
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        let file_name = local_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let boundary = format!("hopx-{:032x}", rand::random::<u128>());
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\n{remote}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            file_name.replace(['"', '\r', '\n'], "_")
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        self.sandbox
            .agent_call(&IDEMPOTENT, |url, tok| {
                let (head, tail, progress) = (head.clone(), tail.clone(), progress.clone());
                let (http, boundary) = (http.clone(), boundary.clone());
                let length = size + (head.len() + tail.len()) as u64;
                async move {
                    let file = tokio::fs::File::open(local_path)
                        .await
                        .map_err(|e| Failure::from(local_error("read", local_path, e)))?;
                    let body = upload_body(file, size, head.into_bytes(), tail.into_bytes(), progress);
                    let req = http
                        .post(format!("{url}/files/upload"))
                        .bearer_auth(tok)
                        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
                        .header("Content-Length", length.to_string())
                        .body(body)
                        .timeout(timeout);
                    http::send(Plane::Agent, req, timeout).await
                }
            })
            .await
            .map(drop)
    }

    /// `GET /files/download` into `local_path` (created or replaced), streamed; returns the
    /// number of bytes written.
    pub async fn download(
        &self,
        remote_path: &str,
        local_path: &Path,
        progress: Option<Progress>,
    ) -> Result<u64> {
        let mut download = self.open_download(remote_path, progress).await?;
        let write_error = |e| local_error("write", local_path, e);
        let mut file = tokio::fs::File::create(local_path).await.map_err(write_error)?;
        while let Some(chunk) = download.next().await? {
            file.write_all(&chunk).await.map_err(write_error)?;
        }
        file.flush().await.map_err(write_error)?;
        Ok(download.done)
    }

    /// Starts a download; retried only until the agent answers (before the first byte).
    async fn open_download(&self, path: &str, progress: Option<Progress>) -> Result<Download> {
        let url_path = query_path("/files/download", checked(path)?);
        // No limit on the whole transfer, which may be long: each wait is bounded instead.
        let idle = self.timeout.unwrap_or(FILE_TIMEOUT);
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        let response = self
            .sandbox
            .agent_call(&IDEMPOTENT, |url, tok| {
                let req = http.get(format!("{url}{url_path}")).bearer_auth(tok);
                async move {
                    match tokio::time::timeout(idle, http::send_raw(Plane::Agent, req, idle)).await {
                        Ok(r) => r,
                        Err(_) => Err(Failure::from(timed_out(idle))),
                    }
                }
            })
            .await?;
        Ok(Download {
            total: response.content_length(),
            body: Box::pin(response.bytes_stream()),
            done: 0,
            idle,
            progress,
            path: path.to_string(),
        })
    }

    async fn write_request(&self, body: FileWriteRequest) -> Result<()> {
        self.post_json("/files/write", serde_json::to_string(&body).expect("a write request is JSON")).await
    }

    async fn post_json(&self, route: &str, body: String) -> Result<()> {
        let timeout = self.timeout.unwrap_or(FILE_TIMEOUT);
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        self.sandbox
            .agent_call(&IDEMPOTENT, |url, tok| {
                let req = http
                    .post(format!("{url}{route}"))
                    .bearer_auth(tok)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
                    .timeout(timeout);
                async move { http::send(Plane::Agent, req, timeout).await }
            })
            .await
            .map(drop)
    }

    async fn get_json<T: DeserializeOwned>(&self, route: &str, path: &str, default: Duration) -> Result<T> {
        let url_path = query_path(route, checked(path)?);
        let timeout = self.timeout.unwrap_or(default);
        let http = self.sandbox.client().control().http()?;
        self.sandbox.ensure_alive()?;
        let value: Value = self
            .sandbox
            .agent_call(&IDEMPOTENT, |url, tok| {
                let req = http.get(format!("{url}{url_path}")).bearer_auth(tok).timeout(timeout);
                async move { http::send(Plane::Agent, req, timeout).await }
            })
            .await?;
        serde_json::from_value(value).map_err(|e| {
            Error::new(ErrorKind::Api, format!("the agent's answer to {route} could not be read: {e}"))
        })
    }
}

impl Sandbox {
    /// The sandbox's file calls (`sandbox.files`).
    pub fn files(&self) -> Files {
        Files::new(self.clone())
    }
}

/// A path the agent can be asked about: not empty, no NUL (no file could have it).
fn checked(path: &str) -> Result<&str> {
    if path.is_empty() {
        return Err(Error::validation("path must not be empty"));
    }
    if path.contains('\0') {
        return Err(Error::validation(format!("path {path:?} contains a NUL byte")));
    }
    Ok(path)
}

/// Permission bits as octal text, `"644"` or `"0644"`, nothing beyond `07777`.
fn checked_mode(mode: &str) -> Result<String> {
    let ok = !mode.is_empty() && mode.len() <= 5 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b));
    match ok.then(|| u32::from_str_radix(mode, 8).ok()).flatten().filter(|m| *m <= 0o7777) {
        Some(_) => Ok(mode.to_string()),
        None => Err(Error::validation(format!(
            "mode must be octal permission bits such as \"0644\", got {mode:?}"
        ))),
    }
}

fn query_path(route: &str, path: &str) -> String {
    format!("{route}?path={}", crate::control::escape(path))
}

pub(crate) fn timed_out(after: Duration) -> Error {
    Error::new(ErrorKind::Timeout, format!("Request timed out after {}s", http::seconds(after)))
}

/// A failure on the client's side of a transfer (the local file), named as such.
fn local_error(doing: &str, path: &Path, e: std::io::Error) -> Error {
    let mut err =
        Error::new(ErrorKind::FileOperation, format!("cannot {doing} local file {}: {e}", path.display()));
    err.code = Some("LOCAL_FILE_ERROR".into());
    err
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { error, connect: false, retry_after: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_octal_permission_bits() {
        for good in ["0644", "644", "0755", "7777", "0"] {
            assert_eq!(checked_mode(good).unwrap(), good);
        }
        for bad in ["", "0648", "rw-r--r--", "17777", "000000", "-1"] {
            assert_eq!(checked_mode(bad).unwrap_err().kind, ErrorKind::Validation, "{bad}");
        }
    }

    #[test]
    fn paths_are_escaped_into_the_query() {
        assert_eq!(
            query_path("/files/read", "/workspace/a b&c=d"),
            "/files/read?path=%2Fworkspace%2Fa%20b%26c%3Dd"
        );
        assert!(checked("").is_err());
        assert!(checked("/a\0b").is_err());
    }
}
