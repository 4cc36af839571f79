//! matplotlib's font cache, which every sandbox would otherwise build on its own: the font
//! list takes one to two seconds to build on first `import matplotlib.pyplot`. It is built
//! once per sandbox Python (kept in a cache folder shared by this user's engines) and handed
//! to each new sandbox as seed files, which the sandbox's holder writes into its own
//! `MPLCONFIGDIR` as the sandbox user (the engine never writes into a sandbox).

use crate::exec::env::MATPLOTLIB_DIR;
use crate::exec::Runtimes;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Seed files as `(inside path, content)`.
pub type SeedFiles = Arc<Vec<(String, Vec<u8>)>>;

/// Where the font cache of the sandbox Python lives (`$TMPDIR/hopx-local-cache-<uid>/...`).
pub fn cache_dir(runtimes: &Runtimes) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let py = runtimes.python.as_ref().ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&py.executable, &py.version).hash(&mut h);
    Some(private_cache()?.join(format!("matplotlib-{:016x}", h.finish())))
}

/// This user's cache folder, mode 0700. `None` if someone else owns that name (the system
/// temp dir is shared with every user of the machine: never build in a folder another user
/// could have planted).
fn private_cache() -> Option<PathBuf> {
    // SAFETY: trivial getter.
    let uid = unsafe { libc::geteuid() };
    let dir = std::env::temp_dir().join(format!("hopx-local-cache-{uid}"));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    let meta = std::fs::symlink_metadata(&dir).ok()?;
    (meta.is_dir() && meta.uid() == uid && meta.mode() & 0o077 == 0).then_some(dir)
}

/// Builds the font cache with the sandbox Python (if it has matplotlib); errors are ignored:
/// without a seed each sandbox just builds its own.
pub async fn build(runtimes: &'static Runtimes) {
    let (Ok(py), Some(dir)) = (&runtimes.python, cache_dir(runtimes)) else { return };
    if !read(&dir).is_empty() {
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

/// The seed files for a new sandbox, as `(inside path, content)`; empty until built. Read from
/// disk once, then shared.
pub fn files(runtimes: &Runtimes) -> SeedFiles {
    static CACHE: Mutex<Option<SeedFiles>> = Mutex::new(None);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(files) = cache.as_ref() {
        return files.clone();
    }
    let files = Arc::new(cache_dir(runtimes).map(|d| read(&d)).unwrap_or_default());
    if !files.is_empty() {
        *cache = Some(files.clone());
    }
    files
}

/// The `.json` files of the cache folder (matplotlib's font list).
fn read(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let is_file = e.file_type().ok()?.is_file();
            (is_file && name.ends_with(".json"))
                .then(|| Some((format!("{MATPLOTLIB_DIR}/{name}"), std::fs::read(e.path()).ok()?)))?
        })
        .collect()
}
