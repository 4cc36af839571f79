//! Background runs of one sandbox: started by `POST /execute/background`, listed, read and
//! killed later. Each is a one-shot process (it never occupies the Python kernel) whose output
//! is kept, capped, for later reads.
//!
//! What is kept lives in the process the engine runs in, so it is bounded twice: at most
//! [`KEPT`] runs, and at most a budget of output bytes across the sandbox's finished runs
//! (`EngineConfig::background_output_budget`). When a run ends past the budget, the output of
//! the runs that ended longest ago is cut first (their `*_truncated` flags set), down to
//! nothing if need be; the newest output is the likeliest to be read. A run's status and exit
//! code are always kept.

use crate::exec::context::{until_true, RunContext};
use crate::exec::output::Captured;
use crate::exec::{ExecOutcome, ExecRequest};
use crate::ids::rfc3339;
use hopx_wire::{KillResult, ProcessInfo, ProcessOutput};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tokio::sync::{oneshot, watch};

/// Runs kept per sandbox; the oldest finished ones are forgotten beyond this.
pub const KEPT: usize = 100;

/// The state of one background run.
#[derive(Debug)]
pub struct Run {
    pub process_id: String,
    pub name: Option<String>,
    pub language: &'static str,
    pub started: SystemTime,
    pub ended: Option<SystemTime>,
    pub status: &'static str,
    pub outcome: Option<ExecOutcome>,
    /// The program's pid as the sandbox sees it, once it runs (0 before).
    pub pid: Arc<AtomicI32>,
    /// Set to true to stop the run.
    kill: watch::Sender<bool>,
}

/// The background runs of a sandbox.
#[derive(Default)]
pub struct Runs {
    /// Shared with the task of each run, which records how it ended.
    runs: Arc<Mutex<BTreeMap<String, Run>>>,
    /// Reads of one run's record that found it, and that did not: the agent's "cache" of
    /// execution results is this store (`GET /cache/stats`).
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What `GET /cache/stats` reports of the kept results.
pub struct CacheStats {
    /// Finished runs whose result is kept.
    pub size: usize,
    pub max_size: usize,
    pub hits: u64,
    pub misses: u64,
}

impl Runs {
    /// Starts `req` in the background and returns its description. The output of finished
    /// runs is kept within `budget` bytes.
    pub fn start(
        &self,
        ctx: &RunContext,
        req: ExecRequest,
        name: Option<String>,
        budget: usize,
        on_end: Option<oneshot::Sender<ProcessInfo>>,
    ) -> ProcessInfo {
        let process_id = format!("proc_{}", &crate::ids::secret()[..16]);
        let (kill, mut kill_rx) = watch::channel(false);
        let run = Run {
            process_id: process_id.clone(),
            name,
            language: req.language.name(),
            started: SystemTime::now(),
            ended: None,
            status: "running",
            outcome: None,
            pid: Default::default(),
            kill,
        };
        let described = describe(&run, false);
        {
            let mut runs = self.runs.lock().unwrap();
            forget_oldest(&mut runs);
            runs.insert(process_id.clone(), run);
        }
        let (ctx, runs) = (ctx.clone(), self.runs.clone());
        let pid = self.runs.lock().unwrap()[&process_id].pid.clone();
        tokio::spawn(async move {
            let _guard = ctx.guard();
            let result = tokio::select! {
                r = crate::exec::oneshot::run(&ctx, req, None, Some(&pid)) => Some(r),
                _ = until_true(&mut kill_rx) => None,
            };
            let mut runs = runs.lock().unwrap();
            if let Some(run) = runs.get_mut(&process_id) {
                run.ended = Some(SystemTime::now());
                let outcome = match result {
                    // Stopped by its own kill.
                    None => None,
                    Some(Err(msg)) => {
                        let mut o = ExecOutcome { exit_code: -1, ..Default::default() };
                        o.stderr.text = msg;
                        Some(o)
                    }
                    Some(Ok(o)) => Some(o),
                };
                run.status = outcome.as_ref().map_or("killed", |o| o.status().name());
                run.outcome = outcome;
                // Described before the budget may cut its output: a webhook gets it whole.
                if let Some(tx) = on_end {
                    let _ = tx.send(describe(run, true));
                }
            }
            keep_within(&mut runs, budget);
        });
        described
    }

    /// Every run, oldest first, with output when `with_output`.
    pub fn list(&self, with_output: bool) -> Vec<ProcessInfo> {
        self.runs.lock().unwrap().values().map(|r| describe(r, with_output)).collect()
    }

