//! The languages the engine runs and the interpreters behind them, resolved once.
//!
//! Binaries are resolved to real paths at start: a pyenv shim costs ~65 ms a call and cannot
//! run inside a sandbox (it needs the user's home).

use std::path::{Path, PathBuf};
use tokio::sync::OnceCell;

/// A language `run_code` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Python,
    JavaScript,
    Bash,
    Go,
}

/// Every accepted spelling, for error messages.
pub const SUPPORTED: &str = "python (python3), javascript (js, node, nodejs), bash (sh, shell), go";

impl Language {
    /// Parses a language name or alias, case-insensitively.
    pub fn parse(name: &str) -> Option<Language> {
        match name.trim().to_ascii_lowercase().as_str() {
            "python" | "python3" | "py" => Some(Language::Python),
            "javascript" | "js" | "node" | "nodejs" => Some(Language::JavaScript),
            "bash" | "sh" | "shell" => Some(Language::Bash),
            "go" | "golang" => Some(Language::Go),
            _ => None,
        }
    }

    /// The canonical name reported back in results.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::Bash => "bash",
            Language::Go => "go",
        }
    }

    /// File extension of a one-shot source file.
    pub fn extension(self) -> &'static str {
        match self {
            Language::Python => "py",
            Language::JavaScript => "js",
            Language::Bash => "sh",
            Language::Go => "go",
        }
    }
}

/// The sandbox Python: its binary and the host paths a sandbox must see to run it.
#[derive(Debug, Clone)]
pub struct PythonRuntime {
    pub executable: PathBuf,
    /// Prefixes and import paths outside the system directories (a venv, a pyenv tree).
    pub ro_paths: Vec<PathBuf>,
    pub version: String,
    /// Whether IPython imports (needed by the `code-interpreter` kernel).
    pub has_ipython: bool,
    /// The folder of `executable` (its `pip`, `ipython`, ... live there too).
    pub bin_dir: PathBuf,
    /// Where `pip install` puts packages and scripts inside a sandbox (`env.rs`).
    pub installs: super::env::InstallPaths,
}

/// Resolved interpreters; `Err` holds the message a user sees when asking for that language.
#[derive(Debug, Clone)]
pub struct Runtimes {
    pub python: Result<PythonRuntime, String>,
    pub node: Result<PathBuf, String>,
    pub bash: Result<PathBuf, String>,
    pub go: Result<PathBuf, String>,
}

impl Runtimes {
    /// Looks every interpreter up. `python` overrides `python3` on PATH.
    pub async fn resolve(python: Option<PathBuf>) -> Runtimes {
        let py_hint = python_hint(python);
        Runtimes {
            python: match py_hint {
                Some(p) => probe_python(&p).await,
                None => Err("python is not available: no `python3` on PATH (set HOPX_LOCAL_PYTHON)".into()),
            },
            node: find("node", "HOPX_LOCAL_NODE", "javascript"),
            bash: find("bash", "HOPX_LOCAL_BASH", "bash"),
            go: find("go", "HOPX_LOCAL_GO", "go"),
        }
    }

    /// Resolves once per process; later calls share the answer.
    pub async fn shared(python: Option<PathBuf>) -> &'static Runtimes {
        static CELL: OnceCell<Runtimes> = OnceCell::const_new();
        CELL.get_or_init(|| Runtimes::resolve(python)).await
    }

    /// The binary for a one-shot run of `lang`, or the message saying why there is none.
    pub fn binary(&self, lang: Language) -> Result<&Path, String> {
        let r = match lang {
            Language::Python => self.python.as_ref().map(|p| p.executable.as_path()),
            Language::JavaScript => self.node.as_deref(),
            Language::Bash => self.bash.as_deref(),
            Language::Go => self.go.as_deref(),
        };
        r.map_err(Clone::clone)
    }

    /// Host paths every sandbox must see read-only so these interpreters can run.
    pub fn ro_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = Vec::new();
        if let Ok(py) = &self.python {
            paths.extend(py.ro_paths.iter().cloned());
        }
        for bin in [&self.node, &self.go].into_iter().flatten() {
            // A toolchain outside /usr (e.g. /opt/go/bin/go) is exposed from its root.
            if let Some(root) = bin.parent().and_then(Path::parent) {
                if !is_system_path(root) {
                    paths.push(root.to_path_buf());
                }
            }
        }
        paths.sort();
        paths.dedup();
        paths
    }
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn find(name: &str, var: &str, lang: &str) -> Result<PathBuf, String> {
    env_path(var)
        .or_else(|| which(name))
        .and_then(|p| std::fs::canonicalize(p).ok())
        .ok_or_else(|| format!("{lang} is not available on this machine: no `{name}` on PATH (set {var})"))
}

pub use crate::spawn::which;

/// Paths a sandbox's own mounts cover (`/workspace`, `/dev`, `/proc`, and `/tmp` itself), so
/// that no host folder can be shown there. A folder *under* `/tmp` can: it appears read-only in
/// the sandbox's private `/tmp` (`sandbox/src/mounts.rs`).
pub fn hidden_in_sandbox(p: &Path) -> bool {
    p == Path::new("/tmp") || ["/workspace", "/dev", "/proc"].iter().any(|s| p.starts_with(s))
}

/// Directories every sandbox already sees read-only.
pub fn is_system_path(p: &Path) -> bool {
    ["/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"].iter().any(|s| p.starts_with(s))
}

