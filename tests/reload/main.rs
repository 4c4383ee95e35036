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
//! `SIGHUP` case). It takes libtest's arguments (`-- NAME`, `--list`).

// A test binary: its items are not a public API.
#![allow(missing_docs, missing_debug_implementations, unreachable_pub)]

mod cases;
#[path = "../support/mod.rs"]
mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Child, ExitCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use support::{CHILD_TIMEOUT, Run, poll_until};

/// Marks a child process and names its case.
const CHILD_ENV: &str = "LOGCONF_RELOAD_CHILD";

/// A case run by the parent. `Err` is a skip, with the reason.
pub type Test = fn() -> Result<(), String>;

/// The marker that starts every failure report on stderr.
pub const REPORT: &str = "--- Logging error ---";

/// A child started in a fresh directory, its stderr readable while it runs.
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
        let tmp = support::temp_with(files);
        let mut cmd = support::child_command(CHILD_ENV, name, tmp.path());
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
        self.stderr_done.join().expect("stderr reader");
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let stdout = self.stdout.join().expect("stdout reader");
        Run::from_parts(stdout, stderr, status, self.tmp)
    }
}

/// Runs child case `name` to its end.
pub fn child(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    Running::start(name, files, env).finish()
}

fn main() -> ExitCode {
    // One case at a time unless `--test-threads` says otherwise: the cases
    // time reloads and load both cores.
    support::main(
        CHILD_ENV,
        cases::run_child,
        || {
            cases::TESTS
                .iter()
                .map(|&(name, test)| {
                    support::Trial::ignorable_test(name, move || match test() {
                        Ok(()) => Ok(support::Completion::Completed),
                        Err(reason) => Ok(support::Completion::ignored_with(reason)),
                    })
                })
                .collect()
        },
        Some(1),
    )
}
