//! A running process and its config file: reloads under concurrent
//! logging, the watch, broken edits, `SIGHUP`, the `log` bridge, and the
//! environment (`RUST_LOG`, `${VAR}`), each checked on the bytes a child
//! process wrote to its files, stdout and stderr.
//!
//! Every case that installs a global subscriber runs in a child process
//! (this executable re-run with `LOGCONF_RELOAD_CHILD` set) in its own
//! temporary working directory, under a timeout. No case stacks another
//! layer beside logconf's: a second layer would make every callsite
//! "sometimes" and hide a reload that forgot to rebuild `tracing`'s
//! interest cache.
//!
//! Run: `cargo test --test reload` (add `--features sighup` for the
//! `SIGHUP` case). A name argument runs only the cases whose name contains it.

// A test binary: its items are not a public API.
#![allow(missing_docs, missing_debug_implementations, unreachable_pub)]

mod cases;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A case run by the parent. `Err` is a skip, with the reason.
pub type Test = fn() -> Result<(), String>;

/// How long any child may run before it counts as hung and is killed.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// The marker that starts every failure report on stderr.
pub const REPORT: &str = "--- Logging error ---";

/// What a child run produced.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Run {
    /// The text of a file the child wrote, relative to its working directory.
    pub fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Panics with the child's output unless it exited successfully.
    pub fn assert_success(&self) {
        assert!(
            self.status.success(),
            "child failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

/// A child started in a fresh directory, its output collected as it comes.
pub struct Running {
    child: Child,
    stdout: std::thread::JoinHandle<String>,
    stderr: Arc<Mutex<String>>,
    stderr_done: std::thread::JoinHandle<()>,
    tmp: tempfile::TempDir,
}

impl Running {
    /// Starts child case `name` in a fresh directory holding `files`, with `env`.
    pub fn start(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Running {
        let tmp = tempfile::tempdir().expect("temp dir");
        for (rel, text) in files {
            let path = tmp.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(path, text).expect("write input file");
        }
        let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
        cmd.current_dir(tmp.path())
            .env("LOGCONF_RELOAD_CHILD", name)
            .env_remove("LOG_CFG")
            .env_remove("LOG_PROFILE")
            .env_remove("RUST_LOG")
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn child");
        let mut out = child.stdout.take().expect("stdout pipe");
        let stdout = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr pipe");
        let sink = Arc::clone(&stderr);
        let stderr_done = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_str(&text);
            }
        });
        Running {
            child,
            stdout,
            stderr,
            stderr_done,
            tmp,
        }
    }

    /// The child's working directory.
    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// What the child wrote on stderr so far.
    pub fn stderr_now(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits for the child to exit (killing it past [`CHILD_TIMEOUT`]:
    /// a hang is a failure).
    pub fn finish(mut self) -> Run {
        let deadline = Instant::now() + CHILD_TIMEOUT;
        let status = loop {
            match self.child.try_wait().expect("wait for child") {
                Some(status) => break status,
                None if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("child hung: killed after {CHILD_TIMEOUT:?}");
                }
                None => std::thread::sleep(Duration::from_millis(5)),
            }
        };
        let stdout = self.stdout.join().expect("stdout reader");
        self.stderr_done.join().expect("stderr reader");
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Run {
            stdout,
            stderr,
            status,
            dir: self.tmp.path().to_owned(),
            _tmp: self.tmp,
        }
    }
}

/// Runs child case `name` to its end.
pub fn child(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    Running::start(name, files, env).finish()
}

/// Polls `cond` until it holds or `limit` passes; returns whether it held.
pub fn poll_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("LOGCONF_RELOAD_CHILD") {
        return cases::run_child(&name);
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (mut passed, mut skipped) = (0, 0);
    let mut failed = Vec::new();
    let start = Instant::now();
    for (name, test) in cases::TESTS {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let t0 = Instant::now();
        match std::panic::catch_unwind(test) {
            Ok(Ok(())) => {
                println!("ok   {name} ({:.2?})", t0.elapsed());
                passed += 1;
            }
            Ok(Err(reason)) => {
                println!("skip {name}: {reason}");
                skipped += 1;
            }
            Err(_) => {
                println!("FAIL {name}");
                failed.push(*name);
            }
        }
    }
    println!(
        "{passed} passed, {} failed, {skipped} skipped in {:.2?}",
        failed.len(),
        start.elapsed()
    );
    if failed.is_empty() && passed + skipped > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
