//! `cli_main`: the `hopx` command (`hopx-cli`), for the package's console script.

use pyo3::prelude::*;

/// Runs `hopx` with `args` (the program name first) and returns its exit status; `python`
/// runs sandbox code on the local engine. The GIL is released meanwhile: the command is all
/// Rust.
#[pyfunction]
#[pyo3(signature = (args, python=None))]
fn cli_main(py: Python<'_>, args: Vec<String>, python: Option<std::path::PathBuf>) -> i32 {
    py.detach(|| hopx_cli::main(args, python))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli_main, m)?)
}
