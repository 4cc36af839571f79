//! `hopx_ai._native`: the thin pyo3 layer between the hand-written `hopx_ai` package and
//! `hopx-core`. Each file holds one concept; this one only registers them.

// Core errors are plain structs the error mapping reads field by field; they are rare, so
// their size on the `Err` path is not worth boxing (the core makes the same choice).
#![allow(clippy::result_large_err)]

use pyo3::prelude::*;

mod cli;
mod client;
mod convert;
mod dual;
mod errors;
mod files;
mod runtime;
mod sandbox;
mod shared_engine;
mod stream;
mod terminal;
mod watch;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<sandbox::NativeSandbox>()?;
    m.add_class::<stream::NativeStream>()?;
    m.add_class::<watch::NativeWatch>()?;
    m.add_class::<terminal::NativeTerminal>()?;
    client::register(m)?;
    errors::register(m)?;
    shared_engine::register(m)?;
    cli::register(m)?;
    m.add("DEFAULT_RUN_TIMEOUT", hopx_core::DEFAULT_RUN_TIMEOUT)?;
    m.add("MAX_RUN_TIMEOUT", hopx_core::MAX_RUN_TIMEOUT)?;
    let drain = wrap_pyfunction!(runtime::drain_at_exit, m)?;
    m.py().import("atexit")?.call_method1("register", (drain,))?;
    Ok(())
}
