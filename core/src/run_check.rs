//! The checks of a run's arguments, made before anything is sent: the timeout's range (a
//! run's or a background run's), the language, the code's size, the environment's names.

use crate::error::Error;
use crate::models::{
    RunOptions, DEFAULT_BACKGROUND_TIMEOUT, DEFAULT_RUN_TIMEOUT, MAX_BACKGROUND_TIMEOUT, MAX_RUN_TIMEOUT,
};
use crate::sandbox::MAX_CODE_BYTES;
use crate::Result;

/// Checks the arguments of a run (`background`: of a background run) as the run itself will,
/// for bindings that must refuse bad arguments at once (a stream starts on its first read);
/// returns the timeout the run will use.
pub fn check_run(code: &str, options: &RunOptions, background: bool) -> Result<u32> {
    if background {
        validate_run(code, options, DEFAULT_BACKGROUND_TIMEOUT, MAX_BACKGROUND_TIMEOUT)
    } else {
        validate_run(code, options, DEFAULT_RUN_TIMEOUT, MAX_RUN_TIMEOUT)
    }
}

/// Checks `run_code` arguments before anything is sent; returns the timeout to use (the
/// call's `default` when none is given).
pub(crate) fn validate_run(code: &str, options: &RunOptions, default: u32, max: u32) -> Result<u32> {
    let timeout = options.timeout.unwrap_or(default);
    if !(1..=max).contains(&timeout) {
        return Err(Error::validation(format!("timeout must be between 1 and {max} seconds, got {timeout}")));
    }
    if options.language.trim().is_empty() {
        return Err(Error::validation("language must not be empty"));
    }
    if code.len() > MAX_CODE_BYTES {
        return Err(Error::validation(format!(
            "code is {} bytes; the limit is {MAX_CODE_BYTES} bytes (16 MiB)",
            code.len()
        )));
    }
    if let Some(env) = &options.env {
        crate::env::checked_vars(env)?;
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::collections::BTreeMap;

    fn opts(timeout: u32, language: &str) -> RunOptions {
        RunOptions { timeout: Some(timeout), language: language.into(), ..Default::default() }
    }

    fn check(code: &str, options: &RunOptions) -> Result<u32> {
        validate_run(code, options, DEFAULT_RUN_TIMEOUT, MAX_RUN_TIMEOUT)
    }

    #[test]
    fn run_arguments_are_checked() {
        assert_eq!(check("x", &opts(1, "python")).unwrap(), 1);
        assert_eq!(check("x", &opts(300, "bash")).unwrap(), 300);
        assert_eq!(check("x", &RunOptions::default()).unwrap(), 120, "the default applies");
        for bad in [opts(0, "python"), opts(301, "python"), opts(10, " ")] {
            assert_eq!(check("x", &bad).unwrap_err().kind, ErrorKind::Validation);
        }
        let e = check("x", &opts(0, "python")).unwrap_err();
        assert!(e.message.contains("between 1 and 300"), "{}", e.message);
        let big = "x".repeat(MAX_CODE_BYTES + 1);
        assert!(check(&big, &opts(1, "python")).is_err());
        let env = BTreeMap::from([(String::new(), "v".to_string())]);
        let with_env = RunOptions { env: Some(env), ..Default::default() };
        assert!(check("x", &with_env).is_err());
    }

    #[test]
    fn background_runs_default_to_300_s_and_may_last_a_day() {
        let bg = |o: &RunOptions| validate_run("x", o, DEFAULT_BACKGROUND_TIMEOUT, MAX_BACKGROUND_TIMEOUT);
        assert_eq!(bg(&RunOptions::default()).unwrap(), 300);
        assert_eq!(bg(&opts(86_400, "python")).unwrap(), 86_400);
        assert!(bg(&opts(86_401, "python")).unwrap_err().message.contains("between 1 and 86400"));
    }
}
