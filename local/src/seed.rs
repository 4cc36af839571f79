//! Caches every sandbox would otherwise build on its own: matplotlib's font list takes one
//! to two seconds to build on first `import matplotlib.pyplot`. It is built once per sandbox
//! Python (kept in a cache folder shared by every engine on the machine) and copied into each
//! new sandbox's `/tmp/.cache/matplotlib`.

use crate::exec::Runtimes;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Where the seed for the sandbox Python lives (`$TMPDIR/hopx-local-cache/...`).
pub fn seed_dir(runtimes: &Runtimes) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let py = runtimes.python.as_ref().ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&py.executable, &py.version).hash(&mut h);
    Some(std::env::temp_dir().join("hopx-local-cache").join(format!("matplotlib-{:016x}", h.finish())))
}

/// Builds the font cache with the sandbox Python (if it has matplotlib); errors are ignored:
/// without a seed each sandbox just builds its own.
pub async fn build(runtimes: &'static Runtimes) {
    let (Ok(py), Some(dir)) = (&runtimes.python, seed_dir(runtimes)) else { return };
    if has_json(&dir) {
        return;
    }
    let _ = tokio::process::Command::new(&py.executable)
        .args([
            "-c",
            "import importlib.util as u\nif u.find_spec('matplotlib'):\n    import matplotlib.font_manager",
        ])
        .env("MPLCONFIGDIR", &dir)
        .env("MPLBACKEND", "Agg")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await;
}

fn has_json(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".json"))
}

/// Copies the seed into a new sandbox's tmp directory (as `/tmp/.cache/matplotlib`).
pub fn plant(runtimes: &Runtimes, sandbox_tmp: &Path) {
    let Some(seed) = seed_dir(runtimes) else { return };
    let Ok(entries) = std::fs::read_dir(seed) else { return };
    let target = sandbox_tmp.join(".cache").join("matplotlib");
    if std::fs::create_dir_all(&target).is_err() {
        return;
    }
    // The sandbox user must be able to update the cache; only this sandbox sees it.
    for dir in [sandbox_tmp.join(".cache"), target.clone()] {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777));
    }
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(".json") {
            let dest = target.join(&name);
            if std::fs::copy(entry.path(), &dest).is_ok() {
                let _ = std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o666));
            }
        }
    }
}
