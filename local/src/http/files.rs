//! The agent's `/files/*` routes (agent spec; `reference/wire-api.md` §B.6). The work itself,
//! and why it cannot leave the sandbox, is `crate::files`; this is the wire: parameters,
//! answers, streaming, and one mapping from OS errors to the protocol's codes.

use super::agent::Agent;
use super::error_body::AgentError;
use super::json_object;
use crate::engine::error::ApiError;
use crate::files::{Entry, SandboxFiles, SandboxPath};
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use hopx_wire::{code, FileContent, FileExists, FileInfo, FileList, FileResponse};
use serde::Deserialize;
use serde_json::Value;
use std::io;

/// Permission bits of a write that names none.
const DEFAULT_MODE: u32 = 0o644;
/// Pieces a download is read in.
const CHUNK: usize = 256 * 1024;

#[derive(Deserialize)]
pub struct PathQuery {
    path: Option<String>,
}

type Answer = Result<Response, AgentError>;

pub async fn read(State(agent): State<Agent>, Query(q): Query<PathQuery>) -> Answer {
    let (files, path) = target(&agent, q.path.as_deref())?;
    let bytes = files.read(&path).await.map_err(|e| fail("read", &path, e))?;
    let size = bytes.len() as u64;
    let content =
        String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Json(FileContent { content, path: path.shown, size }).into_response())
}

pub async fn list(State(agent): State<Agent>, Query(q): Query<PathQuery>) -> Answer {
    let (files, path) = target(&agent, Some(q.path.as_deref().unwrap_or("/workspace")))?;
    let entries = files.list(&path).await.map_err(|e| fail("list", &path, e))?;
    let files: Vec<FileInfo> = entries.into_iter().map(|e| info(&path, e)).collect();
    Ok(Json(FileList { path: path.shown, count: files.len() as u64, files }).into_response())
}

pub async fn exists(State(agent): State<Agent>, Query(q): Query<PathQuery>) -> Answer {
    let (files, path) = target(&agent, q.path.as_deref())?;
    let exists = files.exists(&path).await.map_err(|e| fail("check", &path, e))?;
    Ok(Json(FileExists { exists, path: path.shown }).into_response())
}

pub async fn remove(State(agent): State<Agent>, Query(q): Query<PathQuery>) -> Answer {
    let (files, path) = target(&agent, q.path.as_deref())?;
    files.remove(&path).await.map_err(|e| fail("remove", &path, e))?;
    Ok(done(&path, 0, "removed"))
}

pub async fn mkdir(State(agent): State<Agent>, body: Bytes) -> Answer {
    let obj = json_object(&body)?;
    let (files, path) = target(&agent, string_field(&obj, "path")?.as_deref())?;
    files.mkdir(&path).await.map_err(|e| fail("create folder", &path, e))?;
    Ok(done(&path, 0, "created"))
}

pub async fn write(State(agent): State<Agent>, body: Bytes) -> Answer {
    let obj = json_object(&body)?;
    let (files, path) = target(&agent, string_field(&obj, "path")?.as_deref())?;
    let content = string_field(&obj, "content")?.ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_PARAMETER, "content is required")
    })?;
    let bytes = match string_field(&obj, "encoding")?.as_deref() {
        None | Some("") | Some("utf-8") | Some("utf8") => content.into_bytes(),
        Some("base64") => base64::engine::general_purpose::STANDARD
            .decode(content.as_bytes())
            .map_err(|e| ApiError::bad_request(format!("content is not valid base64: {e}")))?,
        Some(other) => {
            return Err(ApiError::bad_request(format!("unknown encoding {other:?} (only \"base64\")")).into())
        }
    };
    let mode = mode(string_field(&obj, "mode")?.as_deref())?;
    if obj.get("overwrite") == Some(&Value::Bool(false)) && files.exists(&path).await.unwrap_or(false) {
        let msg = format!("{} already exists", path.shown);
        return Err(ApiError::new(StatusCode::CONFLICT, code::FILE_ALREADY_EXISTS, msg)
            .with_extra("path", path.shown)
            .into());
    }
    let size = bytes.len() as u64;
    files.write(&path, bytes, mode).await.map_err(|e| fail("write", &path, e))?;
    Ok(done(&path, size, "written"))
}

