//! The local engine a client without an API key uses: the user's shared engine
//! (`hopx_local::shared`), or one inside this process.
//!
//! Shared is the default wherever the binding said how to start one ([`set_engine_launcher`]:
//! the Python and Node packages do, at import). `HOPX_LOCAL_SHARED=0` keeps the engine inside
//! the process, so that nothing outlives it; so does a program that registered no launcher
//! (a Rust program embedding the core), and so does a client that cannot have a shared engine
//! (with a warning in the log).

use crate::config::ClientConfig;
use crate::error::{Error, ErrorKind};
use crate::Result;
use std::sync::OnceLock;

/// A running local engine: where it listens, its key, and whether it is shared.
pub(crate) struct LocalEngine {
    pub base_url: String,
    pub api_key: String,
    #[cfg(feature = "local")]
    pub shared: Option<hopx_local::shared::SharedEngine>,
}

static LAUNCHER: OnceLock<Vec<String>> = OnceLock::new();

/// Says how this program starts a shared engine: `args` go between this process's executable
/// and the path of the native module, e.g. `["-I", "-S", "-c", BOOT]` for Python, where BOOT
/// loads the module from `sys.argv[1]` and calls its `serve_shared()`. Later calls are ignored.
pub fn set_engine_launcher(args: Vec<String>) {
    let _ = LAUNCHER.set(args);
}

#[cfg(feature = "local")]
pub(crate) async fn start(config: &ClientConfig) -> Result<LocalEngine> {
    use hopx_local::embedded::{self, EmbeddedOptions};
    use hopx_local::shared::{self, SharedOptions};
    static LOGGED: std::sync::Once = std::sync::Once::new();
    let wanted = std::env::var("HOPX_LOCAL_SHARED").map_or(true, |v| v != "0");
    let launcher = LAUNCHER.get().filter(|_| wanted).and_then(|args| {
        let exe = std::env::current_exe().ok()?;
        let code_file = shared::this_library()?;
        let mut argv = vec![exe.into_os_string()];
        argv.extend(args.iter().map(Into::into));
        argv.push(code_file.clone().into_os_string());
        Some(SharedOptions { launcher: argv, code_file, python: config.local_python.clone() })
    });
    // A shared engine that cannot be had (no private folder, a launcher that fails) is no
    // reason to fail: the engine inside this process runs the same sandboxes.
    let shared = match launcher {
        Some(options) => match shared::connect_or_start(options).await {
            Ok(engine) => Some(engine),
            Err(e) => {
                tracing::warn!("no shared local HopX engine ({e}); using one inside this process");
                None
            }
        },
        None => None,
    };
    let engine = match shared {
        Some(engine) => LocalEngine {
            base_url: engine.base_url.clone(),
            api_key: engine.api_key.clone(),
            shared: Some(engine),
        },
        None => {
            let engine = embedded::start(EmbeddedOptions { python: config.local_python.clone() })
                .await
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Hopx,
                        format!("Could not start the embedded local HopX engine: {e}"),
                    )
                })?;
            LocalEngine { base_url: engine.base_url, api_key: engine.api_key, shared: None }
        }
    };
    LOGGED.call_once(|| {
        tracing::info!(
            base_url = %engine.base_url,
            shared = engine.shared.is_some(),
            "no API key or base URL given: using the local HopX engine"
        );
    });
    Ok(engine)
}

#[cfg(not(feature = "local"))]
pub(crate) async fn start(_config: &ClientConfig) -> Result<LocalEngine> {
    Err(Error::new(
        ErrorKind::Hopx,
        "No API key or base URL given, and this build has no embedded local engine: \
         set HOPX_API_KEY (or pass api_key) to use the HopX cloud",
    ))
}

impl LocalEngine {
    /// The header that ties a new sandbox to this process (shared engines only).
    pub fn owner_header(&self) -> Option<(&'static str, String)> {
        #[cfg(feature = "local")]
        if self.shared.is_some() {
            let me = hopx_local::shared::Owner::me()?;
            return Some((hopx_local::shared::OWNER_HEADER, me.header_value()));
        }
        None
    }

    /// Whether a failed create may be tried once more on the engine the user has now: it could
    /// not reach a shared engine, which may have been closing after its idle time.
    pub fn retry_create(&self, error: &Error) -> bool {
        #[cfg(feature = "local")]
        if let Some(engine) = &self.shared {
            if error.kind == ErrorKind::Network {
                hopx_local::shared::forget(engine);
                return true;
            }
        }
        let _ = error;
        false
    }

    /// A clearer error for a call that could not connect because the shared engine is gone:
    /// its sandboxes went with it.
    pub fn explain_lost(&self, error: Error, sandbox_id: &str) -> Error {
        #[cfg(feature = "local")]
        if let Some(engine) = &self.shared {
            if error.kind == ErrorKind::Network && !engine.alive() {
                let mut lost = Error::new(
                    ErrorKind::NotFound,
                    format!(
                        "Sandbox {sandbox_id} was lost: the local HopX engine (process {}) stopped. \
                         Sandbox.create() starts a new engine.",
                        engine.owner.pid
                    ),
                );
                lost.code = Some("SANDBOX_NOT_FOUND".into());
                return lost;
            }
        }
        let _ = sandbox_id;
        error
    }
}

/// Runs the user's shared engine in this process, as the launcher's program does after loading
/// the native module; never returns (exit status 0 when it stops, 1 when it cannot start).
#[cfg(feature = "local")]
pub fn serve_shared_engine() -> ! {
    hopx_local::shared::serve::serve()
}
