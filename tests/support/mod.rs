//! What the `harness = false` runners (`tests/e2e`, `tests/conformance`,
//! `tests/reliability`, `tests/reload`) share: the libtest command line and summary (through
//! `libtest-mimic`: a name filter, `--exact`, `--skip`, `--list`,
//! `--test-threads`, and the closing `test result: ... N passed; N failed`
//! line), re-running the test binary as a child process in a temporary
//! directory of its own, and a time limit on every child.
//!
//! A runner includes it with `#[path = "../support/mod.rs"] mod support;`,
//! names the environment variable that marks its children, and hands
//! [`main`] its child entry point and its list of cases.

// Each runner uses only part of this module, from inside its own crate.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

pub use libtest_mimic::{Completion, Failed, Trial};

/// How long any child may run before it counts as hung and is killed.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// The runner's `main`: with `child_env` set, this process is a child and
/// runs `run_child` with the variable's value; otherwise it runs the cases
/// `trials()` returns, with libtest's arguments and summary. Without
/// `--test-threads`, `default_threads` (`None`: one per core).
pub fn main(
    child_env: &str,
    run_child: impl FnOnce(&str) -> ExitCode,
    trials: impl FnOnce() -> Vec<Trial>,
    default_threads: Option<usize>,
) -> ExitCode {
    if let Ok(name) = std::env::var(child_env) {
        return run_child(&name);
    }
    let mut args = libtest_mimic::Arguments::from_args();
    if args.test_threads.is_none() {
        args.test_threads = default_threads;
    }
    libtest_mimic::run(&args, trials()).exit_code()
}

/// A command that re-runs this test binary as child `name` of the runner
/// whose children are marked by `child_env`, in `dir` (see [`prepare`]).
pub fn child_command(child_env: &str, name: &str, dir: &Path) -> Command {
    let exe = std::env::current_exe().expect("current exe");
    let mut cmd = Command::new(exe);
    cmd.env(child_env, name);
    prepare(&mut cmd, dir);
    cmd
}

/// Sets `cmd` to run in `dir` with stdin closed, stdout and stderr piped,
/// and without the caller's `LOG_CFG`, `LOG_PROFILE`, `RUST_BACKTRACE` and `RUST_LOG`
/// (so what the child prints does not depend on who runs the tests).
pub fn prepare(cmd: &mut Command, dir: &Path) {
    cmd.current_dir(dir)
        .env_remove("LOG_CFG")
        .env_remove("LOG_PROFILE")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

/// Writes `bytes` to `dir/rel`, creating the folders on the way.
pub fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// A fresh temporary directory holding `files` (relative path, text).
pub fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        write_file(tmp.path(), rel, text.as_bytes()).expect("write input file");
    }
    tmp
}

/// Collects a spawned child's piped stdout and stderr and waits for it;
/// past `timeout` the child is killed and this is an error.
pub fn collect(mut child: Child, timeout: Duration) -> Result<Output, String> {
    fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut buf);
            }
            buf
        })
    }
    let out = reader(child.stdout.take());
    let err = reader(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the child did not finish within {timeout:?} and was killed"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("wait for the child: {e}")),
        }
    };
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// [`collect`] as text; a hang panics (it is a failure).
pub fn wait_output_within(child: Child, timeout: Duration) -> (String, String, ExitStatus) {
    let output = collect(child, timeout).unwrap_or_else(|e| panic!("{e}"));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status,
    )
}

/// [`wait_output_within`] with [`CHILD_TIMEOUT`].
pub fn wait_output(child: Child) -> (String, String, ExitStatus) {
    wait_output_within(child, CHILD_TIMEOUT)
}

/// What a child run produced, and the temporary directory it ran in (kept
/// until the `Run` is dropped).
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
    pub dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Run {
    /// Whether the child exited successfully.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// The bytes of a file the child wrote, relative to its working directory.
    pub fn bytes(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// The text of a file the child wrote.
    pub fn file(&self, rel: &str) -> String {
        String::from_utf8(self.bytes(rel)).unwrap_or_else(|e| panic!("{rel} is not UTF-8: {e}"))
    }

    /// Whether the child left a file at `rel`.
    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).exists()
    }

    /// Panics with the child's output unless it exited successfully.
    pub fn assert_success(&self) {
        assert!(
            self.success(),
            "child failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

impl Run {
    /// A finished child's output; `tmp` is its working directory, kept
    /// until the `Run` is dropped.
    pub fn from_parts(
        stdout: String,
        stderr: String,
        status: ExitStatus,
        tmp: tempfile::TempDir,
    ) -> Run {
        Run {
            stdout,
            stderr,
            status,
            dir: tmp.path().to_owned(),
            _tmp: tmp,
        }
    }
}

/// Spawns `cmd` (set up with [`prepare`] or [`child_command`]) and collects
/// its output under [`CHILD_TIMEOUT`]; `tmp` is its working directory.
pub fn run_in(mut cmd: Command, tmp: tempfile::TempDir) -> Run {
    let spawned = cmd.spawn().expect("spawn child");
    let (stdout, stderr, status) = wait_output(spawned);
    Run::from_parts(stdout, stderr, status, tmp)
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
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A case that passes by returning and fails by panicking.
pub fn trial(name: &str, test: fn()) -> Trial {
    Trial::test(name, move || {
        test();
        Ok(())
    })
}
