//! Shutdown: dropping the guard is quick and loses nothing; a panic or an
//! abort after logging leaves every record in the file; `kill -9` mid-stream
//! leaves whole lines only, except possibly the last.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::faults::{install, records};
use crate::{CHILD_TIMEOUT, Test, child, child_command, full_size, poll_until, temp_with};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("shutdown_guard_drop_is_bounded", guard_drop),
    ("shutdown_panic_after_logging", panic_after_logging),
    ("shutdown_abort_after_logging", abort_after_logging),
    ("shutdown_kill_9_mid_stream", kill_9),
    ("shutdown_many_guards_then_worker_panic", many_guards),
];

/// Guards taken (and dropped) before a worker thread panics.
const GUARDS: usize = 50_000;

const CONFIG: &str = "version: 1
formatters:
  plain: {format: '%(message)s'}
handlers:
  file: {class: logging.FileHandler, filename: app.log, formatter: plain}
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: rot.log
    maxBytes: 1000000
    backupCount: 5
    formatter: plain
root: {level: INFO, handlers: [file, rot]}
";

const GUARD_RECORDS: usize = 10_000;
const PANIC_RECORDS: usize = 1_000;

/// Children of this module, by name.
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    match name {
        "guard_drop" => {
            let guard = install();
            for i in 0..GUARD_RECORDS {
                tracing::info!("rec {i}");
            }
            let start = Instant::now();
            drop(guard);
            eprintln!("drop_micros={}", start.elapsed().as_micros());
        }
        "panic" => {
            let _guard = install();
            for i in 0..PANIC_RECORDS {
                tracing::info!("rec {i}");
            }
            panic!("the application panics after logging");
        }
        "abort" => {
            let _guard = install();
            for i in 0..PANIC_RECORDS {
                tracing::info!("rec {i}");
            }
            std::process::abort();
        }
        "stream" => {
            let _guard = install();
            // Bounded, so a child left behind ends by itself.
            let limit = Instant::now() + CHILD_TIMEOUT;
            let mut i = 0usize;
            while Instant::now() < limit {
                tracing::info!("rec {i} {}", pad(i));
                i += 1;
            }
        }
        "many_guards" => {
            let built = logconf::Config::from_yaml_str(CONFIG)
                .and_then(|c| c.build())
                .unwrap_or_else(|e| panic!("config: {e}"));
            for _ in 0..GUARDS {
                drop(built.guard());
            }
            let joined = std::thread::spawn(|| panic!("a worker panics")).join();
            println!("worker panic caught: {}", joined.is_err());
        }
        _ => return None,
    }
    Some(ExitCode::SUCCESS)
}

/// Padding of varying length, so a torn record cannot pass for a whole one.
fn pad(i: usize) -> String {
    "p".repeat(20 + i % 200)
}

fn guard_drop() -> Result<(), String> {
    let run = child("guard_drop", &[("log.yaml", CONFIG)], &[]);
    run.assert_success();
    let micros: u64 = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("drop_micros="))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("stderr: {}", run.stderr));
    println!("     dropping the guard took {micros} us");
    assert!(micros < 1_000_000, "dropping the guard took {micros} us");
    let expected = records(0..GUARD_RECORDS);
    assert_eq!(run.file("app.log"), expected);
    assert_eq!(run.file("rot.log"), expected);
    Ok(())
}

fn panic_after_logging() -> Result<(), String> {
    let run = child("panic", &[("log.yaml", CONFIG)], &[]);
    assert_eq!(run.status.code(), Some(101), "{}", run.stderr);
    assert!(
        run.stderr.contains("the application panics after logging"),
        "{}",
        run.stderr
    );
    let expected = records(0..PANIC_RECORDS);
    assert_eq!(run.file("app.log"), expected);
    assert_eq!(run.file("rot.log"), expected);
    Ok(())
}

fn abort_after_logging() -> Result<(), String> {
    // No unwinding, no guard drop, no flush: only what was already written.
    let run = child("abort", &[("log.yaml", CONFIG)], &[]);
    assert!(!run.status.success());
    let expected = records(0..PANIC_RECORDS);
    assert_eq!(run.file("app.log"), expected);
    assert_eq!(run.file("rot.log"), expected);
    Ok(())
}

fn kill_9() -> Result<(), String> {
    let lines_before_kill = if full_size() { 200_000 } else { 5_000 };
    let tmp = temp_with(&[("log.yaml", CONFIG)]);
    let log = tmp.path().join("app.log");
    let mut spawned = child_command("stream", tmp.path())
        .spawn()
        .expect("spawn child");
    // Poll the file's size (a lower bound on its lines) until it is big enough.
    let enough = poll_until(Duration::from_secs(30), || {
        std::fs::metadata(&log).is_ok_and(|m| m.len() as usize >= lines_before_kill * 130)
    });
    spawned.kill().expect("kill -9");
    let status = spawned.wait().expect("wait");
    assert!(enough, "the child did not write enough in 30 s");
    assert!(!status.success(), "the child was not killed: {status}");
    let bytes = std::fs::read(&log).expect("read app.log");
    let text = String::from_utf8_lossy(&bytes);
    let mut parts: Vec<&str> = text.split('\n').collect();
    let tail = parts.pop().expect("split yields one part at least");
    for (i, line) in parts.iter().enumerate() {
        let expected = format!("rec {i} {}", pad(i));
        assert_eq!(*line, expected, "line {i} is not whole");
    }
    let n = parts.len();
    let next = format!("rec {n} {}\n", pad(n));
    assert!(
        next.starts_with(tail),
        "the last, partial line is not a prefix of record {n}: {tail:?}"
    );
    println!(
        "     killed after {n} whole records; partial last record: {} bytes",
        tail.len()
    );
    Ok(())
}

/// Each `Logging::guard()` and `install()` wraps the panic hook in a new
/// closure that calls the previous one (`src/api.rs`, `flush_on_panic`), so
/// the chain grows without bound: after tens of thousands of guards (a
/// reloading service, a test suite building a config per test) a panic
/// recurses through every hook, overflows a worker thread's 2 MiB stack and
/// aborts the whole process instead of unwinding the thread. (Measured in
/// debug: 10,000 guards fine, 30,000 abort; release builds happened to turn
/// the call into a tail call and survive 100,000.)
fn many_guards() -> Result<(), String> {
    let run = child("many_guards", &[("log.yaml", CONFIG)], &[]);
    run.assert_success();
    assert_eq!(run.stdout, "worker panic caught: true\n");
    Ok(())
}