/// Multipart with a `path` field and a `file` field. The file streams to a draft next to its
/// target and takes its place once complete; a `path` that comes after the file (an order
/// some clients use) is awaited with the file held in a draft in the sandbox's `/tmp`.
pub async fn upload(State(agent): State<Agent>, mut form: Multipart) -> Answer {
    let mut dest: Option<String> = None;
    let mut staged: Option<(crate::files::Upload, SandboxPath)> = None;
    let files =
        SandboxFiles::of(&agent.sandbox.context.isolator, &agent.sandbox.context.spec).map_err(gone)?;
    while let Some(mut field) = form.next_field().await.map_err(bad_form)? {
        match field.name() {
            Some("path") => dest = Some(field.text().await.map_err(bad_form)?),
            Some("file") => {
                let path = match dest.as_deref() {
                    Some(d) => files.path(d).map_err(|e| invalid_path(d, e))?,
                    None => files
                        .path(&format!("/tmp/.hopx-upload-{:016x}", rand::random::<u64>()))
                        .map_err(gone)?,
                };
                let mut up = files.create(&path, DEFAULT_MODE).await.map_err(|e| fail("upload", &path, e))?;
                while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
                    up.write(&chunk).map_err(|e| fail("upload", &path, e))?;
                }
                staged = Some((up, path));
            }
            _ => {}
        }
    }
    let (up, written_at) = staged.ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_PARAMETER, "the form has no file field")
    })?;
    let dest = dest.filter(|d| !d.is_empty()).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_PARAMETER, "the form has no path field")
    })?;
    let size = up.written();
    up.commit().await.map_err(|e| fail("upload", &written_at, e))?;
    let path = files.path(&dest).map_err(|e| invalid_path(&dest, e))?;
    if path != written_at {
        // The file arrived before its path: move it from /tmp to where it belongs.
        if let Err(e) = files.rename(&written_at, &path).await {
            let _ = files.remove(&written_at).await;
            return Err(fail("upload", &path, e));
        }
    }
    Ok(done(&path, size, "uploaded"))
}

pub async fn download(State(agent): State<Agent>, Query(q): Query<PathQuery>) -> Answer {
    let (files, path) = target(&agent, q.path.as_deref())?;
    let (file, size) = files.open(&path).await.map_err(|e| fail("download", &path, e))?;
    let body = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), CHUNK);
    let name = path.shown.rsplit('/').next().unwrap_or("download").replace(['"', '\\', '\r', '\n'], "_");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// The sandbox's files and the checked path of a call.
fn target(agent: &Agent, path: Option<&str>) -> Result<(SandboxFiles, SandboxPath), AgentError> {
    let path = path
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, code::MISSING_PARAMETER, "path is required"))?;
    let files =
        SandboxFiles::of(&agent.sandbox.context.isolator, &agent.sandbox.context.spec).map_err(gone)?;
    let checked = files.path(path).map_err(|e| invalid_path(path, e))?;
    Ok((files, checked))
}

fn string_field(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
    }
}

/// Octal permission bits as text; the default when none are given.
fn mode(text: Option<&str>) -> Result<u32, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(DEFAULT_MODE) };
    u32::from_str_radix(text, 8).ok().filter(|m| *m <= 0o7777).ok_or_else(|| {
        ApiError::bad_request(format!("mode must be octal permission bits such as \"0644\", got {text:?}"))
    })
}

fn info(folder: &SandboxPath, e: Entry) -> FileInfo {
    FileInfo {
        path: folder.child(&e.name),
        name: e.name,
        size: e.size,
        is_directory: e.is_directory,
        modified_time: crate::ids::rfc3339(e.modified),
        permissions: e.permissions,
    }
}

