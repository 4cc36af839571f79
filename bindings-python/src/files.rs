//! What the `files_*` (and `env_*`) entries of [`NativeSandbox`](crate::sandbox::NativeSandbox)
//! share: the per-call timeout, the progress callback and the path an error is about. The calls
//! themselves are the core's (`hopx_core::Files`); this file only adapts their arguments.

use crate::convert::Json;
use hopx_core::{Env, Error, ErrorKind, FileInfo, Files, Progress, Sandbox};
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The sandbox's file calls, each bounded by `timeout` seconds when given (else each call's
/// own default). The Python layer checked the type; a value no `Duration` holds is refused.
pub fn files(sb: &Sandbox, timeout: Option<f64>) -> hopx_core::Result<Files> {
    Ok(sb.files().with_timeout(duration(timeout)?))
}

/// The sandbox's environment calls, each bounded by `timeout` seconds when given.
pub fn env(sb: &Sandbox, timeout: Option<f64>) -> hopx_core::Result<Env> {
    Ok(sb.env().with_timeout(duration(timeout)?))
}

/// A per-call timeout in seconds as a `Duration`; a value no `Duration` holds is refused.
pub fn duration(timeout: Option<f64>) -> hopx_core::Result<Option<Duration>> {
    match timeout {
        None => Ok(None),
        Some(secs) => match Duration::try_from_secs_f64(secs) {
            Ok(d) if !d.is_zero() => Ok(Some(d)),
            _ => Err(Error::validation(format!("timeout must be a positive number of seconds, got {secs}"))),
        },
    }
}

/// Records `path` in the `details` of a file error that does not name one, so that
/// `FileNotFoundError.path` (an official attribute) is set.
pub fn about(path: &str) -> impl FnOnce(Error) -> Error + '_ {
    move |mut err| {
        if matches!(err.kind, ErrorKind::FileNotFound | ErrorKind::FileOperation) {
            err.details.entry("path").or_insert_with(|| path.into());
        }
        err
    }
}

/// A listing as dicts (`hopx_ai.models.FileInfo` wraps them).
pub fn infos(list: Vec<FileInfo>) -> Vec<Json> {
    list.iter().map(Json::of).collect()
}

/// A Python `on_progress(done, total)` as the core's progress hook.
///
/// The core calls it from whichever thread moves the bytes (a runtime worker or the caller's
/// own thread, which released the GIL); it takes the GIL for each call. An exception from the
/// callback must not break the transfer: the first one is reported through
/// `sys.unraisablehook` (printed by default) and the callback is not called again.
pub fn progress(callback: Option<Py<PyAny>>) -> Option<Progress> {
    let callback = callback?;
    let failed = AtomicBool::new(false);
    Some(Arc::new(move |done: u64, total: Option<u64>| {
        if failed.load(Ordering::Relaxed) {
            return;
        }
        Python::attach(|py| {
            if let Err(err) = callback.call1(py, (done, total)) {
                failed.store(true, Ordering::Relaxed);
                err.write_unraisable(py, Some(callback.bind(py)));
            }
        });
    }))
}
