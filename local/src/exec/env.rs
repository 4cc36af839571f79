//! The environment every sandbox process starts with. Nothing is inherited from the engine:
//! a run sees a clean base (paths inside the sandbox, UTF-8, unbuffered Python), then the
//! sandbox's global variables and the call's own on top.

use super::Language;
use crate::spawn;
use std::collections::BTreeMap;
use std::ffi::OsString;

/// Where matplotlib keeps its configuration and caches inside a sandbox (`MPLCONFIGDIR`).
pub const MATPLOTLIB_DIR: &str = "/tmp/.cache/matplotlib";

/// The environment of a run of `lang` with the variables `vars` on top of the base.
pub fn run_env(lang: Language, vars: &BTreeMap<String, String>) -> Vec<(OsString, OsString)> {
    let mut env: BTreeMap<String, String> = [
        ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        ("HOME", spawn::WORKSPACE),
        ("TMPDIR", spawn::TMP),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("MPLBACKEND", "Agg"),
        ("MPLCONFIGDIR", MATPLOTLIB_DIR),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if lang == Language::Go {
        for (k, v) in [
            ("GOCACHE", "/tmp/.cache/go-build"),
            ("GOPATH", "/tmp/go"),
            ("GOTOOLCHAIN", "local"),
            ("GOFLAGS", "-mod=mod"),
            ("GO111MODULE", "auto"),
        ] {
            env.insert(k.into(), v.into());
        }
    }
    env.extend(vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    env.into_iter().map(|(k, v)| (k.into(), v.into())).collect()
}
