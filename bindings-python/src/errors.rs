//! Core errors to `hopx_ai.errors` classes. The classes are plain Python (attributes,
//! docstrings, pickling live there); this file holds the one mapping from [`ErrorKind`] to them.

use crate::convert::to_py;
use hopx_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pyo3::import_exception!(hopx_ai.errors, HopxError);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(error_kinds, m)?)
}

/// Every core error kind as `(class_name, parent_class_name or None)`, for the parity test.
#[pyfunction]
fn error_kinds() -> Vec<(&'static str, Option<&'static str>)> {
    ErrorKind::ALL.iter().map(|k| (k.class_name(), k.parent().map(ErrorKind::class_name))).collect()
}

/// The one mapping: the class named by `kind.class_name()`, built with the common attributes,
/// plus the attributes only some kinds carry. Callable with or without the GIL held.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| build(py, &err).unwrap_or_else(|e| e))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let cls = match py.import("hopx_ai.errors")?.getattr(err.kind.class_name()) {
        Ok(cls) => cls,
        // A kind added to the core before its class: still raise something catchable.
        Err(_) => py.get_type::<HopxError>().into_any(),
    };
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", &err.code)?;
    kwargs.set_item("request_id", &err.request_id)?;
    kwargs.set_item("status_code", err.status_code)?;
    kwargs.set_item("details", to_py(py, &serde_json::Value::Object(err.details.clone()))?)?;
    let exc = cls.call((err.message.as_str(),), Some(&kwargs))?;
    match err.kind {
        ErrorKind::RateLimit => exc.setattr("retry_after", err.retry_after)?,
        ErrorKind::Timeout => {
            exc.setattr("stdout", &err.stdout)?;
            exc.setattr("stderr", &err.stderr)?;
        }
        ErrorKind::TemplateNotFound => {
            exc.setattr("template_name", &err.template_name)?;
            exc.setattr("available_templates", err.available_templates.clone())?;
        }
        ErrorKind::FileNotFound => {
            exc.setattr("path", err.details.get("path").and_then(serde_json::Value::as_str))?
        }
        _ => {}
    }
    Ok(PyErr::from_value(exc))
}
