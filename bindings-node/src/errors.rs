//! The one place a core error becomes a JS error.
//!
//! napi cannot create Error subclasses, and an async rejection carries only a message. So the
//! whole error (class name from `ErrorKind::class_name()` plus every field) is encoded as JSON
//! after a tag in that message, and `errors.js` (`fromNative`) rebuilds the typed class.

use hopx_core as hcore;
use napi::{Error, Status};
use napi_derive::napi;
use serde_json::json;

/// Marks a message as an encoded core error; the NUL keeps it from matching any real message.
/// `errors.js` has the same constant.
const TAG: &str = "\u{0}hopx:";

/// Encodes a core error for `fromNative`.
pub fn to_napi(e: hcore::Error) -> Error {
    let payload = json!({
        "kind": e.kind.class_name(),
        "message": e.message,
        "code": e.code,
        "requestId": e.request_id,
        "statusCode": e.status_code,
        "details": e.details,
        "retryAfter": e.retry_after,
        "stdout": e.stdout,
        "stderr": e.stderr,
        "templateName": e.template_name,
        "availableTemplates": e.available_templates,
    });
    Error::new(Status::GenericFailure, format!("{TAG}{payload}"))
}

/// `.js()?` on a core result: keeps call sites one line long.
pub trait IntoJs<T> {
    fn js(self) -> napi::Result<T>;
}

impl<T> IntoJs<T> for hcore::Result<T> {
    fn js(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}

/// One row of the core error table.
#[napi(object)]
pub struct ErrorKindEntry {
    /// The class name, e.g. `TimeoutError`.
    pub class_name: String,
    /// The parent class name; `null` for `HopxError`.
    pub parent: Option<String>,
}

/// The core error table (`ErrorKind::ALL`), for the parity test of `errors.js`.
#[napi]
pub fn error_kinds() -> Vec<ErrorKindEntry> {
    hcore::ErrorKind::ALL
        .into_iter()
        .map(|k| ErrorKindEntry {
            class_name: k.class_name().to_string(),
            parent: k.parent().map(|p| p.class_name().to_string()),
        })
        .collect()
}

/// Throws (synchronously) a core error of the named class through the same encoder the
/// async calls use, so the parity test can check every kind end to end.
#[napi]
pub fn throw_error_kind(class_name: String, message: String) -> napi::Result<()> {
    let kind = hcore::ErrorKind::from_class_name(&class_name)
        .ok_or_else(|| Error::new(Status::InvalidArg, format!("no error kind named {class_name:?}")))?;
    Err(to_napi(hcore::Error::new(kind, message)))
}
