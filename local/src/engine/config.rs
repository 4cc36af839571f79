//! Engine settings: limits, defaults and where things live. Each has an environment variable
//! so a user can change it without code (`HOPX_LOCAL_*`).

use crate::spawn::Limits;
use std::path::PathBuf;

/// Settings of one engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// API key the control plane requires; `None` accepts any request.
    pub api_key: Option<String>,
    /// Python that runs sandbox code; `None` means `python3` on PATH.
    pub python: Option<PathBuf>,
    /// Where sandbox directories are made (one sub-directory per engine run).
    pub state_dir: PathBuf,
    /// Per-sandbox limits unless a create request says otherwise.
    pub limits: Limits,
    /// Bytes kept per output stream of one run; the rest is dropped and flagged.
    pub output_limit: usize,
    /// Bytes of rich outputs (plots, tables, as the kernel's JSON) kept per run; the rest is
    /// dropped and flagged. With the two streams, this bounds what one run holds in the process
    /// the engine lives in.
    pub rich_output_limit: usize,
    /// Bytes of output kept across a sandbox's finished background runs; the oldest go first.
    pub background_output_budget: usize,
    /// Largest accepted code, in bytes.
    pub code_limit: usize,
    /// Most sandboxes alive at once.
    pub max_sandboxes: usize,
    /// Started Python kernels kept ready for new `code-interpreter` sandboxes.
    pub kernel_pool: usize,
}

const MIB: u64 = 1024 * 1024;

/// The default number of files for a disk of `bytes`: one per 16 KiB. Each file costs the
/// kernel memory beyond its bytes, which a flood of empty files would otherwise use unbounded.
fn files_for_disk(bytes: u64) -> u64 {
    (bytes / (16 * 1024)).max(1024)
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            api_key: None,
            python: None,
            // Per user: the temp folder is shared by everyone on the machine.
            // SAFETY: trivial getter.
            state_dir: std::env::temp_dir().join(format!("hopx-local-{}", unsafe { libc::geteuid() })),
            limits: Limits {
                memory_bytes: Some(1024 * MIB),
                max_processes: Some(256),
                file_size_bytes: Some(1024 * MIB),
                open_files: Some(1024),
                disk_bytes: Some(2048 * MIB),
                disk_files: Some(files_for_disk(2048 * MIB)),
            },
            output_limit: 10 * MIB as usize,
            rich_output_limit: 32 * MIB as usize,
            background_output_budget: 32 * MIB as usize,
            code_limit: 16 * MIB as usize,
            max_sandboxes: 200,
            kernel_pool: 1,
        }
    }
}

impl EngineConfig {
    /// The defaults, overridden by `HOPX_LOCAL_*` environment variables where set.
    pub fn from_env() -> Self {
        let mut c = EngineConfig::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let num = |k: &str| var(k).and_then(|v| v.parse::<u64>().ok());
        if let Some(p) = var("HOPX_LOCAL_PYTHON") {
            c.python = Some(PathBuf::from(p));
        }
        if let Some(d) = var("HOPX_LOCAL_STATE_DIR") {
            c.state_dir = PathBuf::from(d);
        }
        if let Some(mb) = num("HOPX_LOCAL_MEMORY_MB") {
            c.limits.memory_bytes = (mb > 0).then_some(mb * MIB);
        }
        if let Some(n) = num("HOPX_LOCAL_MAX_PROCESSES") {
            c.limits.max_processes = (n > 0).then_some(n);
        }
        if let Some(mb) = num("HOPX_LOCAL_DISK_MB") {
            c.limits.disk_bytes = (mb > 0).then_some(mb * MIB);
            c.limits.disk_files = c.limits.disk_bytes.map(files_for_disk);
        }
        if let Some(n) = num("HOPX_LOCAL_DISK_FILES") {
            c.limits.disk_files = (n > 0).then_some(n);
        }
        if let Some(mb) = num("HOPX_LOCAL_OUTPUT_LIMIT_MB") {
            c.output_limit = (mb * MIB) as usize;
        }
        if let Some(mb) = num("HOPX_LOCAL_RICH_OUTPUT_LIMIT_MB") {
            c.rich_output_limit = (mb * MIB) as usize;
        }
        if let Some(mb) = num("HOPX_LOCAL_BACKGROUND_OUTPUT_MB") {
            c.background_output_budget = (mb * MIB) as usize;
        }
        if let Some(n) = num("HOPX_LOCAL_MAX_SANDBOXES") {
            c.max_sandboxes = n as usize;
        }
        if let Some(n) = num("HOPX_LOCAL_KERNEL_POOL") {
            c.kernel_pool = n as usize;
        }
        c
    }
}
