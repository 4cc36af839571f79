//! `hopx run FILE | -c CODE`: a new sandbox runs the code, its output streams to this
//! terminal as it comes, rich outputs (plots, tables) are saved when asked, and the sandbox is
//! killed at the end. The exit status is the program's.

use crate::output::{Out, TIMED_OUT};
use crate::Global;
use base64::Engine as _;
use hopx_core::{CreateOptions, Error, ErrorKind, RichOutput, RunOptions, StreamEvent};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The file to run ("-" reads standard input); its extension picks the language.
    #[arg(required_unless_present = "code", conflicts_with = "code")]
    file: Option<PathBuf>,
    /// The code to run, instead of a file.
    #[arg(short = 'c', long = "code", value_name = "CODE")]
    code: Option<String>,
    /// python, javascript, bash or go (default: from the file's extension, else python).
    #[arg(short, long)]
    language: Option<String>,
    /// Template of the new sandbox (default: base, where the code runs as a script; with
    /// --save-outputs, code-interpreter, whose Python kernel captures plots and tables).
    #[arg(short, long)]
    template: Option<String>,
    /// Run in this existing sandbox instead of a new one (which is then not killed).
    #[arg(long, value_name = "ID")]
    sandbox: Option<String>,
    /// Environment variable for the run, KEY=VALUE (repeatable).
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Seconds the run may take (1-300; default 60).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u32>,
    /// Save plots, images and tables the code displays into this folder.
    #[arg(long, value_name = "DIR")]
    save_outputs: Option<PathBuf>,
}

pub async fn run(global: &Global, args: RunArgs, out: &Out) -> Result<i32, Error> {
    let (code, guessed) = source(&args)?;
    let language = args.language.clone().or(guessed).unwrap_or_else(|| "python".into());
    let options = RunOptions {
        language,
        timeout: args.timeout,
        env: crate::env_map(&args.env)?,
        ..RunOptions::default()
    };
    hopx_core::check_run(&code, &options, false)?;
    let client = crate::client(global).await?;
    let (sandbox, own) = match &args.sandbox {
        Some(id) => (client.connect(id).await?, false),
        None => {
            let default = if args.save_outputs.is_some() { "code-interpreter" } else { "base" };
            let template = args.template.clone().unwrap_or_else(|| default.into());
            let create = CreateOptions { template: Some(template), ..CreateOptions::default() };
            (client.create_sandbox(create).await?, true)
        }
    };
    let outcome = stream(&sandbox, &code, options, &args, out).await;
    if own {
        let _ = sandbox.kill().await;
    }
    let (result, saved) = outcome?;
    if out.json {
        out.json(&json!({
            "sandbox_id": sandbox.id(),
            "stdout": result.stdout,
            "stderr": result.stderr,
            "exit_code": result.exit_code,
            "success": result.success,
            "execution_time": result.execution_time,
            "error": result.error,
            "saved_outputs": saved,
        }));
    }
    if let Some(error) = &result.error {
        // `sys.exit(n)` in a kernel is an exception there; here it is what a script means.
        if error.name == "SystemExit" {
            return Ok(error.value.trim().parse().unwrap_or(if error.value.trim().is_empty() {
                0
            } else {
                1
            }));
        }
        if !out.json && error.name.to_ascii_lowercase().contains("timeout") {
            out.note(&format!("hopx: {}", error.value));
            return Ok(TIMED_OUT);
        }
    }
    Ok(if result.success { 0 } else { result.exit_code.max(1) })
}

/// The code and, from a file's extension, its language.
fn source(args: &RunArgs) -> Result<(String, Option<String>), Error> {
    if let Some(code) = &args.code {
        return Ok((code.clone(), None));
    }
    let path = args.file.as_deref().expect("clap requires FILE or --code");
    let local =
        |e: std::io::Error| Error::new(ErrorKind::Validation, format!("cannot read {}: {e}", path.display()));
    let code = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(local)?
    } else {
        std::fs::read_to_string(path).map_err(local)?
    };
    let language = match path.extension().and_then(|e| e.to_str()) {
        Some("py") => Some("python"),
        Some("js" | "mjs" | "cjs") => Some("javascript"),
        Some("sh" | "bash") => Some("bash"),
        Some("go") => Some("go"),
        _ => None,
    };
    Ok((code, language.map(String::from)))
}

/// Streams the run's output here as it comes; returns the result and the saved files.
async fn stream(
    sandbox: &hopx_core::Sandbox,
    code: &str,
    options: RunOptions,
    args: &RunArgs,
    out: &Out,
) -> Result<(hopx_core::ExecutionResult, Vec<String>), Error> {
    let mut stream = sandbox.run_code_stream(code, options).await?;
    let mut saved = Vec::new();
    while let Some(event) = stream.next_event().await {
        match event? {
            // With --json the output is in the result object, not interleaved with it.
            StreamEvent::Stdout(text) if !out.json => {
                let mut so = std::io::stdout();
                let _ = so.write_all(text.as_bytes()).and_then(|_| so.flush());
            }
            StreamEvent::Stderr(text) if !out.json => eprint!("{text}"),
            StreamEvent::Display(output) => {
                if let Some(dir) = &args.save_outputs {
                    let path = save(dir, saved.len() + 1, &output)?;
                    if !out.json {
                        out.note(&format!("hopx: saved {}", path.display()));
                    }
                    saved.push(path.display().to_string());
                }
            }
            _ => {}
        }
    }
    Ok((stream.result()?, saved))
}

/// Writes one rich output as `<dir>/output-<n>.<ext>`, decoding images from base64.
fn save(dir: &Path, n: usize, output: &RichOutput) -> Result<PathBuf, Error> {
    let local =
        |e: std::io::Error| Error::new(ErrorKind::Hopx, format!("cannot save into {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(local)?;
    const KINDS: [(&str, &str, bool); 7] = [
        ("image/png", "png", true),
        ("image/jpeg", "jpg", true),
        ("image/svg+xml", "svg", false),
        ("text/html", "html", false),
        ("application/json", "json", false),
        ("text/markdown", "md", false),
        ("text/plain", "txt", false),
    ];
    let (mime, ext, binary) = KINDS
        .iter()
        .find(|(m, _, _)| output.data.contains_key(*m))
        .copied()
        .unwrap_or(("text/plain", "txt", false));
    let payload = output.data.get(mime).cloned().unwrap_or(Value::Null);
    let bytes = match (&payload, binary) {
        (Value::String(b64), true) => base64::engine::general_purpose::STANDARD
            .decode(b64.replace(['\n', '\r'], ""))
            .map_err(|e| Error::new(ErrorKind::Hopx, format!("a {mime} output is not base64: {e}")))?,
        (Value::String(text), false) => text.clone().into_bytes(),
        (other, _) => serde_json::to_vec_pretty(other).unwrap_or_default(),
    };
    let path = dir.join(format!("output-{n}.{ext}"));
    std::fs::write(&path, bytes).map_err(local)?;
    Ok(path)
}
