//! `/commands/run`: a command line run once in the sandbox through bash, like a one-shot run
//! but with no code file. With arguments, the command is exec'd with them as they are (bash
//! does not split or expand them); without, the string is a bash script.

use super::context::RunContext;
use super::env::run_env;
use super::{oneshot, ExecOutcome, Language};
use crate::spawn::Command;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::time::Duration;

/// One command to run, already checked by the agent.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    pub command: String,
    pub args: Vec<String>,
    pub timeout: Duration,
    /// Inside path, already checked to lie under `/workspace` or `/tmp`.
    pub workdir: String,
    /// The complete environment of the run (sandbox globals with the call's own on top).
    pub env: BTreeMap<String, String>,
}

impl CommandRequest {
    /// The command line as it is reported back.
    pub fn display(&self) -> String {
        std::iter::once(&self.command).chain(&self.args).cloned().collect::<Vec<_>>().join(" ")
    }

    /// The bash invocation: `bash -c COMMAND`, or `bash -c 'exec "$0" "$@"' COMMAND ARGS...`.
    /// The SDKs' own shape, `bash` with `-c LINE`, is that very invocation: run it as it is
    /// rather than start a bash only to exec the next one (a bash start is about a third of
    /// a short command's time).
    fn argv(&self) -> Vec<OsString> {
        if self.args.is_empty() {
            return vec!["-c".into(), self.command.clone().into()];
        }
        let is_bash = matches!(self.command.as_str(), "bash" | "/bin/bash" | "/usr/bin/bash");
        if is_bash && self.args.len() >= 2 && self.args[0] == "-c" {
            return self.args.iter().map(Into::into).collect();
        }
        let mut argv: Vec<OsString> =
            vec!["-c".into(), "exec \"$0\" \"$@\"".into(), self.command.clone().into()];
        argv.extend(self.args.iter().map(Into::into));
        argv
    }
}

/// Runs `req` in the sandbox of `ctx`. `Err` means the command could not be started.
pub async fn run(ctx: &RunContext, req: CommandRequest) -> Result<ExecOutcome, String> {
    let command = Command {
        program: ctx.runtimes.binary(Language::Bash)?.to_path_buf(),
        args: req.argv(),
        env: run_env(ctx.runtimes, Language::Bash, &req.env),
        cwd: req.workdir,
        stdin: false,
        extra_fds: Vec::new(),
        code: None,
    };
    oneshot::supervise(ctx, command, req.timeout, None, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(command: &str, args: &[&str]) -> CommandRequest {
        CommandRequest {
            command: command.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            timeout: Duration::from_secs(1),
            workdir: "/workspace".into(),
            env: BTreeMap::new(),
        }
    }

    #[test]
    fn a_command_line_is_a_script_and_arguments_stay_whole() {
        let script = request("echo $HOME | wc -c", &[]);
        assert_eq!(script.argv(), ["-c", "echo $HOME | wc -c"]);
        assert_eq!(script.display(), "echo $HOME | wc -c");
        let program = request("printf", &["%s|", "a b", "$HOME"]);
        assert_eq!(program.argv(), ["-c", "exec \"$0\" \"$@\"", "printf", "%s|", "a b", "$HOME"]);
        assert_eq!(program.display(), "printf %s| a b $HOME");
        // The SDKs' `bash -c LINE` runs in one bash, with any further words as $0, $1...
        let sdk = request("bash", &["-c", "echo $0 $1 | wc -c", "name", "one"]);
        assert_eq!(sdk.argv(), ["-c", "echo $0 $1 | wc -c", "name", "one"]);
        assert_eq!(request("bash", &["-x", "script"]).argv()[..2], ["-c", "exec \"$0\" \"$@\""]);
        assert_eq!(request("sh", &["-c", "x"]).argv()[2], "sh");
    }
}
