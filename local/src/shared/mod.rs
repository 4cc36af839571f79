//! One warm engine per user, shared by all their processes.
//!
//! An engine inside each process pays the Python kernel's start (about half a second) in every
//! fresh script. Instead, a client finds the user's running engine through its record in a
//! private folder ([`place`]) and starts one when there is none: detached, from the program
//! the client runs in (the Python or Node interpreter loading the same native module, whose
//! `serve_shared` runs [`serve::serve`]), under a lock so that clients starting at once get
//! one engine. Engines are told apart by an identity: the native module's path, size and
//! time, the sandbox Python and the `HOPX_LOCAL_*` settings. A client of another build or
//! other settings starts its own engine beside it, never drives one it does not match, and
//! the unused one exits when idle.
//!
//! A sandbox still ends with the process that made it ([`crate::engine::owner`]), unless it
//! was given a time-to-live.

pub mod place;
pub mod serve;

pub use crate::engine::owner::{Owner, OWNER_HEADER};
use place::{Place, Record};
use std::ffi::OsString;
use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// How long a starting engine may take to say `ready`.
const START_LIMIT: Duration = Duration::from_secs(60);

/// How to start and recognise a shared engine.
#[derive(Debug, Clone)]
pub struct SharedOptions {
    /// The whole command that runs [`serve::serve`] (program first).
    pub launcher: Vec<OsString>,
    /// The file holding the engine's code (the native module): part of the identity.
    pub code_file: PathBuf,
    /// The Python that runs sandbox code.
    pub python: Option<PathBuf>,
}

/// A running shared engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEngine {
    pub base_url: String,
    pub api_key: String,
    /// Its process, to tell a lost engine from a network fault.
    pub owner: Owner,
}

impl SharedEngine {
    /// Whether the engine process still runs.
    pub fn alive(&self) -> bool {
        self.owner.alive()
    }
}

/// The user's engine for `options`: the running one, or one started now.
pub async fn connect_or_start(options: SharedOptions) -> io::Result<SharedEngine> {
    tokio::task::spawn_blocking(move || connect_or_start_blocking(&options))
        .await
        .map_err(|e| io::Error::other(format!("the shared engine lookup stopped: {e}")))?
}

/// This process's last answer, used while that engine runs: no file or socket on the way.
static LAST: Mutex<Option<(PathBuf, String, SharedEngine)>> = Mutex::new(None);

/// Stops taking `engine` on trust: the next lookup checks the record and the engine again
/// (after a request to it could not connect: it may be closing after its idle time).
pub fn forget(engine: &SharedEngine) {
    let mut last = LAST.lock().unwrap();
    if last.as_ref().is_some_and(|(_, _, e)| e == engine) {
        *last = None;
    }
}

fn connect_or_start_blocking(options: &SharedOptions) -> io::Result<SharedEngine> {
    let place = Place::find()?;
    let id = identity(options);
    if let Some((dir, last_id, engine)) = LAST.lock().unwrap().clone() {
        if dir == place.dir && last_id == id && engine.alive() {
            return Ok(engine);
        }
    }
    let engine = match place.read(&id).and_then(usable) {
        Some(engine) => engine,
        None => start(&place, &id, options)?,
    };
    *LAST.lock().unwrap() = Some((place.dir.clone(), id, engine.clone()));
    Ok(engine)
}

/// The engine of `record` if it runs and answers its key.
fn usable(record: Record) -> Option<SharedEngine> {
    let owner = Owner::of(record.pid)?;
    if record.version != env!("CARGO_PKG_VERSION") || !answers(&record) {
        return None;
    }
    Some(SharedEngine { base_url: record.base_url, api_key: record.api_key, owner })
}

/// An authenticated request (which also restarts the engine's idle clock) answers 200.
fn answers(record: &Record) -> bool {
    let Some(addr) = record.base_url.strip_prefix("http://").and_then(|a| a.parse().ok()) else {
        return false;
    };
    let ask = || -> io::Result<bool> {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        let req = format!(
            "GET /v1/sandboxes?limit=1 HTTP/1.1\r\nHost: {addr}\r\nX-API-Key: {}\r\nConnection: close\r\n\r\n",
            record.api_key
        );
        s.write_all(req.as_bytes())?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200"))
    };
    ask().unwrap_or(false)
}

