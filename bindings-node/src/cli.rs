//! `cliMain`: the `hopx` command (`hopx-cli`), for the package's `bin` (`hopx-cli.js`).

use napi_derive::napi;

/// Runs `hopx` with `args` (the program name first) and returns its exit status. It blocks
/// the event loop, which a command that only runs this has no other use for.
#[napi]
pub fn cli_main(args: Vec<String>) -> i32 {
    hopx_cli::main(args, None)
}
