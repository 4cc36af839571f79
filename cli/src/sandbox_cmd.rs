//! `hopx sandbox create|list|info|kill|connect` and `hopx exec ID CMD`.

use crate::output::Out;
use crate::Global;
use hopx_core::{CommandOptions, CreateOptions, Error, ErrorKind, ListOptions, SandboxInfo};
use serde_json::json;

/// A sandbox made by `hopx sandbox create` lives this long unless told otherwise: the command
/// ends at once, and on the local engine a sandbox without a time-to-live ends with the
/// process that made it.
const DEFAULT_TTL: u64 = 3600;

#[derive(clap::Subcommand, Debug)]
pub enum SandboxCommand {
    /// Create a sandbox and print its id.
    Create {
        /// Template (default: code-interpreter).
        #[arg(short, long)]
        template: Option<String>,
        /// Seconds it lives (default: 3600).
        #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TTL)]
        timeout: u64,
        /// Environment variable of the sandbox, KEY=VALUE (repeatable).
        #[arg(short, long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// No internet access from inside.
        #[arg(long)]
        no_internet: bool,
    },
    /// List the sandboxes.
    List {
        /// Only those in this status (running, paused, ...).
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one sandbox.
    Info { id: String },
    /// Kill a sandbox, with its processes and files.
    Kill { id: String },
    /// Check that a sandbox answers (resuming a paused one) and show how to reach it.
    Connect { id: String },
}

#[derive(clap::Args, Debug)]
pub struct ExecArgs {
    /// The sandbox.
    id: String,
    /// The command line, run by a shell in the sandbox.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
    /// Seconds it may take (default 60).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u32>,
    /// Environment variable for the command, KEY=VALUE (repeatable).
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Working directory in the sandbox.
    #[arg(long, default_value = "/workspace")]
    cwd: String,
}

pub async fn sandbox(global: &Global, command: SandboxCommand, out: &Out) -> Result<i32, Error> {
    let client = crate::client(global).await?;
    match command {
        SandboxCommand::Create { template, timeout, env, no_internet } => {
            if *client.backend() == hopx_core::Backend::Local
                && std::env::var("HOPX_LOCAL_SHARED").as_deref() == Ok("0")
            {
                return Err(Error::new(
                    ErrorKind::Validation,
                    "with HOPX_LOCAL_SHARED=0 the engine ends with this command, and the sandbox with it: unset it, or use the cloud",
                ));
            }
            let options = CreateOptions {
                template,
                timeout_seconds: Some(timeout),
                internet_access: no_internet.then_some(false),
                env_vars: crate::env_map(&env)?,
                ..CreateOptions::default()
            };
            let sandbox = client.create_sandbox(options).await?;
            let info = sandbox.info().await?;
            show(out, &info);
        }
        SandboxCommand::List { status } => {
            let list = client.list(ListOptions { status, ..ListOptions::default() }).await?;
            if out.json {
                out.json(&serde_json::to_value(&list).unwrap_or_default());
            } else {
                for info in &list {
                    println!(
                        "{}\t{}\t{}",
                        info.sandbox_id,
                        info.status,
                        info.template_name.as_deref().unwrap_or("-")
                    );
                }
            }
        }
        SandboxCommand::Info { id } => show(out, &client.connect(&id).await?.info().await?),
        SandboxCommand::Kill { id } => {
            client.connect(&id).await?.kill().await?;
            if out.json {
                out.json(&json!({ "sandbox_id": id, "killed": true }));
            } else {
                println!("killed {id}");
            }
        }
        SandboxCommand::Connect { id } => {
            let sandbox = client.connect(&id).await?;
            sandbox.ensure_healthy().await?;
            let info = sandbox.info().await?;
            show(out, &info);
        }
    }
    Ok(0)
}

pub async fn exec(global: &Global, args: ExecArgs, out: &Out) -> Result<i32, Error> {
    let client = crate::client(global).await?;
    let sandbox = client.connect(&args.id).await?;
    let line = args.command.join(" ");
    let options =
        CommandOptions { timeout: args.timeout, env: crate::env_map(&args.env)?, working_dir: args.cwd };
    let result = sandbox.run_command(&line, &options).await?;
    if out.json {
        out.json(&serde_json::to_value(&result).unwrap_or_default());
    } else {
        print!("{}", result.stdout);
        eprint!("{}", result.stderr);
    }
    Ok(result.exit_code)
}

/// One sandbox: its id on the first line (for `$(hopx sandbox create)`), then details.
fn show(out: &Out, info: &SandboxInfo) {
    if out.json {
        out.json(&serde_json::to_value(info).unwrap_or_default());
        return;
    }
    println!("{}", info.sandbox_id);
    let field = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            eprintln!("  {name:<10} {v}");
        }
    };
    field("status", Some(info.status.clone()));
    field("template", info.template_name.clone());
    field("agent", info.public_host.clone());
    field("expires", info.expires_at.clone());
}
