//! The streaming halves of upload and download: a file read in pieces into a request body,
//! and a response body taken piece by piece, each wait bounded, progress told as it goes.

use crate::error::{Error, ErrorKind};
use crate::files::{timed_out, Progress};
use crate::http;
use crate::Result;
use futures_util::StreamExt;
use std::time::Duration;

/// Size of the pieces an upload is read in.
const CHUNK: usize = 256 * 1024;

/// A download in progress.
pub(crate) struct Download {
    pub body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    pub total: Option<u64>,
    pub done: u64,
    pub idle: Duration,
    pub progress: Option<Progress>,
    pub path: String,
}

impl Download {
    /// The next piece, or `None` at the end; a body shorter than announced is an error.
    pub async fn next(&mut self) -> Result<Option<bytes::Bytes>> {
        let chunk = match tokio::time::timeout(self.idle, self.body.next()).await {
            Err(_) => return Err(timed_out(self.idle)),
            Ok(Some(Err(e))) => return Err(http::transport(e, self.idle).error),
            Ok(Some(Ok(chunk))) => chunk,
            Ok(None) => {
                if self.total.is_some_and(|t| t != self.done) {
                    let msg = format!("the download of {} ended after {} bytes", self.path, self.done);
                    return Err(Error::new(ErrorKind::Network, msg));
                }
                return Ok(None);
            }
        };
        self.done += chunk.len() as u64;
        if let Some(p) = &self.progress {
            p(self.done, self.total);
        }
        Ok(Some(chunk))
    }
}

/// The upload body: the multipart head, the file in chunks (progress told after each), the
/// closing boundary.
pub(crate) fn upload_body(
    file: tokio::fs::File,
    size: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
    progress: Option<Progress>,
) -> reqwest::Body {
    let mut done = 0u64;
    let chunks = tokio_util::io::ReaderStream::with_capacity(file, CHUNK).inspect(move |chunk| {
        if let (Ok(chunk), Some(p)) = (chunk, &progress) {
            done += chunk.len() as u64;
            p(done, Some(size));
        }
    });
    let all = futures_util::stream::once(async move { Ok(bytes::Bytes::from(head)) })
        .chain(chunks)
        .chain(futures_util::stream::once(async move { Ok(bytes::Bytes::from(tail)) }));
    reqwest::Body::wrap_stream(all)
}
