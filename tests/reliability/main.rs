//! Reliability tests: concurrency, I/O faults, hostile input, log
//! injection, file permissions and shutdown, checked on real bytes.
//!
//! Like `tests/e2e`, this is a `harness = false` runner: cases that need a
//! process of their own (to capture its stdout and stderr, install a global
//! subscriber, close its stdout, panic or be killed) re-run this executable
//! with `LOGCONF_RELIAB_CHILD` set, in a temporary working directory, under
//! a timeout. See `RELIABILITY.md` for what each case proves and the figures.
//!
//! Run: `cargo test --test reliability` (CI size, a few seconds), or with
//! `LOGCONF_STRESS_FULL=1` for the full-size runs. A name argument runs only
//! the cases whose name contains it.

mod buffered;
mod concurrency;
mod faults;
mod files;
mod hostile;
mod injection;
mod props;
mod shutdown;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A case run by the parent. `Err` is a skip, with the reason.
pub(crate) type Test = fn() -> Result<(), String>;

/// The marker that starts every handler failure report on stderr.
pub(crate) const REPORT: &str = "--- Logging error ---";

/// How long any child may run before it counts as hung and is killed.
pub(crate) const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether the full-size runs were asked for.
pub(crate) fn full_size() -> bool {
    std::env::var_os("LOGCONF_STRESS_FULL").is_some_and(|v| v != "0" && !v.is_empty())
}

/// What a child run produced.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) status: ExitStatus,
    pub(crate) dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Run {
    /// The bytes of a file the child wrote, relative to its working directory.
    pub(crate) fn bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The text of a file the child wrote.
    pub(crate) fn file(&self, rel: &str) -> String {
        String::from_utf8(self.bytes(rel)).unwrap_or_else(|e| panic!("{rel} is not UTF-8: {e}"))
    }

    /// How many failure reports the child wrote on stderr.
    pub(crate) fn reports(&self) -> usize {
        self.stderr.matches(REPORT).count()
    }

    /// Panics with the child's output unless it exited successfully.
    pub(crate) fn assert_success(&self) {
        assert!(
            self.status.success(),
            "child failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

/// A fresh temporary directory holding `files`.
pub(crate) fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write input file");
    }
    tmp
}

/// The command that re-runs this executable as child case `name` in `dir`.
pub(crate) fn child_command(name: &str, dir: &Path) -> Command {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.current_dir(dir)
        .env("LOGCONF_RELIAB_CHILD", name)
        .env_remove("LOG_CFG")
        .env_remove("LOG_PROFILE")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Collects a spawned child's piped output, killing it if it runs past
/// [`CHILD_TIMEOUT`] (then panics: a hang is a failure).
pub(crate) fn wait_output(child: Child) -> (String, String, ExitStatus) {
    wait_output_within(child, CHILD_TIMEOUT)
}

/// [`wait_output`] with another timeout.
pub(crate) fn wait_output_within(
    mut child: Child,
    timeout: Duration,
) -> (String, String, ExitStatus) {
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().expect("wait for child") {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("child hung: killed after {timeout:?}");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    (stdout, stderr, status)
}

/// Runs child case `name` in a fresh directory holding `files`, with `env`.
pub(crate) fn child(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let tmp = temp_with(files);
    let mut cmd = child_command(name, tmp.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_in(cmd, tmp)
}

/// Runs `cmd` (a child command) and collects its output; `tmp` is its
/// working directory.
pub(crate) fn run_in(mut cmd: Command, tmp: tempfile::TempDir) -> Run {
    let spawned = cmd.spawn().expect("spawn child");
    let (stdout, stderr, status) = wait_output(spawned);
    Run {
        stdout,
        stderr,
        status,
        dir: tmp.path().to_owned(),
        _tmp: tmp,
    }
}

/// Polls `cond` until it holds or `limit` passes; returns whether it held.
pub(crate) fn poll_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every case run by the parent, by name.
fn tests() -> Vec<(&'static str, Test)> {
    let mut all = Vec::new();
    all.extend_from_slice(concurrency::TESTS);
    all.extend_from_slice(faults::TESTS);
    all.extend_from_slice(injection::TESTS);
    all.extend_from_slice(files::TESTS);
    all.extend_from_slice(shutdown::TESTS);
    all.extend_from_slice(buffered::TESTS);
    all.extend_from_slice(props::TESTS);
    all.extend_from_slice(hostile::TESTS);
    all
}

/// Runs child case `name`; its exit code is the result.
fn run_child(name: &str) -> ExitCode {
    let found = faults::child_case(name)
        .or_else(|| injection::child_case(name))
        .or_else(|| files::child_case(name))
        .or_else(|| shutdown::child_case(name))
        .or_else(|| hostile::child_case(name))
        .or_else(|| concurrency::child_case(name))
        .or_else(|| buffered::child_case(name));
    match found {
        Some(code) => code,
        None => {
            eprintln!("unknown child case {name}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("LOGCONF_RELIAB_CHILD") {
        return run_child(&name);
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (mut passed, mut skipped) = (0, 0);
    let mut failed = Vec::new();
    let start = Instant::now();
    for (name, test) in tests() {
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
                failed.push(name);
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
