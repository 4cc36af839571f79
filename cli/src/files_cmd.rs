//! `hopx files put|get|ls`: files in and out of a sandbox, streamed, with progress on a
//! terminal.

use crate::output::Out;
use crate::Global;
use hopx_core::{Error, ErrorKind};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum FilesCommand {
    /// Copy a local file into the sandbox.
    Put { id: String, local: PathBuf, remote: String },
    /// Copy a file out of the sandbox ("-" as LOCAL writes it to standard output).
    Get {
        id: String,
        remote: String,
        /// Where to write it (default: its name, in the current folder).
        local: Option<PathBuf>,
    },
    /// List a folder of the sandbox.
    Ls {
        id: String,
        #[arg(default_value = "/workspace")]
        path: String,
    },
}

pub async fn files(global: &Global, command: FilesCommand, out: &Out) -> Result<i32, Error> {
    let client = crate::client(global).await?;
    match command {
        FilesCommand::Put { id, local, remote } => {
            let files = client.connect(&id).await?.files();
            files.upload(&local, &remote, out.progress(&format!("put {}", local.display()))).await?;
            let size = std::fs::metadata(&local).map(|m| m.len()).unwrap_or(0);
            report(
                out,
                json!({ "sandbox_id": id, "path": remote, "bytes": size }),
                &format!("{remote}: {size} bytes"),
            );
        }
        FilesCommand::Get { id, remote, local } => {
            let files = client.connect(&id).await?.files();
            if local.as_deref() == Some(std::path::Path::new("-")) {
                let bytes = files.read_bytes(&remote).await?;
                let mut so = std::io::stdout();
                so.write_all(&bytes).and_then(|_| so.flush()).map_err(|e| local_error("write", e))?;
                return Ok(0);
            }
            let name = remote.rsplit('/').find(|s| !s.is_empty()).unwrap_or("download");
            let local = local.unwrap_or_else(|| PathBuf::from(name));
            let size = files.download(&remote, &local, out.progress(&format!("get {remote}"))).await?;
            let text = format!("{}: {size} bytes", local.display());
            report(
                out,
                json!({ "sandbox_id": id, "path": local.display().to_string(), "bytes": size }),
                &text,
            );
        }
        FilesCommand::Ls { id, path } => {
            let list = client.connect(&id).await?.files().list(&path).await?;
            if out.json {
                let items: Vec<_> = list
                    .iter()
                    .map(|f| {
                        json!({ "name": f.name, "path": f.path, "size": f.size, "is_directory": f.is_directory,
                                "modified_time": f.modified_time, "permissions": f.permissions })
                    })
                    .collect();
                out.json(&json!(items));
            } else {
                for f in &list {
                    let slash = if f.is_directory { "/" } else { "" };
                    println!("{}\t{:>10}\t{}{slash}", f.permissions, f.size, f.name);
                }
            }
        }
    }
    Ok(0)
}

fn report(out: &Out, value: serde_json::Value, text: &str) {
    if out.json {
        out.json(&value);
    } else {
        println!("{text}");
    }
}

fn local_error(what: &str, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Hopx, format!("cannot {what} standard output: {e}"))
}
