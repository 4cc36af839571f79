//! `hopx`: sandboxes from a terminal. One implementation, here, on `hopx-core`; the Python
//! package runs it as a console script and the npm package as a `bin`, both through their
//! native module (`cli_main` / `cliMain`).
//!
//! Without an API key or base URL it uses the user's shared local engine, like the SDKs; a
//! key (`--api-key` or `HOPX_API_KEY`) selects the HopX cloud.
//!
//! Exit status: the program's own for `run` and `exec`; 0 for success; 1 for an error (one
//! line on stderr); 2 for bad arguments; 124 for a run or command past its timeout.

// Core errors are plain structs; they are rare, so their size on the `Err` path is not worth
// boxing (the core and the bindings make the same choice).
#![allow(clippy::result_large_err)]

mod files_cmd;
mod mcp;
mod output;
mod rich;
mod run;
mod sandbox_cmd;
mod serve;

use clap::{Args, Parser, Subcommand};
use hopx_core::{Client, ClientConfig};
use output::Out;

/// Run code in HopX sandboxes: on this machine with no account, or in the HopX cloud with an
/// API key.
#[derive(Parser, Debug)]
#[command(name = "hopx", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct Global {
    /// HopX API key (default: $HOPX_API_KEY); selects the HopX cloud.
    #[arg(long, global = true, value_name = "KEY")]
    api_key: Option<String>,
    /// Control-plane URL (default: $HOPX_BASE_URL; "local" forces the local engine).
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    /// Print results as JSON, for scripts.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a file or a snippet in a new sandbox, streaming its output; exits with its exit code.
    Run(run::RunArgs),
    /// Create, list, inspect and kill sandboxes.
    #[command(subcommand)]
    Sandbox(sandbox_cmd::SandboxCommand),
    /// Copy files in and out of a sandbox, and list its folders.
    #[command(subcommand)]
    Files(files_cmd::FilesCommand),
    /// Run a shell command in a sandbox; exits with its exit code.
    Exec(sandbox_cmd::ExecArgs),
    /// Serve the HopX API on this machine, for any HopX client (as `hopx-local serve`).
    Serve(serve::ServeArgs),
    /// Serve sandboxes to an AI assistant over the Model Context Protocol (stdio by default).
    Mcp(mcp::McpArgs),
}

/// The Python that runs sandbox code on the local engine: the Python package passes its own
/// interpreter, as its SDK calls do (so both use the same shared engine).
static LOCAL_PYTHON: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();

/// Runs `hopx` with `args` (the program name first) and returns its exit status. `local_python`
/// is the sandbox Python for the local engine (`None`: `HOPX_LOCAL_PYTHON`, else `python3`).
pub fn main(args: Vec<String>, local_python: Option<std::path::PathBuf>) -> i32 {
    let _ = LOCAL_PYTHON.set(local_python);
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version come this way too, with status 0; usage errors with 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let out = Out::new(cli.global.json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return out.fail(&format!("cannot start the async runtime: {e}")),
    };
    let code = runtime.block_on(dispatch(cli, &out));
    // Background tasks (a stream's socket, a pool) must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}

async fn dispatch(cli: Cli, out: &Out) -> i32 {
    let global = cli.global;
    let result = match cli.command {
        Command::Run(args) => run::run(&global, args, out).await,
        Command::Sandbox(cmd) => sandbox_cmd::sandbox(&global, cmd, out).await,
        Command::Files(cmd) => files_cmd::files(&global, cmd, out).await,
        Command::Exec(args) => sandbox_cmd::exec(&global, args, out).await,
        Command::Serve(args) => serve::serve(args, out).await,
        Command::Mcp(args) => mcp::mcp(&global, args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => out.error(&e),
    }
}

/// The client the global options and the environment select.
async fn client(global: &Global) -> hopx_core::Result<Client> {
    let config = ClientConfig {
        api_key: global.api_key.clone(),
        base_url: global.base_url.clone(),
        local_python: LOCAL_PYTHON.get().cloned().flatten(),
    };
    Client::new(config).await
}

/// `KEY=VALUE` pairs of `--env` into a map.
fn env_map(pairs: &[String]) -> Result<Option<std::collections::BTreeMap<String, String>>, hopx_core::Error> {
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut map = std::collections::BTreeMap::new();
    for pair in pairs {
        let (k, v) = pair.split_once('=').filter(|(k, _)| !k.is_empty()).ok_or_else(|| {
            hopx_core::Error::new(
                hopx_core::ErrorKind::Validation,
                format!("--env wants KEY=VALUE, got {pair:?}"),
            )
        })?;
        map.insert(k.to_string(), v.to_string());
    }
    Ok(Some(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arguments_parse_and_bad_ones_are_usage_errors() {
        <Cli as clap::CommandFactory>::command().debug_assert();
        let cli = Cli::try_parse_from(["hopx", "--json", "run", "-c", "print(1)", "-e", "A=1"]).unwrap();
        assert!(cli.global.json);
        let e = Cli::try_parse_from(["hopx", "run", "--nope"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(env_map(&["A=1=2".into()]).unwrap().unwrap()["A"], "1=2");
        assert!(env_map(&["=x".into()]).is_err());
    }
}
