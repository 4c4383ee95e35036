//! The time-rotating handler, compression and retention on real files,
//! each test in its own temporary directory, on a fake clock in UTC.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::fs;
use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::tz::TimeZone;

use super::handler::TimedSettings;
use super::schedule::{AtTime, When};
use crate::handler::clock::{Clock, FakeClock};
use crate::handler::compress::Keep;
use crate::handler::file::FileHandler;
use crate::handler::report::{Captured, Reporter};
use crate::handler::{FileMode, FileOptions, Handler};
use crate::level::Level;

/// A time-rotating handler on `dir/app.log` and what it needs.
struct Timed {
    /// The handler.
    handler: FileHandler<super::handler::TimeRule>,
    /// Its clock (starts 2023-11-14 22:13:20 UTC).
    clock: Arc<FakeClock>,
    /// What it reported.
    errors: Captured,
}

/// Builds a handler with `when`, `backup_count` and `keep` on `dir/app.log`.
fn timed(dir: &Path, when: When, backup_count: usize, keep: Keep) -> Timed {
    timed_on(dir, when, backup_count, keep, Arc::new(FakeClock::new()))
}

/// As [`timed`], on `clock`.
fn timed_on(
    dir: &Path,
    when: When,
    backup_count: usize,
    keep: Keep,
    clock: Arc<FakeClock>,
) -> Timed {
    let settings = TimedSettings {
        file: FileOptions {
            path: dir.join("app.log"),
            mode: FileMode::Append,
            delay: false,
            permissions: 0o640,
            buffer: None,
        },
        when,
        interval: 1,
        utc: true,
        at_time: None::<AtTime>,
        backup_count,
        keep,
    };
    let errors = Captured::default();
    let reporter = || Reporter::new("t", Arc::new(errors.clone()));
    let rule = settings.rule(TimeZone::UTC, "t", reporter()).unwrap();
    let handler = FileHandler::new(
        &settings.file,
        rule,
        reporter(),
        clock.clone() as Arc<dyn Clock>,
    )
    .unwrap();
    Timed {
        handler,
        clock,
        errors,
    }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// The decompressed content of the gzip file at `path`.
fn gunzip(path: &Path) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
        .read_to_string(&mut out)
        .unwrap();
    out
}

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn mode_is_always_append() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.log"), "kept\n").unwrap();
    let t = timed(dir.path(), When::Hour, 0, Keep::default());
    t.handler.emit(b"more\n", Level::INFO);
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "kept\nmore\n"
    );
}

#[test]
fn a_failed_prune_is_reported_once_and_the_schedule_still_advances() {
    let dir = tempfile::tempdir().unwrap();
    // The oldest "backup" is a directory: it cannot be removed.
    fs::create_dir(dir.path().join("app.log.2000-01-01_00")).unwrap();
    fs::write(dir.path().join("app.log.2000-01-01_00/x"), "").unwrap();
    let t = timed(dir.path(), When::Hour, 1, Keep::default());
    t.handler.emit(b"one\n", Level::INFO);
    t.clock.step(HOUR, false);
    t.handler.emit(b"two\n", Level::INFO);
    let report = t.errors.text();
    assert!(report.contains("cannot remove "), "{report}");
    assert!(report.contains("Is a directory"), "{report}");
    t.clock.step(HOUR, false);
    t.handler.emit(b"three\n", Level::INFO);
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2000-01-01_00",
            "app.log.2023-11-14_22",
            "app.log.2023-11-14_23"
        ]
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "three\n"
    );
    assert_eq!(t.errors.text(), report, "reported once");
}

#[test]
#[cfg(unix)]
fn a_file_that_is_not_regular_is_never_renamed() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("app.log")).unwrap();
    let t = timed(dir.path(), When::Second, 1, Keep::default());
    for _ in 0..3 {
        t.handler.emit(b"gone\n", Level::INFO);
        t.clock.step(Duration::from_secs(2), false);
    }
    assert_eq!(names(dir.path()), ["app.log"]);
    assert!(
        fs::symlink_metadata(dir.path().join("app.log"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(t.errors.text(), "");
}

#[test]
fn gzip_backups_hold_the_records_and_the_plain_file_goes() {
    let dir = tempfile::tempdir().unwrap();
    let keep = Keep {
        gzip: true,
        ..Keep::default()
    };
    let t = timed(dir.path(), When::Hour, 0, keep);
    t.handler.emit(b"first hour\n", Level::INFO);
    t.handler.emit(b"still first\n", Level::INFO);
    t.clock.step(HOUR, false);
    t.handler.emit(b"second hour\n", Level::INFO);
    t.handler.finish();
    assert_eq!(names(dir.path()), ["app.log", "app.log.2023-11-14_22.gz"]);
    assert_eq!(
        gunzip(&dir.path().join("app.log.2023-11-14_22.gz")),
        "first hour\nstill first\n"
    );
    assert_eq!(t.errors.text(), "");
}

#[test]
fn pruning_counts_plain_and_compressed_backups_alike_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // A previous run left five hourly backups, some compressed, one caught
    // half-way (plain and .gz of one period), and a stale temporary file.
    for (name, text) in [
        ("app.log.2023-11-14_16", "a"),
        ("app.log.2023-11-14_17.gz", "b"),
        ("app.log.2023-11-14_18", "c"),
        ("app.log.2023-11-14_19", "d"),
        ("app.log.2023-11-14_19.gz", "d"),
        ("app.log.2023-11-14_20.gz", "e"),
        ("app.log.2023-11-14_20.gz.tmp", "partial"),
        ("other.log.2023-11-14_15", "foreign"),
    ] {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let keep = Keep {
        gzip: true,
        ..Keep::default()
    };
    let t = timed(dir.path(), When::Hour, 3, keep);
    // The temporary file of the crashed compression is gone at start.
    assert!(!dir.path().join("app.log.2023-11-14_20.gz.tmp").exists());
    t.handler.emit(b"now\n", Level::INFO);
    t.clock.step(HOUR, false);
    t.handler.emit(b"next\n", Level::INFO);
    t.handler.finish();
    // Exactly three periods kept: 19 (both forms), 20, and the new 22.
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2023-11-14_19",
            "app.log.2023-11-14_19.gz",
            "app.log.2023-11-14_20.gz",
            "app.log.2023-11-14_22.gz",
            "other.log.2023-11-14_15",
        ]
    );
}

