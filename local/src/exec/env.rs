//! The environment every sandbox process starts with. Nothing is inherited from the engine:
//! a run sees a clean base (paths inside the sandbox, UTF-8, unbuffered Python), then the
//! sandbox's global variables and the call's own on top.
//!
//! Installing packages works as in the cloud: `python`, `pip` (and the sandbox Python's other
//! scripts) come first on PATH, and `pip install` goes to a user base of the sandbox's own,
//! `/workspace/.local` (the sandbox Python's folders are read-only), which every later run and
//! the kernel import from. The paths inside it are the ones this Python's pip uses for an
//! install prefix (`language.rs` asks the Python).

use super::language::Runtimes;
use super::Language;
use crate::spawn;
use std::collections::BTreeMap;
use std::ffi::OsString;

/// Where matplotlib keeps its configuration and caches inside a sandbox (`MPLCONFIGDIR`).
pub const MATPLOTLIB_DIR: &str = "/tmp/.cache/matplotlib";

/// The install prefix of packages a sandbox installs: `~/.local`, its home being `/workspace`.
pub const USER_BASE: &str = "/workspace/.local";

/// Where the sandbox Python's pip puts what it installs under [`USER_BASE`].
#[derive(Debug, Clone, Default)]
pub struct InstallPaths {
    pub purelib: String,
    pub platlib: String,
    pub scripts: String,
}

impl InstallPaths {
    /// The import folders, for `PYTHONPATH`, each once.
    pub fn import_paths(&self) -> Vec<&str> {
        let mut paths = vec![self.purelib.as_str()];
        if self.platlib != self.purelib {
            paths.push(&self.platlib);
        }
        paths.retain(|p| !p.is_empty());
        paths
    }
}

const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The environment of a run of `lang` with the variables `vars` on top of the base.
pub fn run_env(
    runtimes: &Runtimes,
    lang: Language,
    vars: &BTreeMap<String, String>,
) -> Vec<(OsString, OsString)> {
    let mut env: BTreeMap<String, String> = [
        ("PATH", SYSTEM_PATH),
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
    if let Ok(python) = &runtimes.python {
        let installs = &python.installs;
        let path = [installs.scripts.as_str(), &python.bin_dir.to_string_lossy(), SYSTEM_PATH]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(":");
        env.insert("PATH".into(), path);
        env.insert("PYTHONPATH".into(), installs.import_paths().join(":"));
        for (k, v) in [
            ("PIP_PREFIX", USER_BASE),
            // The sandbox's own prefix is not the system's Python (PEP 668 guards that).
            ("PIP_BREAK_SYSTEM_PACKAGES", "1"),
            ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ] {
            env.insert(k.into(), v.into());
        }
    }
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
