//! The `buffer:` mode of file handlers: records collected in memory and
//! written together. What it may lose (what is in memory when the process
//! dies without unwinding) and what it must not (anything, on a guard drop,
//! a panic, a record at `flushLevel`, or once `flushInterval` has passed).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::faults::{install, records};
use crate::{Test, child, child_command, full_size, poll_until, temp_with};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("buffered_guard_drop_is_bounded", guard_drop),
    ("buffered_panic_after_logging", panic_after_logging),
    ("buffered_flush_level_written_at_once", flush_level),
    (
        "buffered_flush_interval_without_more_records",
        flush_interval,
    ),
    ("buffered_abort_loses_only_the_buffer", abort),
    ("buffered_process_exit_without_guard_drop", process_exit),
    ("buffered_kill_9_mid_stream", kill_9),
    ("buffered_rotation_files_identical", rotation_identical),
    ("buffered_dropped_config_writes_its_buffer", dropped_config),
];

/// A buffered file handler and a buffered rotating handler; records wait
/// up to an hour unless flushed, so only the mechanism under test writes
/// them.
const CONFIG: &str = "version: 1
formatters:
  plain: {format: '%(message)s'}
handlers:
  file:
    class: logging.FileHandler
    filename: app.log
    formatter: plain
    buffer: {capacity: 1000000, flushInterval: 3600}
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: rot.log
    maxBytes: 10000000
    backupCount: 2
    formatter: plain
    buffer: {capacity: 1000000, flushInterval: 3600}
root: {level: INFO, handlers: [file, rot]}
";

const RECORDS: usize = 1_000;

/// Children of this module, by name.
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    match name {
        "buffered_guard_drop" => {
            let guard = install();
            for i in 0..RECORDS {
                tracing::info!("rec {i}");
            }
            let start = Instant::now();
            drop(guard);
            eprintln!("drop_micros={}", start.elapsed().as_micros());
        }
        "buffered_panic" => {
            let _guard = install();
            for i in 0..RECORDS {
                tracing::info!("rec {i}");
            }
            panic!("the application panics after logging");
        }
        "buffered_flush_level" => {
            let _guard = install();
            for i in 0..RECORDS - 1 {
                tracing::info!("rec {i}");
            }
            tracing::error!("rec {}", RECORDS - 1);
            std::process::abort();
        }
        "buffered_abort" => {
            let _guard = install();
            for i in 0..RECORDS {
                tracing::info!("rec {i}");
            }
            std::process::abort();
        }
        "buffered_exit" => {
            let _guard = install();
            for i in 0..RECORDS {
                tracing::info!("rec {i}");
            }
            // Destructors do not run: the guard is not dropped.
            std::process::exit(3);
        }
        "buffered_idle" => {
            let _guard = install();
            for i in 0..10 {
                tracing::info!("rec {i}");
            }
            // Idle until killed (bounded, so a child left behind ends).
            let limit = Instant::now() + crate::CHILD_TIMEOUT;
            while Instant::now() < limit {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        "buffered_stream" => {
            let _guard = install();
            let limit = Instant::now() + crate::CHILD_TIMEOUT;
            let mut i = 0usize;
            while Instant::now() < limit {
                tracing::info!("rec {i} {}", "p".repeat(20 + i % 200));
                i += 1;
            }
        }
        _ => return None,
    }
    Some(ExitCode::SUCCESS)
}

fn guard_drop() -> Result<(), String> {
    let run = child("buffered_guard_drop", &[("log.yaml", CONFIG)], &[]);
    run.assert_success();
    let micros: u64 = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("drop_micros="))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("stderr: {}", run.stderr));
    println!("     dropping the guard (writing 2 buffers) took {micros} us");
    assert!(micros < 1_000_000, "dropping the guard took {micros} us");
    assert_eq!(run.file("app.log"), records(0..RECORDS));
    assert_eq!(run.file("rot.log"), records(0..RECORDS));
    Ok(())
}

fn panic_after_logging() -> Result<(), String> {
    let run = child("buffered_panic", &[("log.yaml", CONFIG)], &[]);
    assert_eq!(run.status.code(), Some(101), "{}", run.stderr);
    assert_eq!(run.file("app.log"), records(0..RECORDS));
    assert_eq!(run.file("rot.log"), records(0..RECORDS));
    Ok(())
}

fn flush_level() -> Result<(), String> {
    // An ERROR record (the default flushLevel) is written at once with
    // everything before it: an abort right after loses nothing.
    let run = child("buffered_flush_level", &[("log.yaml", CONFIG)], &[]);
    assert!(!run.status.success());
    assert_eq!(run.file("app.log"), records(0..RECORDS));
    assert_eq!(run.file("rot.log"), records(0..RECORDS));
    Ok(())
}

fn flush_interval() -> Result<(), String> {
    // With flushInterval 0.1 s, records reach the file while the
    // application logs nothing more.
    let config = CONFIG.replace("flushInterval: 3600", "flushInterval: 0.1");
    let tmp = temp_with(&[("log.yaml", &config)]);
    let mut spawned = child_command("buffered_idle", tmp.path())
        .spawn()
        .expect("spawn child");
    let expected = records(0..10);
    let read = |name: &str| std::fs::read_to_string(tmp.path().join(name)).unwrap_or_default();
    let written = poll_until(Duration::from_secs(20), || {
        read("app.log") == expected && read("rot.log") == expected
    });
    spawned.kill().expect("kill");
    spawned.wait().expect("wait");
    assert!(
        written,
        "buffered records not written within 20 s: {:?}",
        read("app.log")
    );
    Ok(())
}

