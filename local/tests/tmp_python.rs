//! A sandbox Python that lives under `/tmp` (a venv a CI job or a throwaway environment made
//! there): its folders appear read-only in each sandbox's private `/tmp`, where nothing else
//! of the host's `/tmp` does.

mod common;
use common::*;
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;

/// A venv under the host's `/tmp`, made from the Python the other tests use.
fn venv_in_tmp() -> PathBuf {
    let base = std::env::var("HOPX_LOCAL_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = PathBuf::from(format!("/tmp/hopx-test-venv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let made = Command::new(&base).args(["-m", "venv", "--without-pip"]).arg(&dir).status().unwrap();
    assert!(made.success(), "{base} -m venv {}", dir.display());
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_venv_under_tmp_runs_sandbox_code_and_tmp_stays_private() {
    let venv = venv_in_tmp();
    let secret = PathBuf::from(format!("/tmp/hopx-test-host-secret-{}", std::process::id()));
    std::fs::write(&secret, "host only").unwrap();
    let python = venv.join("bin/python");
    let h = Harness::with(|c| c.python = Some(python.clone())).await;
    let sb = h.create(json!({"template_name": "base", "internet_access": false})).await;

    let code = "import sys; print(sys.prefix)";
    assert_eq!(sb.ok("python", code).await, format!("{}\n", venv.display()));
    // The venv is there, read-only; nothing else of the host's /tmp is (`.hopx` holds the
    // sandbox's own code files).
    let listing = sb.ok("bash", "ls -A /tmp").await;
    let name = venv.file_name().unwrap().to_string_lossy().to_string();
    let seen: Vec<&str> = listing.lines().filter(|l| *l != ".hopx").collect();
    assert_eq!(seen, [name.as_str()], "{listing}");
    let (_, v) =
        sb.exec(json!({"language": "bash", "code": format!("touch {}/planted", venv.display())})).await;
    assert_ne!(v["exit_code"], 0, "the venv is read-only: {v}");
    assert!(!venv.join("planted").exists());
    let (_, v) = sb.exec(json!({"language": "bash", "code": format!("cat {}", secret.display())})).await;
    assert_ne!(v["exit_code"], 0, "{v}");
    // The rest of /tmp is the sandbox's own, as before.
    assert_eq!(sb.ok("bash", "echo mine > /tmp/own && cat /tmp/own").await, "mine\n");
    let _ = std::fs::remove_dir_all(&venv);
    let _ = std::fs::remove_file(&secret);
}
