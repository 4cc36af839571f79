//! `sandbox.files()` against the embedded local engine: every call, typed errors, progress,
//! the watch, and a large round trip in bounded memory (client and engine share this process).

use hopx_core::{Client, ClientConfig, CreateOptions, ErrorKind, Progress, RunOptions, Sandbox};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

fn rt() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap())
}

async fn sandbox() -> Sandbox {
    std::env::remove_var("HOPX_API_KEY");
    std::env::remove_var("HOPX_BASE_URL");
    let client = Client::new(ClientConfig::default()).await.expect("embedded engine starts");
    let opts = CreateOptions { template: Some("base".into()), ..Default::default() };
    client.create_sandbox(opts).await.unwrap()
}

async fn bash(sb: &Sandbox, code: &str) -> String {
    let opts = RunOptions { language: "bash".into(), ..Default::default() };
    let r = sb.run_code(code, opts).await.unwrap();
    assert_eq!(r.exit_code, 0, "{code}: {}", r.stderr);
    r.stdout
}

/// What a progress callback was told: bytes done, total.
type Told = (u64, Option<u64>);

fn local_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hopx-core-files-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_file_call_against_the_local_engine() {
    rt().block_on(async {
        let sb = sandbox().await;
        let files = sb.files();
        files.write("/workspace/dir/a.txt", "héllo", "0644").await.unwrap();
        assert_eq!(files.read("/workspace/dir/a.txt").await.unwrap(), "héllo");
        let bytes: Vec<u8> = (0..=255u8).collect();
        files.write_bytes("/workspace/b.bin", &bytes, "0600").await.unwrap();
        assert_eq!(files.read_bytes("/workspace/b.bin").await.unwrap(), bytes);
        let list = files.list("/workspace").await.unwrap();
        let names: Vec<&str> = list.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["b.bin", "dir"]);
        assert_eq!((list[0].size, list[0].permissions.as_str()), (256, "-rw-------"));
        assert!(list[1].is_directory);
        assert!(files.exists("/workspace/dir").await.unwrap());
        files.mkdir("/workspace/x/y").await.unwrap();
        assert_eq!(bash(&sb, "stat -c %U /workspace/x/y").await, "user\n");
        files.remove("/workspace/x").await.unwrap();
        assert!(!files.exists("/workspace/x").await.unwrap());

        let e = files.read("/workspace/nope").await.unwrap_err();
        assert_eq!(
            (e.kind, e.code.as_deref(), e.status_code),
            (ErrorKind::FileNotFound, Some("FILE_NOT_FOUND"), Some(404))
        );
        let e = files.read("/etc/shadow").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileOperation, "{e:?}");
        let e = files.write("/usr/x", "x", "0644").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileOperation, "{e:?}");
        let e = files.write("/workspace/m", "x", "rw").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        let e = files.remove("/workspace/nope").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileNotFound);

        // Upload and download with progress, byte-exact.
        let dir = local_dir("small");
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(dir.join("up"), &data).unwrap();
        let seen: Arc<Mutex<Vec<Told>>> = Default::default();
        let log = seen.clone();
        let progress: Progress = Arc::new(move |done, total| log.lock().unwrap().push((done, total)));
        files.upload(&dir.join("up"), "/workspace/up.bin", Some(progress.clone())).await.unwrap();
        let ups = std::mem::take(&mut *seen.lock().unwrap());
        assert_eq!(ups.last(), Some(&(1_000_000, Some(1_000_000))));
        assert!(ups.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows");
        let n = files.download("/workspace/up.bin", &dir.join("down"), Some(progress)).await.unwrap();
        assert_eq!(n, 1_000_000);
        assert_eq!(std::fs::read(dir.join("down")).unwrap(), data);
        assert_eq!(seen.lock().unwrap().last(), Some(&(1_000_000, Some(1_000_000))));
        let e = files.upload(&dir.join("missing"), "/workspace/m", None).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileOperation);
        assert!(e.message.contains("local file"), "{}", e.message);
        let e = files.upload(&dir, "/workspace/m", None).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FileOperation, "a folder is not uploaded: {e:?}");
        let _ = std::fs::remove_dir_all(&dir);

        // The watch sees what code in the sandbox does.
        bash(&sb, "mkdir -p /workspace/w").await;
        let watch = files.watch("/workspace/w").await.unwrap();
        bash(&sb, "echo 1 > /workspace/w/new.txt; rm /workspace/w/new.txt").await;
        let mut events = Vec::new();
        while events.len() < 3 {
            let c =
                tokio::time::timeout(Duration::from_secs(30), watch.next()).await.unwrap().unwrap().unwrap();
            assert_eq!(c.path, "/workspace/w/new.txt");
            events.push(c.event);
        }
        assert_eq!(events, ["created", "modified", "deleted"]);
        watch.close();
        assert!(watch.next().await.unwrap().is_none(), "closed");
        let e = files.watch("/workspace/none").await.err().expect("a missing folder cannot be watched");
        assert_eq!(e.kind, ErrorKind::FileOperation, "{e:?}");
        // A link to a host folder leads to nothing the watch can see.
        let host = local_dir("watched-host");
        bash(&sb, &format!("ln -s {} /workspace/hostlink", host.display())).await;
        let e =
            files.watch("/workspace/hostlink").await.err().expect("the host folder is not in the sandbox");
        assert_eq!(e.code.as_deref(), Some("DIRECTORY_NOT_FOUND"), "{e:?}");
        let _ = std::fs::remove_dir_all(&host);
        sb.kill().await.unwrap();
        assert_eq!(files.read("/workspace/dir/a.txt").await.unwrap_err().kind, ErrorKind::NotFound);
    });
}

/// Peak resident memory of this process, from the kernel's high-water mark.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// 200 MB up and back down: the client and the embedded engine (both in this process) each
/// hold a few buffers, never the file.
#[test]
fn a_large_round_trip_stays_in_bounded_memory() {
    rt().block_on(async {
        let sb = sandbox().await;
        let dir = local_dir("large");
        let size = 200u64 << 20;
        {
            use std::io::Write;
            let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("big")).unwrap());
            let block: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
            for _ in 0..200 {
                f.write_all(&block).unwrap();
            }
        }
        // Warm everything up first, so the measure is of the transfer alone.
        sb.files().write("/workspace/warm", "x", "0644").await.unwrap();
        let before = peak_rss_kib();
        sb.files().upload(&dir.join("big"), "/workspace/big", None).await.unwrap();
        let n = sb.files().download("/workspace/big", &dir.join("back"), None).await.unwrap();
        let growth_mib = (peak_rss_kib() - before) / 1024;
        println!("200 MB round trip: peak RSS growth {growth_mib} MiB");
        assert_eq!(n, size);
        assert_eq!(std::fs::metadata(dir.join("back")).unwrap().len(), size);
        assert_eq!(bash(&sb, "cksum < /workspace/big").await, {
            let out = std::process::Command::new("cksum")
                .stdin(std::fs::File::open(dir.join("big")).unwrap())
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        });
        assert!(growth_mib < 64, "peak RSS grew by {growth_mib} MiB");
        let _ = std::fs::remove_dir_all(&dir);
        sb.kill().await.unwrap();
    });
}
