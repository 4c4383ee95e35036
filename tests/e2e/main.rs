//! End-to-end tests of the whole pipeline on real output: each case runs in
//! a child process (this same executable, re-run with `LOGCONF_E2E_CHILD`
//! set) in its own temporary working directory, and the parent checks the
//! bytes the child wrote to stdout, stderr and files.
//!
//! Run: `cargo test --test e2e` (`-- NAME` runs the cases whose name
//! contains NAME, `-- --list` lists them). To add a case, write its
//! function in `cases.rs` and list it in `cases::TESTS`; a case that needs
//! a process of its own gets a child entry in `cases::run_child`.

// A test binary: its items are not a public API.
#![allow(missing_docs, missing_debug_implementations, unreachable_pub)]

mod cases;
mod faketime;
mod log_gate;
mod new_user;
#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

pub use support::Run;

/// Marks a child process and names its case.
const CHILD_ENV: &str = "LOGCONF_E2E_CHILD";

/// Runs `cmd` (set up by [`support::prepare`]) in a fresh directory holding
/// `files`, with `env`.
fn run_in_temp_dir(mut cmd: Command, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let tmp = support::temp_with(files);
    support::prepare(&mut cmd, tmp.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::run_in(cmd, tmp)
}

/// Runs child case `name` (this executable) in a fresh directory.
pub fn child(name: &str, files: &[(&str, &str)], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.env(CHILD_ENV, name);
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
    support::main(
        CHILD_ENV,
        |name| {
            let result = new_user::run_child(name)
                .or_else(|| log_gate::run_child(name))
                .or_else(|| faketime::run_child(name))
                .unwrap_or_else(|| cases::run_child(name));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("child {name}: {e}");
                    ExitCode::FAILURE
                }
            }
        },
        || {
            cases::TESTS
                .iter()
                .chain(new_user::TESTS)
                .chain(log_gate::TESTS)
                .chain(faketime::TESTS)
                .map(|&(name, test)| support::trial(name, test))
                .collect()
        },
        None,
    )
}
