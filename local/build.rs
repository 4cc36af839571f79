//! Builds the `hopx-sandbox` helper (crate `sandbox/`) and hands its path to the engine, which
//! embeds it (`include_bytes!`) and execs it for every sandboxed process; see
//! `src/spawn/helper.rs` for why. A nested cargo is the only stable way to embed
//! another crate's binary; it gets its own target directory (cargo's lock on ours is held),
//! always builds in release (it runs on every spawn) and fails this build loudly.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let sandbox = manifest_dir.join("../sandbox");
    println!("cargo:rerun-if-changed={}", sandbox.join("src").display());
    println!("cargo:rerun-if-changed={}", sandbox.join("Cargo.toml").display());
    println!("cargo:rerun-if-changed=../Cargo.lock");

    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    // One helper build shared by every profile and consumer: next to cargo's own target dir.
    let target_dir = out
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map_or_else(|| out.join("hopx-sandbox"), |d| d.join("hopx-sandbox"));
    let target = env::var("TARGET").expect("set by cargo");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--manifest-path")
        .arg(sandbox.join("Cargo.toml"))
        .args(["--bin", "hopx-sandbox", "--target", &target])
        .arg("--target-dir")
        .arg(&target_dir)
        // Cargo's messages go to our stderr; our stdout is for cargo directives only.
        .stdout(Stdio::from(std::io::stderr()));
    // Flags meant for the outer build (a cdylib's linker arguments, its target dir) are not
    // the helper's.
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if matches!(key, "RUSTFLAGS" | "CARGO_ENCODED_RUSTFLAGS" | "CARGO_TARGET_DIR")
            || key.starts_with("CARGO_BUILD_")
            || key.starts_with("CARGO_PROFILE_")
        {
            cmd.env_remove(key);
        }
    }
    let status = cmd.status().expect("running cargo for the sandbox helper");
    assert!(status.success(), "building the hopx-sandbox helper failed (see the cargo output above)");

    let bin = target_dir.join(&target).join("release").join("hopx-sandbox");
    assert!(Path::new(&bin).is_file(), "no helper at {}", bin.display());
    println!("cargo:rustc-env=HOPX_SANDBOX_HELPER={}", bin.display());
}
