//! `Files`: the native handle behind `sandbox.files`, one method per agent `/files/*` call.
//!
//! Every rule (path and mode checks, timeouts, retries, streaming) is `hopx_core::Files`'s;
//! these methods carry values across. `timeout` is in seconds and bounds the whole call (for a
//! download, each wait for data); absent, the core's default for that call applies.

use crate::convert::duration;
use crate::errors::IntoJs;
use crate::progress::{with_progress, ProgressFn};
use crate::watch::FileWatch;
use hopx_core as hcore;
use napi::bindgen_prelude::Buffer;
use napi::Result;
use napi_derive::napi;
use std::path::Path;

/// The files of one sandbox.
#[napi]
pub struct Files {
    inner: hcore::Files,
}

impl Files {
    pub fn new(inner: hcore::Files) -> Files {
        Files { inner }
    }

    /// The core's calls bounded by `timeout` seconds (absent: each call's default).
    fn with(&self, timeout: Option<f64>) -> Result<hcore::Files> {
        Ok(self.inner.with_timeout(duration(timeout)?))
    }
}

/// One entry of a folder listing.
#[napi(object)]
pub struct FileInfo {
    pub name: String,
    /// The absolute path in the sandbox.
    pub path: String,
    /// Bytes.
    pub size: f64,
    pub is_directory: bool,
    /// Last modification (RFC 3339).
    pub modified_time: String,
    /// As `ls -l` shows them, e.g. `-rw-r--r--`.
    pub permissions: String,
}

impl From<hcore::FileInfo> for FileInfo {
    fn from(f: hcore::FileInfo) -> Self {
        FileInfo {
            name: f.name,
            path: f.path,
            size: f.size as f64,
            is_directory: f.is_directory,
            modified_time: f.modified_time,
            permissions: f.permissions,
        }
    }
}

#[napi]
impl Files {
    /// `GET /files/read`: a text file's content.
    #[napi(catch_unwind)]
    pub async fn read(&self, path: String, timeout: Option<f64>) -> Result<String> {
        let files = self.with(timeout)?;
        files.read(&path).await.js()
    }

    /// `GET /files/download`: a file's exact bytes, whole (a `Buffer`; declared as the
    /// `Uint8Array` it is, so that the declarations need no `@types/node`).
    #[napi(catch_unwind, ts_return_type = "Promise<Uint8Array>")]
    pub async fn read_bytes(&self, path: String, timeout: Option<f64>) -> Result<Buffer> {
        let files = self.with(timeout)?;
        Ok(files.read_bytes(&path).await.js()?.into())
    }

    /// `POST /files/write` of text; `mode` is octal text such as `"0644"`.
    #[napi(catch_unwind)]
    pub async fn write(
        &self,
        path: String,
        content: String,
        mode: String,
        timeout: Option<f64>,
    ) -> Result<()> {
        let files = self.with(timeout)?;
        files.write(&path, &content, &mode).await.js()
    }

    /// `POST /files/write` of bytes, stored exactly.
    #[napi(catch_unwind)]
    pub async fn write_bytes(
        &self,
        path: String,
        #[napi(ts_arg_type = "Uint8Array")] data: Buffer,
        mode: String,
        timeout: Option<f64>,
    ) -> Result<()> {
        let files = self.with(timeout)?;
        files.write_bytes(&path, &data, &mode).await.js()
    }

    /// `GET /files/list`: a folder's entries.
    #[napi(catch_unwind)]
    pub async fn list(&self, path: String, timeout: Option<f64>) -> Result<Vec<FileInfo>> {
        let files = self.with(timeout)?;
        Ok(files.list(&path).await.js()?.into_iter().map(FileInfo::from).collect())
    }

    /// `GET /files/exists`.
    #[napi(catch_unwind)]
    pub async fn exists(&self, path: String, timeout: Option<f64>) -> Result<bool> {
        let files = self.with(timeout)?;
        files.exists(&path).await.js()
    }

    /// `DELETE /files/remove`: a file, or a folder with everything in it.
    #[napi(catch_unwind)]
    pub async fn remove(&self, path: String, timeout: Option<f64>) -> Result<()> {
        let files = self.with(timeout)?;
        files.remove(&path).await.js()
    }

    /// `POST /files/mkdir`: a folder and its missing parents.
    #[napi(catch_unwind)]
    pub async fn mkdir(&self, path: String, timeout: Option<f64>) -> Result<()> {
        let files = self.with(timeout)?;
        files.mkdir(&path).await.js()
    }

    /// `GET /files/watch` (WebSocket): the changes in the folder `path`, not recursive.
    /// Resolves once the agent watches, so no later change is missed; `timeout` bounds that.
    #[napi(catch_unwind)]
    pub async fn watch(&self, path: String, timeout: Option<f64>) -> Result<FileWatch> {
        let files = self.with(timeout)?;
        Ok(FileWatch::new(files.watch(&path).await.js()?))
    }

    /// `POST /files/upload`: streams the local file `localPath` to `remotePath`.
    #[napi(catch_unwind)]
    pub async fn upload(
        &self,
        local_path: String,
        remote_path: String,
        timeout: Option<f64>,
        #[napi(ts_arg_type = "(done: number, total: number | null) => unknown")] on_progress: Option<
            ProgressFn,
        >,
    ) -> Result<()> {
        let files = self.with(timeout)?;
        with_progress(
            on_progress,
            |p| async move { files.upload(Path::new(&local_path), &remote_path, p).await },
        )
        .await
    }

    /// `GET /files/download` streamed into the local file `localPath` (created or replaced);
    /// resolves with the number of bytes written.
    #[napi(catch_unwind)]
    pub async fn download(
        &self,
        remote_path: String,
        local_path: String,
        timeout: Option<f64>,
        #[napi(ts_arg_type = "(done: number, total: number | null) => unknown")] on_progress: Option<
            ProgressFn,
        >,
    ) -> Result<f64> {
        let files = self.with(timeout)?;
        let written = with_progress(on_progress, |p| async move {
            files.download(&remote_path, Path::new(&local_path), p).await
        })
        .await?;
        Ok(written as f64)
    }
}
