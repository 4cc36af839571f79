//! The user's shared local engine (`hopx-core`'s `local_engine`): how this module starts one,
//! `node -e BOOT <path of this module>`, and `serveShared()`, what that command runs.

use napi_derive::napi;

/// Loads this native module by path (not the package: nothing else is needed) and serves.
const BOOT: &str = "require(process.argv[1]).serveShared()";

/// Runs when Node loads the module.
#[napi_derive::module_init]
fn register_launcher() {
    hopx_core::set_engine_launcher(vec!["-e".into(), BOOT.into()]);
}

/// Runs the shared engine in this process; never returns (private: for the launcher).
#[napi]
pub fn serve_shared() {
    hopx_core::serve_shared_engine()
}