fn done(path: &SandboxPath, size: u64, what: &str) -> Response {
    Json(FileResponse {
        success: true,
        path: path.shown.clone(),
        size,
        message: format!("{} {what}", path.shown),
        timestamp: crate::ids::now_rfc3339(),
    })
    .into_response()
}

/// An OS error of a file call, in the protocol's terms.
fn fail(doing: &str, path: &SandboxPath, e: io::Error) -> AgentError {
    let shown = &path.shown;
    let (status, code, why) = match (e.kind(), e.raw_os_error()) {
        (io::ErrorKind::InvalidInput, _) => (StatusCode::BAD_REQUEST, code::INVALID_PATH, e.to_string()),
        // Limits answer 403 with "limit" in the message: the spec lists no 413 or 507 for file
        // routes, and 403 + "limit" is how the official Python SDK recognises a quota.
        (io::ErrorKind::FileTooLarge, _) => (
            StatusCode::FORBIDDEN,
            code::FILE_OPERATION_FAILED,
            format!("the file would pass the size limit ({e})"),
        ),
        (_, Some(libc::ENOENT)) if doing == "list" => {
            (StatusCode::NOT_FOUND, code::DIRECTORY_NOT_FOUND, "no such folder".into())
        }
        (_, Some(libc::ENOENT)) => {
            (StatusCode::NOT_FOUND, code::FILE_NOT_FOUND, "no such file or folder".into())
        }
        (_, Some(libc::EACCES | libc::EPERM)) => {
            (StatusCode::FORBIDDEN, code::PERMISSION_DENIED, "permission denied".into())
        }
        (_, Some(libc::EROFS)) => {
            (StatusCode::FORBIDDEN, code::PERMISSION_DENIED, "read-only file system".into())
        }
        (_, Some(libc::EXDEV | libc::ELOOP)) => (
            StatusCode::FORBIDDEN,
            code::PATH_NOT_ALLOWED,
            "the path leads outside what the sandbox can reach".into(),
        ),
        (_, Some(libc::ENOTDIR)) => {
            (StatusCode::BAD_REQUEST, code::INVALID_PATH, "a part of the path is not a folder".into())
        }
        (_, Some(libc::EISDIR)) => (StatusCode::BAD_REQUEST, code::INVALID_PATH, "it is a folder".into()),
        (_, Some(libc::ENOTEMPTY)) => {
            (StatusCode::CONFLICT, code::FILE_OPERATION_FAILED, "the folder is not empty".into())
        }
        (_, Some(libc::ENOSPC | libc::EDQUOT)) => (
            StatusCode::FORBIDDEN,
            code::FILE_OPERATION_FAILED,
            "the sandbox's disk is full: its size limit is reached (HOPX_LOCAL_DISK_MB sets it)".into(),
        ),
        (_, Some(libc::ENAMETOOLONG)) => {
            (StatusCode::BAD_REQUEST, code::INVALID_PATH, "the path is too long".into())
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, code::FILE_OPERATION_FAILED, e.to_string()),
    };
    ApiError::new(status, code, format!("cannot {doing} {shown}: {why}"))
        .with_extra("path", shown.clone())
        .into()
}

fn invalid_path(path: &str, e: io::Error) -> AgentError {
    ApiError::new(StatusCode::BAD_REQUEST, code::INVALID_PATH, format!("invalid path {path:?}: {e}"))
        .with_extra("path", path.to_string())
        .into()
}

/// The sandbox's file system is gone (killed while the call came in).
fn gone(e: io::Error) -> AgentError {
    ApiError::new(StatusCode::NOT_FOUND, code::RESOURCE_NOT_FOUND, format!("Sandbox not found: {e}")).into()
}

fn bad_form(e: axum::extract::multipart::MultipartError) -> AgentError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        code::INVALID_REQUEST,
        format!("the upload form could not be read: {e}"),
    )
    .into()
}