/// The file's whole lines must be `rec 0`, `rec 1`, ... and nothing else.
fn whole_prefix(text: &str) -> usize {
    assert!(text.is_empty() || text.ends_with('\n'), "a partial line");
    for (i, line) in text.lines().enumerate() {
        assert_eq!(line, format!("rec {i}"), "line {i}");
    }
    text.lines().count()
}

fn abort() -> Result<(), String> {
    // No unwinding, no panic hook: what was in memory is lost, and only
    // that; the file holds whole records.
    let run = child("buffered_abort", &[("log.yaml", CONFIG)], &[]);
    assert!(!run.status.success());
    let kept = whole_prefix(&run.file("app.log"));
    println!(
        "     abort: {kept} of {RECORDS} records written, {} lost with the buffer (documented)",
        RECORDS - kept
    );
    Ok(())
}

fn process_exit() -> Result<(), String> {
    // `std::process::exit` runs no destructors, so the guard is not
    // dropped: like an abort, the buffer is lost. (Python's `sys.exit`
    // flushes through `atexit`; Rust has no `atexit` in std.)
    let run = child("buffered_exit", &[("log.yaml", CONFIG)], &[]);
    assert_eq!(run.status.code(), Some(3), "{}", run.stderr);
    let kept = whole_prefix(&run.file("app.log"));
    println!(
        "     process::exit: {kept} of {RECORDS} records written, {} lost with the buffer",
        RECORDS - kept
    );
    Ok(())
}

fn kill_9() -> Result<(), String> {
    let min_bytes = if full_size() { 20_000_000 } else { 1_000_000 };
    let config = CONFIG.replace("capacity: 1000000", "capacity: 65536");
    let tmp = temp_with(&[("log.yaml", &config)]);
    let log = tmp.path().join("app.log");
    let mut spawned = child_command("buffered_stream", tmp.path())
        .spawn()
        .expect("spawn child");
    let enough = poll_until(Duration::from_secs(30), || {
        std::fs::metadata(&log).is_ok_and(|m| m.len() >= min_bytes)
    });
    spawned.kill().expect("kill -9");
    spawned.wait().expect("wait");
    assert!(enough, "the child did not write enough in 30 s");
    let text = std::fs::read_to_string(&log).expect("read app.log");
    let mut parts: Vec<&str> = text.split('\n').collect();
    let tail = parts.pop().expect("one part at least");
    for (i, line) in parts.iter().enumerate() {
        let expected = format!("rec {i} {}", "p".repeat(20 + i % 200));
        assert_eq!(*line, expected, "line {i} is not whole");
    }
    println!(
        "     killed after {} whole records; partial last record: {} bytes",
        parts.len(),
        tail.len()
    );
    Ok(())
}

/// Writes `n` records through a rotating handler (`maxBytes` 4096,
/// `backupCount` 100) in a fresh folder, with `extra` handler lines, then
/// calls `flush` if `flush`, drops the config, and returns every file's
/// name and bytes.
fn rotate_into(extra: &str, n: usize, flush: bool) -> Vec<(String, Vec<u8>)> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let yaml = format!(
        "version: 1
formatters:
  plain: {{format: '%(message)s'}}
handlers:
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: '{}'
    maxBytes: 4096
    backupCount: 100
    formatter: plain
{extra}root: {{level: INFO, handlers: [rot]}}
",
        tmp.path().join("r.log").display()
    );
    let built = logconf::Config::from_yaml_str(&yaml)
        .and_then(|c| c.build())
        .unwrap_or_else(|e| panic!("config: {e}"));
    tracing::subscriber::with_default(built.subscriber(), || {
        for i in 0..n {
            // Lengths vary, some records are bigger than maxBytes, some
            // have multi-byte characters (rotation counts characters).
            let pad = match i % 97 {
                0 => "x".repeat(5000),
                1 => "é".repeat(300),
                k => "y".repeat(k),
            };
            tracing::info!("{i} {pad}");
        }
    });
    if flush {
        built.flush();
    }
    drop(built);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(tmp.path())
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

fn rotation_identical() -> Result<(), String> {
    // DESIGN.md: "files are identical to per-record mode".
    let n = if full_size() { 50_000 } else { 5_000 };
    let plain = rotate_into("", n, false);
    let buffered = rotate_into("    buffer: {capacity: 3000}\n", n, true);
    assert_eq!(
        plain.iter().map(|(n, b)| (n, b.len())).collect::<Vec<_>>(),
        buffered
            .iter()
            .map(|(n, b)| (n, b.len()))
            .collect::<Vec<_>>(),
        "different files"
    );
    assert!(plain == buffered, "same files, different bytes");
    println!("     {} files identical", plain.len());
    Ok(())
}

/// A built config used as a subscriber (or a layer) and dropped without a
/// guard or a `flush()` must still write what it buffered, as `BufWriter`
/// does on drop.
fn dropped_config() -> Result<(), String> {
    let n = 500;
    let plain = rotate_into("", n, false);
    let buffered = rotate_into("    buffer: {capacity: 3000}\n", n, false);
    let bytes = |files: &[(String, Vec<u8>)]| files.iter().map(|(_, b)| b.len()).sum::<usize>();
    assert_eq!(
        bytes(&buffered),
        bytes(&plain),
        "bytes lost when the config was dropped"
    );
    Ok(())
}
