//! The user's shared local engine (`hopx-core`'s `local_engine`): how this module starts one,
//! `python -I -S -c BOOT <path of this module>`, and `serve_shared()`, what that command runs.

use pyo3::prelude::*;

/// Loads this extension module by path (not the `hopx_ai` package: nothing else is needed,
/// and `-I -S` skip the user's site and environment) and serves.
const BOOT: &str = "import sys\n\
from importlib.util import module_from_spec, spec_from_file_location\n\
spec = spec_from_file_location('hopx_ai._native', sys.argv[1])\n\
native = module_from_spec(spec)\n\
spec.loader.exec_module(native)\n\
native.serve_shared()\n";

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    hopx_core::set_engine_launcher(["-I", "-S", "-c", BOOT].map(String::from).to_vec());
    m.add_function(wrap_pyfunction!(serve_shared, m)?)
}

/// Runs the shared engine in this process; never returns (private: for the launcher).
#[pyfunction]
fn serve_shared() {
    hopx_core::serve_shared_engine()
}