    /// One run with its output.
    pub fn get(&self, process_id: &str) -> Option<ProcessInfo> {
        let found = self.runs.lock().unwrap().get(process_id).map(|r| describe(r, true));
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// How many results are kept and how often they were read.
    pub fn cache_stats(&self) -> CacheStats {
        let size = self.runs.lock().unwrap().values().filter(|r| r.ended.is_some()).count();
        CacheStats {
            size,
            max_size: KEPT,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// Forgets every finished run (running ones stay, to be listed and killed); returns how
    /// many were forgotten.
    pub fn clear_finished(&self) -> usize {
        let mut runs = self.runs.lock().unwrap();
        let before = runs.len();
        runs.retain(|_, r| r.ended.is_none());
        before - runs.len()
    }

    /// Stops a run; `None` if there is no such run. A finished run stays as it ended.
    pub fn kill(&self, process_id: &str) -> Option<KillResult> {
        let runs = self.runs.lock().unwrap();
        let run = runs.get(process_id)?;
        let _ = run.kill.send(true);
        let running = run.status == "running";
        Some(KillResult {
            process_id: process_id.into(),
            status: if running { "killed" } else { run.status }.into(),
            message: if running { "process killed" } else { "process had already ended" }.into(),
            timestamp: crate::ids::now_rfc3339(),
        })
    }
}

fn forget_oldest(runs: &mut BTreeMap<String, Run>) {
    while runs.len() >= KEPT {
        let oldest = runs
            .values()
            .filter(|r| r.ended.is_some())
            .min_by_key(|r| r.started)
            .map(|r| r.process_id.clone());
        match oldest {
            Some(id) => runs.remove(&id),
            None => break,
        };
    }
}

/// Cuts the kept output of finished runs to `budget` bytes in all, the oldest first.
fn keep_within(runs: &mut BTreeMap<String, Run>, budget: usize) {
    let mut finished: Vec<&mut Run> = runs.values_mut().filter(|r| r.outcome.is_some()).collect();
    finished.sort_by_key(|r| std::cmp::Reverse(r.ended));
    let mut left = budget;
    for run in finished {
        let o = run.outcome.as_mut().expect("finished runs have an outcome");
        for stream in [&mut o.stdout, &mut o.stderr] {
            cut(stream, &mut left);
        }
    }
}

/// Keeps at most `left` bytes of `stream` (on a character boundary) and counts them off.
fn cut(stream: &mut Captured, left: &mut usize) {
    if stream.text.len() > *left {
        let mut end = *left;
        while !stream.text.is_char_boundary(end) {
            end -= 1;
        }
        stream.text.truncate(end);
        stream.text.shrink_to_fit();
        stream.truncated = true;
    }
    *left -= stream.text.len();
}

/// The `ProcessInfo` object of the agent spec, plus output when asked for.
fn describe(run: &Run, with_output: bool) -> ProcessInfo {
    let end = run.ended.unwrap_or_else(SystemTime::now);
    let duration = end.duration_since(run.started).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    let output = run.outcome.as_ref().filter(|_| with_output).map(|o| ProcessOutput {
        stdout: o.stdout.text.clone(),
        stderr: o.stderr.text.clone(),
        stdout_truncated: o.stdout.truncated,
        stderr_truncated: o.stderr.truncated,
    });
    ProcessInfo {
        process_id: run.process_id.clone(),
        execution_id: run.process_id.clone(),
        // Unnamed runs go by their language, so that a list always says what each one is.
        name: run.name.clone().unwrap_or_else(|| run.language.to_string()),
        language: run.language.into(),
        status: run.status.into(),
        pid: run.pid.load(Ordering::Acquire).max(0) as u32,
        start_time: rfc3339(run.started),
        duration,
        end_time: run.ended.map(rfc3339),
        exit_code: run.outcome.as_ref().map(|o| o.exit_code),
        output,
        message: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn run(id: &str, ended: Option<u64>, out: &str) -> Run {
        let at = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        let outcome = ended.map(|_| {
            let mut o = ExecOutcome::default();
            o.stdout.text = out.to_string();
            o.stderr.text = "e".to_string();
            o
        });
        Run {
            process_id: id.into(),
            name: None,
            language: "bash",
            started: at(0),
            ended: ended.map(at),
            status: if ended.is_some() { "completed" } else { "running" },
            outcome,
            pid: Default::default(),
            kill: watch::channel(false).0,
        }
    }

    fn kept(runs: &BTreeMap<String, Run>, id: &str) -> (String, bool) {
        let o = runs[id].outcome.as_ref().unwrap();
        (o.stdout.text.clone(), o.stdout.truncated)
    }

    #[test]
    fn kept_output_is_cut_oldest_first_on_character_boundaries() {
        let mut runs = BTreeMap::new();
        for (id, ended, out) in [("old", Some(1), "aaaa"), ("new", Some(3), "cccc"), ("mid", Some(2), "bébé")]
        {
            runs.insert(id.to_string(), run(id, ended, out));
        }
        runs.insert("live".into(), run("live", None, ""));
        // 12 bytes: "cccc" + "e" (5), then 7 for "bébé" (6 bytes) + "e", then nothing.
        keep_within(&mut runs, 12);
        assert_eq!(kept(&runs, "new"), ("cccc".into(), false));
        assert_eq!(kept(&runs, "mid"), ("bébé".into(), false));
        assert_eq!(kept(&runs, "old"), (String::new(), true));
        keep_within(&mut runs, 10);
        assert_eq!(kept(&runs, "mid"), ("béb".into(), true), "never half a character");
        assert!(runs["live"].outcome.is_none(), "a running run is left alone");
        let total: usize = runs
            .values()
            .filter_map(|r| r.outcome.as_ref())
            .map(|o| o.stdout.text.len() + o.stderr.text.len())
            .sum();
        assert!(total <= 10);
    }
}