/// Starts the engine under the lock (or takes the one another client just started).
fn start(place: &Place, id: &str, options: &SharedOptions) -> io::Result<SharedEngine> {
    let _lock = place.lock(id, true)?;
    if let Some(engine) = place.read(id).and_then(usable) {
        return Ok(engine);
    }
    let (program, args) = options
        .launcher
        .split_first()
        .ok_or_else(|| io::Error::other("no command to start the shared engine with"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("HOPX_LOCAL_SHARED_DIR", &place.dir)
        .env("HOPX_LOCAL_SHARED_ID", id)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(place.log(id)?);
    if let (Some(python), None) = (&options.python, std::env::var_os("HOPX_LOCAL_PYTHON")) {
        cmd.env("HOPX_LOCAL_PYTHON", python);
    }
    // Its own session: the terminal's Ctrl-C and hang-up are for the client, not the engine.
    // SAFETY: setsid is async-signal-safe and touches nothing of this process.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child =
        cmd.spawn().map_err(|e| io::Error::other(format!("cannot start the shared engine: {e}")))?;
    hand_probe(child.stdin.take().expect("piped"), options);
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(START_LIMIT).unwrap_or_default();
    let started = line.strip_prefix("ready ").and_then(|pid| pid.trim().parse::<i32>().ok());
    if started.is_none() {
        // Stuck or failed: not left running half-started.
        let _ = child.kill();
    }
    // Reaped whenever it exits, so it never lingers as a zombie of this process.
    std::thread::spawn(move || child.wait());
    match (started, place.read(id)) {
        (Some(pid), Some(record)) if record.pid == pid => usable(record).ok_or_else(|| {
            io::Error::other(format!("the shared engine (pid {pid}) started but does not answer"))
        }),
        _ => Err(io::Error::other(format!(
            "the shared local engine did not start (log: {}/engine-{id}.log):\n{}",
            place.dir.display(),
            place.log_tail(id)
        ))),
    }
}

/// The engine's first step, taken here while its interpreter starts (about 17 ms for Python
/// to start and load the native module): the probe of the sandbox Python, which the engine
/// reads from its stdin instead of running it (`serve::serve`). Then stdin closes, so a failed
/// probe only means the engine probes itself.
fn hand_probe(mut stdin: std::process::ChildStdin, options: &SharedOptions) {
    let python = std::env::var_os("HOPX_LOCAL_PYTHON").map(PathBuf::from).or_else(|| options.python.clone());
    let Some(hint) = crate::exec::language::python_hint(python) else { return };
    if let Some(answer) = crate::exec::language::probe_blocking(&hint) {
        let mut message = hint.as_os_str().as_encoded_bytes().to_vec();
        message.push(b'\n');
        message.extend(answer);
        let _ = stdin.write_all(&message);
    }
}

/// What tells engines apart (see the module's comment), as 16 hex digits.
pub fn identity(options: &SharedOptions) -> String {
    let mut text = format!("{}\n{}\n", env!("CARGO_PKG_VERSION"), options.code_file.display());
    if let Ok(meta) = std::fs::metadata(&options.code_file) {
        use std::os::unix::fs::MetadataExt;
        text += &format!("{} {} {}\n", meta.len(), meta.mtime(), meta.mtime_nsec());
    }
    let python = std::env::var_os("HOPX_LOCAL_PYTHON").map(PathBuf::from).or_else(|| options.python.clone());
    text += &format!("{:?}\n", python);
    let mut settings: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| {
            let k = k.to_string_lossy();
            k.starts_with("HOPX_LOCAL_") && !k.starts_with("HOPX_LOCAL_SHARED")
        })
        .collect();
    settings.sort();
    for (k, v) in settings {
        text += &format!("{k:?}={v:?}\n");
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The shared object (or program) this code was loaded from: the native module of a binding.
pub fn this_library() -> Option<PathBuf> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    // SAFETY: dladdr reads the address of a function of ours and fills `info`.
    let found = unsafe { libc::dladdr(this_library as *const libc::c_void, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is a NUL-terminated path owned by the dynamic loader.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    let path = Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(name.to_bytes()));
    std::fs::canonicalize(path).ok()
}
