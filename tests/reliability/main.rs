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
//! `LOGCONF_STRESS_FULL=1` for the full-size runs. The command line is
//! libtest's (`tests/support`): `-- NAME` runs the cases whose name contains
//! NAME, `-- --list` lists them; cases run one at a time unless
//! `--test-threads` says otherwise. A case returning `Err(reason)` is
//! reported as ignored, with the reason. To add a case, list it in its
//! module's `TESTS`; its child side, if any, goes in that module's
//! `child_case`.

mod buffered;
mod concurrency;
mod faults;
mod files;
mod hostile;
mod injection;
mod props;
mod shutdown;

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, ExitCode};

pub(crate) use support::{
    CHILD_TIMEOUT, Run, poll_until, run_in, temp_with, wait_output, wait_output_within,
};

/// A case run by the parent. `Err` is a skip, with the reason.
pub(crate) type Test = fn() -> Result<(), String>;

/// Marks a child process and names its case.
const CHILD_ENV: &str = "LOGCONF_RELIAB_CHILD";

/// The marker that starts every handler failure report on stderr.
pub(crate) const REPORT: &str = "--- Logging error ---";

/// Whether the full-size runs were asked for.
pub(crate) fn full_size() -> bool {
    std::env::var_os("LOGCONF_STRESS_FULL").is_some_and(|v| v != "0" && !v.is_empty())
}

/// How many failure reports a child wrote on stderr.
pub(crate) fn reports(run: &Run) -> usize {
    run.stderr.matches(REPORT).count()
}

/// The command that re-runs this executable as child case `name` in `dir`.
pub(crate) fn child_command(name: &str, dir: &Path) -> Command {
    support::child_command(CHILD_ENV, name, dir)
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
    // One case at a time unless `--test-threads` says otherwise: several
    // cases time what they do or load every core.
    support::main(
        CHILD_ENV,
        run_child,
        || {
            tests()
                .into_iter()
                .map(|(name, test)| {
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