const PROBE: &str = "import sys, json, sysconfig, importlib.util as u\n\
scheme = sysconfig.get_preferred_scheme('prefix') if hasattr(sysconfig, 'get_preferred_scheme') \
else 'posix_prefix'\n\
b = sys.argv[1]\n\
paths = sysconfig.get_paths(scheme, vars={'base': b, 'platbase': b, 'installed_base': b, \
'installed_platbase': b})\n\
print(json.dumps({'exe': sys.executable, 'prefix': sys.prefix, 'base': sys.base_prefix, \
'version': sys.version.split()[0], 'path': [p for p in sys.path if p], \
'ipython': u.find_spec('IPython') is not None, \
'installs': {k: paths[k] for k in ('purelib', 'platlib', 'scripts')}}))";

/// The Python [`Runtimes::resolve`] asks: `python`, else `HOPX_LOCAL_PYTHON`, else `python3`
/// or `python` on PATH.
pub fn python_hint(python: Option<PathBuf>) -> Option<PathBuf> {
    python.or_else(|| env_path("HOPX_LOCAL_PYTHON")).or_else(|| which("python3")).or_else(|| which("python"))
}

/// A probe's answer that another process got (a shared engine's client probes while the
/// engine's own interpreter starts: `crate::shared`), with the Python it is about.
static PROBED: std::sync::Mutex<Option<(PathBuf, Vec<u8>)>> = std::sync::Mutex::new(None);

/// Hands this engine the answer of the probe of `hint`, so that it need not ask again.
pub fn preset_probe(hint: PathBuf, stdout: Vec<u8>) {
    *PROBED.lock().unwrap_or_else(|e| e.into_inner()) = Some((hint, stdout));
}

/// Probes `hint` now, blocking; its answer if it ran and succeeded.
pub fn probe_blocking(hint: &Path) -> Option<Vec<u8>> {
    let out = std::process::Command::new(hint)
        .args(["-c", PROBE, super::env::USER_BASE])
        .env_remove("PYTHONPATH")
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// Asks the Python itself where it lives (this also sees through pyenv shims).
async fn probe_python(hint: &Path) -> Result<PythonRuntime, String> {
    let preset = PROBED.lock().unwrap_or_else(|e| e.into_inner()).take().filter(|(h, _)| h == hint);
    let out = match preset {
        Some((_, stdout)) => std::process::Output { status: Default::default(), stdout, stderr: Vec::new() },
        None => tokio::process::Command::new(hint)
            .args(["-c", PROBE, super::env::USER_BASE])
            .env_remove("PYTHONPATH")
            .output()
            .await
            .map_err(|e| format!("python at {} cannot start: {e}", hint.display()))?,
    };
    if !out.status.success() {
        return Err(format!(
            "python at {} failed to start: {}",
            hint.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("python at {} gave an unreadable answer: {e}", hint.display()))?;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    // Resolve symlinked folders but keep the file name: a venv's `python` is itself a link to
    // the base interpreter, and following it would leave the venv.
    let exe = PathBuf::from(s("exe"));
    let exe = match (exe.parent().and_then(|d| std::fs::canonicalize(d).ok()), exe.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => exe,
    };
    if hidden_in_sandbox(&exe) {
        return Err(format!(
            "the sandbox Python {} lives where each sandbox has a folder of its own: \
             use a Python installed elsewhere (set HOPX_LOCAL_PYTHON)",
            exe.display()
        ));
    }
    let mut ro_paths: Vec<PathBuf> = [s("prefix"), s("base")].into_iter().map(PathBuf::from).collect();
    for p in v["path"].as_array().into_iter().flatten().filter_map(|p| p.as_str()) {
        ro_paths.push(PathBuf::from(p));
    }
    // The executable may be a venv symlink into another tree: expose that tree too.
    if let Ok(real) = std::fs::canonicalize(&exe) {
        if let Some(root) = real.parent().and_then(Path::parent) {
            ro_paths.push(root.to_path_buf());
        }
    }
    ro_paths.push(exe.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default());
    let mut ro_paths: Vec<PathBuf> = ro_paths
        .into_iter()
        .filter(|p| p.is_absolute())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .filter(|p| !is_system_path(p))
        .filter(|p| {
            // Import paths under the sandbox's own mounts (`/workspace`...) cannot be shown;
            // the interpreter itself is checked above.
            let hidden = hidden_in_sandbox(p);
            if hidden {
                tracing::info!("python import path {} is not visible in sandboxes", p.display());
            }
            !hidden
        })
        .collect();
    ro_paths.sort();
    ro_paths.dedup();
    // Keep only outermost paths: a prefix already covers its site-packages.
    let outer: Vec<PathBuf> =
        ro_paths.iter().filter(|p| !ro_paths.iter().any(|q| q != *p && p.starts_with(q))).cloned().collect();
    let installs = &v["installs"];
    let installs = super::env::InstallPaths {
        purelib: installs["purelib"].as_str().unwrap_or_default().to_string(),
        platlib: installs["platlib"].as_str().unwrap_or_default().to_string(),
        scripts: installs["scripts"].as_str().unwrap_or_default().to_string(),
    };
    Ok(PythonRuntime {
        bin_dir: exe.parent().map(Path::to_path_buf).unwrap_or_default(),
        installs,
        executable: exe,
        ro_paths: outer,
        version: s("version"),
        has_ipython: v["ipython"] == true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases() {
        assert_eq!(Language::parse("Python3"), Some(Language::Python));
        assert_eq!(Language::parse("nodejs"), Some(Language::JavaScript));
        assert_eq!(Language::parse("sh"), Some(Language::Bash));
        assert_eq!(Language::parse("go"), Some(Language::Go));
        assert_eq!(Language::parse("cobol"), None);
    }

    #[tokio::test]
    async fn resolves_the_real_python() {
        let r = Runtimes::resolve(None).await;
        let py = r.python.expect("python3 on PATH");
        assert!(py.executable.is_absolute());
        assert!(!py.executable.to_string_lossy().contains("shims"), "{:?}", py.executable);
    }
}
