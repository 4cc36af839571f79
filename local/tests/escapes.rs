//! Attacks on the engine itself: sandbox code plants links and folders where the engine would
//! act on its behalf (code files, working directories, clean-up), then asks it to act. The
//! engine runs as root in CI, so each would be a host write or chmod as root if it followed
//! one. After every attack the host side is checked byte for byte and mode for mode.

mod common;
use common::*;
use serde_json::{json, Value};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;

/// A root-only host folder holding a root-only file: what an escape would write into.
struct Victim {
    dir: PathBuf,
    file: PathBuf,
}

const SECRET: &str = "host secret, do not touch\n";

impl Victim {
    fn new(tag: &str) -> Victim {
        let dir = PathBuf::from(format!("/var/tmp/hopx-victim-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.join("file");
        std::fs::write(&file, SECRET).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        Victim { dir, file }
    }

    fn assert_untouched(&self, after: &str) {
        let dir = std::fs::metadata(&self.dir).unwrap();
        assert_eq!(dir.mode() & 0o7777, 0o700, "{after}: the host folder's mode changed");
        assert_eq!(dir.uid(), 0, "{after}");
        let names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names, ["file"], "{after}: something was created in the host folder");
        let file = std::fs::symlink_metadata(&self.file).unwrap();
        assert!(file.is_file(), "{after}");
        assert_eq!(file.mode() & 0o7777, 0o600, "{after}: the host file's mode changed");
        assert_eq!(
            std::fs::read_to_string(&self.file).unwrap(),
            SECRET,
            "{after}: the host file was written"
        );
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const HELLO: [(&str, &str); 4] = [
    ("python", "print('hello')"),
    ("javascript", "console.log('hello')"),
    ("bash", "echo hello"),
    ("go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n"),
];

/// Runs `command` through `/commands/run` (no code file involved) and returns its stdout.
async fn command(sb: &AgentClient, command: &str) -> String {
    let (s, v, _) = sb.agent(reqwest::Method::POST, "/commands/run", Some(json!({"command": command}))).await;
    assert_eq!(s, 200, "{v}");
    v["stdout"].as_str().unwrap().to_string()
}

/// Runs `code` in `lang`; returns the status and body (never asserts success).
async fn run(sb: &AgentClient, lang: &str, code: &str, workdir: Option<&str>) -> (u16, Value) {
    let mut body = json!({"language": lang, "code": code, "timeout": 120});
    if let Some(w) = workdir {
        body["working_dir"] = json!(w);
    }
    sb.exec(body).await
}

fn go_available(status: u16, body: &Value) -> bool {
    !(status == 400 && body["error"].as_str().is_some_and(|e| e.contains("go is not available")))
}

/// The engine writes every one-shot run's code to `/tmp/.hopx/run-<n>.<ext>`. The sandbox
/// replaces that folder with links to host paths (a file, a folder, `/`, nothing), and with a
/// link of its own, and the next runs must neither write nor chmod anything on the host.
#[tokio::test(flavor = "multi_thread")]
async fn planted_code_file_links_never_reach_the_host() {
    let victim = Victim::new("code");
    let h = Harness::start().await;
    let sb = h.create(json!({"template_name": "base"})).await;
    let (v, d) = (victim.file.display(), victim.dir.display());
    // Every name the next runs will use, for every language.
    let plant = format!(
        "rm -rf /tmp/.hopx; mkdir -p /tmp/.hopx; cd /tmp/.hopx; \
         for n in $(seq 1 60); do for e in py js sh go; do \
           case $((n % 4)) in \
             0) ln -s {v} run-$n.$e;; 1) ln -s {d}/new-$n.$e run-$n.$e;; \
             2) ln -s / run-$n.$e;; 3) ln -s /nonexistent/x run-$n.$e;; esac; done; done; ls | wc -l"
    );
    let (s, out) = run(&sb, "bash", &plant, None).await;
    assert_eq!((s, out["stdout"].as_str()), (200, Some("240\n")), "{out}");
    for round in 0..3 {
        for (lang, code) in HELLO {
            let (s, body) = run(&sb, lang, code, None).await;
            if lang == "go" && !go_available(s, &body) {
                continue;
            }
            // The run's own process refuses to write over anything that is there.
            assert_ne!(body["stdout"], "hello\n", "round {round} {lang}: ran through a planted link: {body}");
            assert_eq!(s, 500, "{lang}: {body}");
            let msg = body["error"].as_str().unwrap_or_default();
            assert!(
                msg.contains("code file") && msg.contains("File exists"),
                "{lang}: a clear reason: {body}"
            );
            victim.assert_untouched(&format!("round {round}, {lang}"));
        }
    }
    // The folder itself a link: to the host folder, then to the read-only root.
    for target in [victim.dir.display().to_string(), "/".into(), "/proc/self/root/etc".into()] {
        command(&sb, &format!("rm -rf /tmp/.hopx; ln -s {target} /tmp/.hopx")).await;
        for (lang, code) in HELLO {
            let (s, body) = run(&sb, lang, code, None).await;
            if lang == "go" && !go_available(s, &body) {
                continue;
            }
            assert_ne!(body["stdout"], "hello\n", "{lang} via {target}: {body}");
            victim.assert_untouched(&format!("/tmp/.hopx -> {target}, {lang}"));
        }
    }
    // Once the sandbox stops sabotaging itself, its runs work again.
    command(&sb, "rm -rf /tmp/.hopx").await;
    for (lang, code) in HELLO {
        let (s, body) = run(&sb, lang, code, None).await;
        if lang == "go" && !go_available(s, &body) {
            continue;
        }
        assert_eq!((s, body["stdout"].as_str()), (200, Some("hello\n")), "{lang}: {body}");
    }
    // And what the runs wrote belongs to the sandbox user; the files are gone after the run.
    let (_, body) = run(&sb, "bash", "stat -c '%u %a' /tmp/.hopx; ls /tmp/.hopx | wc -l", None).await;
    assert_eq!(body["stdout"], "1000 700\n1\n", "{body}");
    victim.assert_untouched("after the runs");
    h.server.shutdown().await;
    victim.assert_untouched("after the engine stopped");
}

/// A working directory through a link the sandbox planted (to a root-only host folder, to
/// `/`, dangling), for one-shot runs in every language and for the Python kernel.
#[tokio::test(flavor = "multi_thread")]
async fn planted_working_dir_links_never_reach_the_host() {
    let victim = Victim::new("workdir");
    let h = Harness::start().await;
    let d = victim.dir.display();
    for template in ["base", "code-interpreter"] {
        let sb = h.create(json!({"template_name": template})).await;
        let plant = format!(
            "ln -s {d} /workspace/l && ln -s {d} /tmp/l && ln -s / /workspace/root && \
             ln -s /nonexistent /workspace/dangling && ln -s {d}/x /workspace/into && echo planted"
        );
        let (s, out) = run(&sb, "bash", &plant, None).await;
        assert_eq!((s, out["stdout"].as_str()), (200, Some("planted\n")), "{out}");
        let dirs = [
            "/workspace/l/x/y",
            "/workspace/l",
            "/tmp/l/x",
            "/workspace/root/etc/x",
            "/workspace/root/root/new",
            "/workspace/dangling/x",
            "/workspace/into",
        ];
        for dir in dirs {
            let langs: &[(&str, &str)] =
                if template == "base" { &HELLO } else { &[("python", "print('hello')")] };
            for (lang, code) in langs {
                let (s, body) = run(&sb, lang, code, Some(dir)).await;
                if *lang == "go" && !go_available(s, &body) {
                    continue;
                }
                assert!(
                    !(s == 200 && body["success"] == true),
                    "{template} {lang} in {dir}: ran in a folder it cannot have: {body}"
                );
                victim.assert_untouched(&format!("{template} {lang} in {dir}"));
            }
            // `/commands/run` takes the same path.
            let body = json!({"command": "echo hello", "working_dir": dir});
            let (s, v, _) = sb.agent(reqwest::Method::POST, "/commands/run", Some(body)).await;
            assert!(!(s == 200 && v["exit_code"] == 0), "commands/run in {dir}: {v}");
            victim.assert_untouched(&format!("commands/run in {dir}"));
        }
        // The error names the folder the sandbox cannot use.
        if template == "base" {
            let (s, body) = run(&sb, "bash", "echo hello", Some("/workspace/dangling/x")).await;
            let msg = body["error"].as_str().unwrap_or_default();
            assert!(s == 500 && msg.contains("working directory /workspace/dangling/x"), "{body}");
        }
        // A real folder is still created as asked, by and for the sandbox user.
        let (s, body) =
            run(&sb, "python", "import os; print(os.getcwd(), os.stat('.').st_uid)", Some("/workspace/a/b"))
                .await;
        assert_eq!((s, body["stdout"].as_str()), (200, Some("/workspace/a/b 1000\n")), "{template}: {body}");
    }
    victim.assert_untouched("after every run");
    h.server.shutdown().await;
}

/// Killing a sandbox full of links to host paths removes nothing and changes nothing on the
/// host (its files go with its own file system).
#[tokio::test(flavor = "multi_thread")]
async fn kill_and_expiry_follow_no_link() {
    let victim = Victim::new("kill");
    let h = Harness::start().await;
    let d = victim.dir.display();
    let plant = format!(
        "ln -s {d} /workspace/l; ln -s {d} /tmp/l; ln -s / /workspace/root; mkdir -p /tmp/.hopx; \
         ln -s {d} /tmp/.hopx/dir; ln -s {d}/file /workspace/f; echo ok"
    );
    let killed = h.create(json!({"template_name": "base"})).await;
    let expiring = h.create(json!({"template_name": "base", "timeout_seconds": 1})).await;
    for sb in [&killed, &expiring] {
        let (s, body) = run(sb, "bash", &plant, None).await;
        assert_eq!((s, body["stdout"].as_str()), (200, Some("ok\n")), "{body}");
    }
    let (s, _, _) = h.control(reqwest::Method::DELETE, &format!("/v1/sandboxes/{}", killed.id), None).await;
    assert_eq!(s, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    h.server.shutdown().await;
    victim.assert_untouched("after kill, expiry and shutdown");
}

/// A sandbox, with internet access or without, must not reach the host's abstract unix sockets
/// (X11, D-Bus, containerd listen there, guarded by no file mode), while its own abstract
/// sockets keep working: they belong to its network namespace, which is never the host's.
#[tokio::test(flavor = "multi_thread")]
async fn host_abstract_unix_sockets_are_out_of_reach() {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("hopx-host-service-{}", std::process::id());
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let listener = std::os::unix::net::UnixListener::bind_addr(&addr).unwrap();
    listener.set_nonblocking(true).unwrap();
    let h = Harness::start().await;
    let probe = format!(
        "import socket\n\
         def attempt(name):\n\
         \x20   s = socket.socket(socket.AF_UNIX)\n\
         \x20   try:\n\
         \x20       s.connect('\\0' + name); return 'connected'\n\
         \x20   except OSError as e:\n\
         \x20       return 'refused %d' % e.errno\n\
         own = socket.socket(socket.AF_UNIX); own.bind('\\0own-{name}'); own.listen()\n\
         print(attempt('{name}'), attempt('own-{name}'))\n"
    );
    for internet in [true, false] {
        let sb = h.create(json!({"template_name": "base", "internet_access": internet})).await;
        let (s, v) = run(&sb, "python", &probe, None).await;
        assert_eq!(s, 200, "{v}");
        let out = v["stdout"].as_str().unwrap();
        assert!(out.starts_with("refused"), "internet_access={internet}: reached the host's socket: {v}");
        assert!(out.trim_end().ends_with("connected"), "its own abstract socket must work: {v}");
    }
    assert!(listener.accept().is_err(), "the host listener saw a connection");
    h.server.shutdown().await;
}