#[test]
fn retention_by_total_size_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    for (name, size) in [
        ("app.log.2023-11-14_18", 400),
        ("app.log.2023-11-14_19", 300),
        ("app.log.2023-11-14_20", 200),
    ] {
        fs::write(dir.path().join(name), "x".repeat(size)).unwrap();
    }
    let keep = Keep {
        max_total_bytes: Some(600),
        ..Keep::default()
    };
    let t = timed(dir.path(), When::Hour, 0, keep);
    t.handler.emit(&[b'y'; 99], Level::INFO);
    t.handler.emit(b"\n", Level::INFO);
    t.clock.step(HOUR, false);
    t.handler.emit(b"next\n", Level::INFO);
    t.handler.finish();
    // 100 (new) + 200 + 300 = 600 kept; 400 more would exceed.
    assert_eq!(
        names(dir.path()),
        [
            "app.log",
            "app.log.2023-11-14_19",
            "app.log.2023-11-14_20",
            "app.log.2023-11-14_22"
        ]
    );
}

#[test]
fn retention_by_age_uses_the_handler_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new());
    let now = clock.now();
    for (name, days_old) in [
        ("app.log.2023-11-01", 13),
        ("app.log.2023-11-05", 9),
        ("app.log.2023-11-10", 4),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, "old\n").unwrap();
        let mtime = now - Duration::from_secs(days_old * 86_400);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
    let keep = Keep {
        max_age: Some(Duration::from_secs(7 * 86_400)),
        ..Keep::default()
    };
    let t = timed_on(dir.path(), When::Midnight, 0, keep, clock);
    t.handler.emit(b"today\n", Level::INFO);
    t.clock.step(Duration::from_secs(86_400), false);
    t.handler.emit(b"tomorrow\n", Level::INFO);
    t.handler.finish();
    // At the rollover the clock is a day later: 14 and 10 days old go.
    assert_eq!(
        names(dir.path()),
        ["app.log", "app.log.2023-11-10", "app.log.2023-11-14"]
    );
    let _: SystemTime = now;
}

#[test]
#[cfg(unix)]
fn a_second_writer_follows_the_first_writers_rollover() {
    // CPython (python/cpython#130108): the writer that loses the race
    // writes on into the renamed file.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FakeClock::new());
    let a = timed_on(dir.path(), When::Hour, 0, Keep::default(), clock.clone());
    // As a real run would see it: the file `a` created has the time now.
    fs::File::options()
        .write(true)
        .open(dir.path().join("app.log"))
        .unwrap()
        .set_modified(clock.now())
        .unwrap();
    let b = timed_on(dir.path(), When::Hour, 0, Keep::default(), clock.clone());
    a.handler.emit(b"a1\n", Level::INFO);
    b.handler.emit(b"b1\n", Level::INFO);
    clock.step(HOUR, false);
    a.handler.emit(b"a2\n", Level::INFO);
    b.handler.emit(b"b2\n", Level::INFO);
    assert_eq!(names(dir.path()), ["app.log", "app.log.2023-11-14_22"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.2023-11-14_22")).unwrap(),
        "a1\nb1\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "a2\nb2\n"
    );
    assert_eq!(a.errors.text(), "");
    assert_eq!(b.errors.text(), "", "following a rollover is no error");
}

#[test]
fn the_coarse_clock_spares_the_read_only_well_before_the_rollover() {
    let dir = tempfile::tempdir().unwrap();
    // 22:13:20, the rollover (CPython: now + 1 hour) at 23:13:20; the
    // coarse reading lags 0.9 s (less than COARSE_LAG).
    let clock = Arc::new(FakeClock::new().with_coarse_lag(Duration::from_millis(900)));
    let t = timed_on(dir.path(), When::Hour, 1, Keep::default(), clock);
    let reads = t.clock.reads();
    t.handler.emit(b"one\n", Level::INFO);
    // 23:13:19.5: the coarse bound (23:13:19.6) is still before 23:13:20.
    t.clock.step(Duration::from_millis(3_599_500), false);
    t.handler.emit(b"two\n", Level::INFO);
    assert_eq!(
        t.clock.reads(),
        reads,
        "no precise read well before 23:13:20"
    );
    // 23:13:19.9: the bound reaches 23:13:20, the clock decides: not yet.
    t.clock.step(Duration::from_millis(400), false);
    t.handler.emit(b"three\n", Level::INFO);
    assert_eq!(t.clock.reads(), reads + 1);
    // 23:13:20.1 while the coarse reading still says 23:13:19.2.
    t.clock.step(Duration::from_millis(200), false);
    t.handler.emit(b"four\n", Level::INFO);
    assert_eq!(names(dir.path()), ["app.log", "app.log.2023-11-14_22"]);
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.2023-11-14_22")).unwrap(),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "four\n"
    );
    assert_eq!(t.errors.text(), "");
}
