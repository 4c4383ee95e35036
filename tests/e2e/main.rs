//! End-to-end tests of the whole pipeline on real output: each case runs in
//! a child process (this same executable, re-run with `LOGCONF_E2E_CHILD`
//! set) in its own temporary working directory, and the parent checks the
//! bytes the child wrote to stdout, stderr and files.
//!
//! Run: `cargo test --test e2e`.

// A test binary: its items are not a public API.
#![allow(missing_docs, missing_debug_implementations, unreachable_pub)]

mod cases;
mod new_user;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

/// What a child run produced.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
    pub success: bool,
    _tmp: tempfile::TempDir,
}

impl Run {
    /// The text of a file the child wrote, relative to its working directory.
    pub fn file(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).exists()
    }
}

fn finish(output: Output, tmp: tempfile::TempDir) -> Run {
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        dir: tmp.path().to_owned(),
        success: output.status.success(),
        _tmp: tmp,
    }
}

/// Runs `cmd` in a fresh directory holding `files`, with `env` and
/// without the caller's `LOG_CFG`/`LOG_PROFILE`.
fn run_in_temp_dir(mut cmd: Command, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let tmp = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write input file");
    }
    cmd.current_dir(tmp.path())
        .env_remove("LOG_CFG")
        .env_remove("LOG_PROFILE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    finish(cmd.output().expect("spawn"), tmp)
}

/// Runs child case `name` (this executable) in a fresh directory.
pub fn child(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.env("LOGCONF_E2E_CHILD", name);
    run_in_temp_dir(cmd, files, env)
}

/// Runs the `deploy_vpc` example binary (built by `cargo test`) in a fresh
/// directory holding `files`.
pub fn example(args: &[&str], files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(example_path());
    cmd.args(args);
    run_in_temp_dir(cmd, files, env)
}

fn example_path() -> PathBuf {
    // target/<profile>/deps/e2e-HASH -> target/<profile>/examples/deploy_vpc
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(format!("deploy_vpc{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "example not built at {}", path.display());
    path
}

/// The repository's `configs/` folder, read at compile time's location.
pub fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn main() -> ExitCode {
    if let Ok(name) = std::env::var("LOGCONF_E2E_CHILD") {
        return new_user::run_child(&name).unwrap_or_else(|| cases::run_child(&name));
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let mut passed = 0;
    let mut failed = Vec::new();
    for (name, test) in cases::TESTS.iter().chain(new_user::TESTS) {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let result = std::panic::catch_unwind(test);
        match result {
            Ok(()) => {
                println!("ok   {name}");
                passed += 1;
            }
            Err(_) => {
                println!("FAIL {name}");
                failed.push(*name);
            }
        }
    }
    println!("{passed} passed, {} failed", failed.len());
    if failed.is_empty() && passed > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
