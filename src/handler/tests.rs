//! Handler tests on real files, each in its own temporary directory.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use crate::level::Level;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::class::{BuildContext, HandlerSettings};
use super::clock::{Clock, FakeClock, SystemClock};
use super::report::Captured;
use super::rotating::{RotatingSettings, SizeRule};
use super::*;
use std::io;

/// The settings of each built-in class, as the tests write them.
#[derive(Clone, Debug)]
enum HandlerKind {
    Stream(StreamTarget),
    File(FileOptions),
    RotatingFile {
        file: FileOptions,
        max_bytes: u64,
        backup_count: u32,
    },
    Null,
}

impl HandlerKind {
    fn settings(&self) -> Arc<dyn HandlerSettings> {
        match self.clone() {
            HandlerKind::Stream(target) => Arc::new(target),
            HandlerKind::File(options) => Arc::new(options),
            HandlerKind::RotatingFile {
                file,
                max_bytes,
                backup_count,
            } => Arc::new(RotatingSettings {
                file,
                rule: SizeRule {
                    max_bytes,
                    backup_count,
                    keep: Default::default(),
                },
            }),
            HandlerKind::Null => Arc::new(null::NullHandler),
        }
    }
}

/// Builds `kind` as a config would, with `clock` and `errors`.
fn build_with(
    name: &str,
    kind: &HandlerKind,
    clock: Arc<dyn Clock>,
    errors: Arc<dyn report::ErrorSink>,
) -> io::Result<Box<dyn Handler>> {
    kind.settings().build(&BuildContext {
        name,
        clock,
        errors,
    })
}

/// Builds `kind` on the system clock, reporting to stderr.
fn build(name: &str, kind: &HandlerKind) -> io::Result<Box<dyn Handler>> {
    build_with(name, kind, Arc::new(SystemClock), Arc::new(report::Stderr))
}

/// File options for `path` with the default permissions.
fn options(path: &Path, mode: FileMode, delay: bool) -> FileOptions {
    FileOptions {
        path: path.to_path_buf(),
        mode,
        delay,
        permissions: 0o640,
        buffer: None,
    }
}

/// A built handler with its fake clock and captured error reports.
#[derive(Debug)]
struct Built {
    /// The handler.
    handler: Box<dyn Handler>,
    /// Its clock.
    clock: Arc<FakeClock>,
    /// What it reported.
    errors: Captured,
}

/// Builds `kind` called `name` with a fake clock and a captured error sink.
fn build_test(name: &str, kind: &HandlerKind) -> io::Result<Built> {
    let clock = Arc::new(FakeClock::new());
    let errors = Captured::default();
    let handler = build_with(name, kind, clock.clone(), Arc::new(errors.clone()))?;
    Ok(Built {
        handler,
        clock,
        errors,
    })
}

/// A rotating handler on `dir/app.log`.
fn rotating(dir: &Path, max_bytes: u64, backup_count: u32, mode: FileMode, delay: bool) -> Built {
    let kind = HandlerKind::RotatingFile {
        file: options(&dir.join("app.log"), mode, delay),
        max_bytes,
        backup_count,
    };
    build_test("rotating", &kind).unwrap()
}

/// Every file in `dir`, by name, with its content, sorted by name.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            let content = fs::read_to_string(entry.path()).unwrap_or_else(|_| "<dir>".into());
            (name, content)
        })
        .collect();
    out.sort();
    out
}

/// Asserts `dir` holds exactly `expected`.
fn assert_files(dir: &Path, expected: &[(&str, &str)]) {
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, c)| (n.to_string(), c.to_string()))
        .collect();
    assert_eq!(files(dir), expected);
}

/// `record NN\n` for NN in 0..n (10 characters each).
fn numbered(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("record {i:02}\n")).collect()
}

/// Runs a rotation case: optional files before, records, expected files after.
fn rotation_case(
    records: &[String],
    max_bytes: u64,
    backup_count: u32,
    mode: FileMode,
    delay: bool,
    before: &[(&str, &str)],
    expected: &[(&str, &str)],
) {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in before {
        fs::write(dir.path().join(name), content).unwrap();
    }
    let built = rotating(dir.path(), max_bytes, backup_count, mode, delay);
    assert_eq!(
        dir.path().join("app.log").exists(),
        !delay || !before.is_empty()
    );
    for record in records {
        built.handler.emit(record.as_bytes(), Level::INFO);
    }
    assert_files(dir.path(), expected);
    assert_eq!(built.errors.text(), "");
}

// The expected file contents of the rotation cases below were obtained from
// CPython 3.13.0: a `logging.handlers.RotatingFileHandler` on `app.log` with
// the same mode, maxBytes, backupCount and delay, encoding UTF-8, formatter
// `%(message)s`, logging each record without its `\n`, then listing the
// directory.

#[test]
fn rotation_ten_records() {
    let expected = [
        ("app.log", "record 09\n"),
        ("app.log.1", "record 06\nrecord 07\nrecord 08\n"),
        ("app.log.2", "record 03\nrecord 04\nrecord 05\n"),
        ("app.log.3", "record 00\nrecord 01\nrecord 02\n"),
    ];
    rotation_case(
        &numbered(10),
        35,
        3,
        FileMode::Append,
        false,
        &[],
        &expected,
    );
}

#[test]
fn rotation_twenty_records() {
    let expected = [
        ("app.log", "record 18\nrecord 19\n"),
        ("app.log.1", "record 15\nrecord 16\nrecord 17\n"),
        ("app.log.2", "record 12\nrecord 13\nrecord 14\n"),
        ("app.log.3", "record 09\nrecord 10\nrecord 11\n"),
    ];
    rotation_case(
        &numbered(20),
        35,
        3,
        FileMode::Append,
        false,
        &[],
        &expected,
    );
}

#[test]
fn rotation_record_bigger_than_max_bytes() {
    let records: Vec<String> = [
        "short\n",
        "this is a very long record\n",
        "x\n",
        "also a rather long record\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let expected = [
        ("app.log", "also a rather long record\n"),
        ("app.log.1", "x\n"),
        ("app.log.2", "this is a very long record\n"),
        ("app.log.3", "short\n"),
    ];
    rotation_case(&records, 10, 3, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_bigger_record_into_an_empty_file_is_written_whole() {
    // gh-116263: an empty file is never rolled over, whatever the record.
    let records = vec!["a record much longer than ten bytes\n".to_string()];
    let expected = [("app.log", "a record much longer than ten bytes\n")];
    rotation_case(&records, 10, 3, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_record_landing_exactly_on_the_limit() {
    // 10 + 10 == 20 rolls over; 10 + 9 == 19 does not.
    let records: Vec<String> = [
        "123456789\n",
        "abcdefghi\n",
        "12345678\n",
        "abcdefghi\n",
        "z\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let expected = [
        ("app.log", "abcdefghi\nz\n"),
        ("app.log.1", "abcdefghi\n12345678\n"),
        ("app.log.2", "123456789\n"),
    ];
    rotation_case(&records, 20, 5, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_backup_count_zero_keeps_growing() {
    let expected = [(
        "app.log",
        "record 00\nrecord 01\nrecord 02\nrecord 03\nrecord 04\n",
    )];
    rotation_case(&numbered(5), 20, 0, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_max_bytes_zero_never_rolls_over() {
    let expected = [(
        "app.log",
        "record 00\nrecord 01\nrecord 02\nrecord 03\nrecord 04\n",
    )];
    rotation_case(&numbered(5), 0, 3, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_many_rollovers_with_two_backups() {
    let records: Vec<String> = (0..50).map(|i| format!("r{i}\n")).collect();
    let expected = [
        ("app.log", "r49\n"),
        ("app.log.1", "r47\nr48\n"),
        ("app.log.2", "r45\nr46\n"),
    ];
    rotation_case(&records, 10, 2, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_counts_characters_not_bytes() {
    // "ééééé\n" is 6 characters in 11 bytes: 11 + 6 < 20 does not roll over.
    let records: Vec<String> = ["ééééé\n", "ééééé\n", "ééééé\n", "日本語のログ\n", "ab\n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let expected = [
        ("app.log", "ab\n"),
        ("app.log.1", "ééééé\n日本語のログ\n"),
        ("app.log.2", "ééééé\nééééé\n"),
    ];
    rotation_case(&records, 20, 3, FileMode::Append, false, &[], &expected);
}

#[test]
fn rotation_with_existing_files() {
    let before = [
        ("app.log", "old line\n"),
        ("app.log.1", "older\n"),
        ("app.log.2", "oldest\n"),
    ];
    let expected = [
        ("app.log", "record 02\nrecord 03\n"),
        ("app.log.1", "old line\nrecord 00\nrecord 01\n"),
        ("app.log.2", "older\n"),
    ];
    rotation_case(
        &numbered(4),
        30,
        2,
        FileMode::Append,
        false,
        &before,
        &expected,
    );
}

#[test]
fn rotation_with_delay() {
    let expected = [
        ("app.log", "record 04\nrecord 05\n"),
        ("app.log.1", "record 02\nrecord 03\n"),
        ("app.log.2", "record 00\nrecord 01\n"),
    ];
    rotation_case(&numbered(6), 25, 2, FileMode::Append, true, &[], &expected);
}

#[test]
fn rotation_forces_append_when_max_bytes_is_set() {
    let before = [("app.log", "kept\n")];
    let expected = [("app.log", "kept\nrecord 00\nrecord 01\nrecord 02\n")];
    rotation_case(
        &numbered(3),
        100,
        2,
        FileMode::Truncate,
        false,
        &before,
        &expected,
    );
}

#[test]
fn rotation_truncates_without_max_bytes() {
    let before = [("app.log", "gone\n")];
    let expected = [("app.log", "record 00\nrecord 01\nrecord 02\n")];
    rotation_case(
        &numbered(3),
        0,
        2,
        FileMode::Truncate,
        false,
        &before,
        &expected,
    );
}

#[test]
fn rotation_never_renames_what_is_not_a_regular_file() {
    // bpo-45401: the path now names a directory; the open handle is kept.
    let dir = tempfile::tempdir().unwrap();
    let built = rotating(dir.path(), 10, 2, FileMode::Append, false);
    built.handler.emit(b"first\n", Level::INFO);
    fs::rename(dir.path().join("app.log"), dir.path().join("moved.log")).unwrap();
    fs::create_dir(dir.path().join("app.log")).unwrap();
    built.handler.emit(b"second\n", Level::INFO);
    assert_files(
        dir.path(),
        &[("app.log", "<dir>"), ("moved.log", "first\nsecond\n")],
    );
    assert_eq!(built.errors.text(), "");
}

#[test]
fn file_append_and_truncate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    fs::write(&path, "old\n").unwrap();
    let append = build_test(
        "a",
        &HandlerKind::File(options(&path, FileMode::Append, false)),
    )
    .unwrap();
    append.handler.emit(b"one\n", Level::INFO);
    assert_eq!(fs::read_to_string(&path).unwrap(), "old\none\n");
    let truncate = build_test(
        "w",
        &HandlerKind::File(options(&path, FileMode::Truncate, false)),
    )
    .unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "");
    truncate.handler.emit("twö\n".as_bytes(), Level::INFO);
    truncate.handler.flush();
    assert_eq!(fs::read_to_string(&path).unwrap(), "twö\n");
}

#[test]
fn file_delay_opens_on_the_first_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let built = build_test(
        "d",
        &HandlerKind::File(options(&path, FileMode::Truncate, true)),
    )
    .unwrap();
    assert!(!path.exists());
    built.handler.emit(b"one\n", Level::INFO);
    built.handler.emit(b"two\n", Level::INFO);
    assert_eq!(fs::read_to_string(&path).unwrap(), "one\ntwo\n");
}

#[test]
fn parent_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c/app.log");
    let built = build_test(
        "p",
        &HandlerKind::File(options(&path, FileMode::Append, false)),
    )
    .unwrap();
    assert!(path.is_file());
    built.handler.emit(b"x\n", Level::INFO);
    assert_eq!(fs::read_to_string(&path).unwrap(), "x\n");
}

#[cfg(unix)]
#[test]
fn files_are_created_with_the_configured_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for (name, permissions) in [("default.log", 0o640), ("private.log", 0o600)] {
        let path = dir.path().join(name);
        let mut opts = options(&path, FileMode::Append, false);
        opts.permissions = permissions;
        build_test("p", &HandlerKind::File(opts)).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // The umask may only take bits away (it is 022 on most systems).
        assert_eq!(mode | 0o022, permissions | 0o022, "{name}: {mode:o}");
        assert_eq!(mode & !permissions, 0, "{name}: {mode:o}");
    }
}

#[test]
fn relative_paths_are_made_absolute_like_abspath() {
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        file::absolute(Path::new("logs/./x/../app.log")).unwrap(),
        cwd.join("logs/app.log")
    );
    assert_eq!(
        file::absolute(Path::new("/a/b/../../../c")).unwrap(),
        Path::new("/c")
    );
}

#[test]
fn rotation_across_threads_loses_nothing() {
    const THREADS: usize = 8;
    const RECORDS: usize = 2_000;
    const MAX_BYTES: u64 = 4096;
    let dir = tempfile::tempdir().unwrap();
    // 16,000 records of 15 bytes: about 60 files, all kept.
    let built = rotating(dir.path(), MAX_BYTES, 500, FileMode::Append, false);
    let handler: Arc<dyn Handler> = Arc::from(built.handler);
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let handler = Arc::clone(&handler);
            std::thread::spawn(move || {
                for i in 0..RECORDS {
                    handler.emit(format!("t{t} r{i:010}\n").as_bytes(), Level::INFO);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let mut all = files(dir.path());
    assert!(all.len() > 10 && all.len() < 500, "{} files", all.len());
    // Oldest first: app.log.N, ..., app.log.1, app.log.
    all.sort_by_key(|(name, _)| {
        std::cmp::Reverse(
            name.rsplit('.')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    let mut next = [0usize; THREADS];
    for (name, content) in &all {
        assert!(
            content.len() as u64 <= MAX_BYTES,
            "{name}: {} bytes",
            content.len()
        );
        assert!(content.ends_with('\n'), "{name}");
        for line in content.lines() {
            let (t, i) = line.split_once(" r").unwrap();
            let t: usize = t.strip_prefix('t').unwrap().parse().unwrap();
            let i: usize = i.parse().unwrap();
            assert_eq!(i, next[t], "{name}: {line}");
            next[t] += 1;
        }
    }
    assert_eq!(next, [RECORDS; THREADS]);
    assert_eq!(built.errors.text(), "");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_once_and_survived() {
    let built = build_test(
        "logfile",
        &HandlerKind::File(options(Path::new("/dev/full"), FileMode::Append, false)),
    )
    .unwrap();
    for _ in 0..3 {
        built.handler.emit(b"lost\n", Level::INFO);
    }
    built.handler.flush();
    assert_eq!(
        built.errors.text(),
        "--- Logging error ---\n\
         logconf: handler `logfile`: cannot write to /dev/full: No space left on device (os error 28)\n\
         logconf: further errors of this kind from handler `logfile` are not reported\n"
    );
    // The rotating handler neither rolls over nor renames a device.
    let kind = HandlerKind::RotatingFile {
        file: options(Path::new("/dev/full"), FileMode::Append, false),
        max_bytes: 1,
        backup_count: 2,
    };
    let built = build_test("rot", &kind).unwrap();
    built.handler.emit(b"lost\n", Level::INFO);
    built.handler.emit(b"lost\n", Level::INFO);
    assert_eq!(
        built.errors.text().matches("--- Logging error ---").count(),
        1
    );
    assert!(
        built
            .errors
            .text()
            .contains("cannot write to /dev/full: No space left on device")
    );
}

#[test]
fn a_directory_that_appears_later_is_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("logs");
    fs::write(&blocker, "a file where the directory should be").unwrap();
    let path = blocker.join("app.log");
    // Without delay the build fails, with the path in the message.
    let err = build_test(
        "late",
        &HandlerKind::File(options(&path, FileMode::Append, false)),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "cannot create the directory {}: ",
            blocker.display()
        )),
        "{err}"
    );

    for kind in [
        HandlerKind::File(options(&path, FileMode::Append, true)),
        HandlerKind::RotatingFile {
            file: options(&path, FileMode::Append, true),
            max_bytes: 1000,
            backup_count: 1,
        },
    ] {
        fs::remove_dir_all(&blocker).ok();
        fs::write(&blocker, "a file where the directory should be").unwrap();
        let built = build_test("late", &kind).unwrap();
        built.handler.emit(b"dropped 1\n", Level::INFO);
        let report = built.errors.text();
        assert!(
            report.starts_with(
                "--- Logging error ---\nlogconf: handler `late`: cannot create the directory "
            ),
            "{report}"
        );
        assert!(report.ends_with(": File exists (os error 17)\nlogconf: further errors of this kind from handler `late` are not reported\n"), "{report}");
        fs::remove_file(&blocker).unwrap();
        // Within the retry delay nothing is attempted: the record is dropped.
        built.clock.step(Duration::from_millis(500), false);
        built.handler.emit(b"dropped 2\n", Level::INFO);
        assert!(!path.exists());
        built.clock.step(Duration::from_millis(500), false);
        built.handler.emit(b"written 1\n", Level::INFO);
        built.handler.emit(b"written 2\n", Level::INFO);
        assert_eq!(fs::read_to_string(&path).unwrap(), "written 1\nwritten 2\n");
        assert_eq!(built.errors.text(), report, "reported once");
    }
}

#[test]
fn a_failed_rollover_is_reported_and_writing_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // `app.log.1` is a directory: it cannot be removed to make room.
    fs::create_dir(dir.path().join("app.log.1")).unwrap();
    fs::write(dir.path().join("app.log.1/keep"), "").unwrap();
    let built = rotating(dir.path(), 10, 1, FileMode::Append, false);
    built.handler.emit(b"one\n", Level::INFO);
    built.handler.emit(b"two two\n", Level::INFO); // 4 + 8 >= 10: rollover fails
    let backup = dir.path().join("app.log.1");
    assert_eq!(
        built.errors.text(),
        format!(
            "--- Logging error ---\n\
             logconf: handler `rotating`: cannot remove {}: Is a directory (os error 21)\n\
             logconf: further errors of this kind from handler `rotating` are not reported\n",
            backup.display()
        )
    );
    // Within the retry delay no rollover is attempted.
    built.handler.emit(b"three\n", Level::INFO);
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "one\ntwo two\nthree\n"
    );
    // Fixed: the next rollover after the delay succeeds.
    fs::remove_dir_all(&backup).unwrap();
    built.clock.step(Duration::from_secs(1), false);
    built.handler.emit(b"four\n", Level::INFO);
    assert_files(
        dir.path(),
        &[
            ("app.log", "four\n"),
            ("app.log.1", "one\ntwo two\nthree\n"),
        ],
    );
    assert_eq!(
        built.errors.text().matches("--- Logging error ---").count(),
        1
    );
}

#[test]
fn a_deleted_file_keeps_its_handle() {
    // As Python's FileHandler: an unlinked file is written to, not recreated.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let built = build_test(
        "f",
        &HandlerKind::File(options(&path, FileMode::Append, false)),
    )
    .unwrap();
    fs::remove_file(&path).unwrap();
    built.handler.emit(b"into the void\n", Level::INFO);
    assert!(!path.exists());
    assert_eq!(built.errors.text(), "");
}

/// A writer that fails with EPIPE until told otherwise.
#[derive(Clone, Debug, Default)]
struct Pipe {
    /// Whether the reader is gone.
    broken: Arc<std::sync::atomic::AtomicBool>,
    /// What got through.
    got: Captured,
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(io::Error::from_raw_os_error(32));
        }
        report::ErrorSink::write_report(&self.got, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_broken_pipe_is_reported_once_and_survived() {
    let pipe = Pipe::default();
    pipe.broken.store(true, std::sync::atomic::Ordering::SeqCst);
    let errors = Captured::default();
    let handler = stream::StreamHandler::to_writer(
        Box::new(pipe.clone()),
        "stdout",
        report::Reporter::new("console", Arc::new(errors.clone())),
    );
    handler.emit(b"lost 1\n", Level::INFO);
    handler.emit(b"lost 2\n", Level::INFO);
    pipe.broken
        .store(false, std::sync::atomic::Ordering::SeqCst);
    handler.emit(b"kept\n", Level::INFO);
    handler.flush();
    assert_eq!(pipe.got.text(), "kept\n");
    assert_eq!(
        errors.text(),
        "--- Logging error ---\n\
         logconf: handler `console`: cannot write to stdout: Broken pipe (os error 32)\n\
         logconf: further errors of this kind from handler `console` are not reported\n"
    );
}

#[test]
fn stream_and_null_handlers_build() {
    for kind in [
        HandlerKind::Stream(StreamTarget::Stderr),
        HandlerKind::Stream(StreamTarget::Stdout),
        HandlerKind::Null,
    ] {
        let handler = build("h", &kind).unwrap();
        handler.emit(b"", Level::INFO);
        handler.flush();
    }
    let null = build("n", &HandlerKind::Null).unwrap();
    null.emit(b"discarded\n", Level::INFO);
    assert_eq!(format!("{null:?}"), "NullHandler");
}

#[test]
fn a_poisoned_lock_is_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let handler = Arc::new(
        file::FileHandler::new(
            &options(&path, FileMode::Append, false),
            file::Plain,
            report::Reporter::new("f", Arc::new(Captured::default())),
            Arc::new(FakeClock::new()),
        )
        .unwrap(),
    );
    let poisoner = Arc::clone(&handler);
    let _ = std::thread::spawn(move || poisoner.poison()).join();
    handler.emit(b"after the panic\n", Level::INFO);
    assert_eq!(fs::read_to_string(&path).unwrap(), "after the panic\n");
}

/// File options with `buffer:` set.
fn buffered(path: &Path, capacity: usize) -> FileOptions {
    FileOptions {
        buffer: Some(BufferOptions {
            capacity,
            ..BufferOptions::default()
        }),
        ..options(path, FileMode::Append, false)
    }
}

#[test]
fn buffered_file_writes_when_full_at_flush_level_and_on_flush() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let built = build_test("buffered", &HandlerKind::File(buffered(&path, 25))).unwrap();
    let read = || fs::read_to_string(&path).unwrap();
    assert_eq!(built.handler.flush_interval(), Some(Duration::from_secs(1)));

    built.handler.emit(b"record 00\n", Level::INFO);
    built.handler.emit(b"record 01\n", Level::INFO);
    assert_eq!(read(), "", "20 bytes wait in a 25-byte buffer");
    built.handler.emit(b"record 02\n", Level::INFO);
    assert_eq!(
        read(),
        "record 00\nrecord 01\n",
        "a full buffer is written first"
    );
    built.handler.emit(b"failure 03\n", Level::ERROR);
    assert_eq!(
        read(),
        "record 00\nrecord 01\nrecord 02\nfailure 03\n",
        "ERROR writes at once, with what came before"
    );
    built.handler.emit(b"record 04\n", Level::WARNING);
    assert!(!read().contains("record 04"));
    built.handler.flush();
    assert!(read().ends_with("failure 03\nrecord 04\n"));
    // A record larger than the buffer is written at once.
    let big = format!("{}\n", "x".repeat(40));
    built.handler.emit(big.as_bytes(), Level::DEBUG);
    assert!(read().ends_with(&big));
    built.handler.try_flush();
    assert!(built.errors.text().is_empty());
}

#[test]
fn buffered_rotation_gives_the_same_files_as_unbuffered() {
    let records = numbered(57);
    let run = |buffer: Option<BufferOptions>| {
        let dir = tempfile::tempdir().unwrap();
        let kind = HandlerKind::RotatingFile {
            file: FileOptions {
                buffer,
                ..options(&dir.path().join("app.log"), FileMode::Append, false)
            },
            max_bytes: 45,
            backup_count: 3,
        };
        let built = build_test("rotating", &kind).unwrap();
        for (i, record) in records.iter().enumerate() {
            let level = if i % 13 == 0 {
                Level::ERROR
            } else {
                Level::INFO
            };
            built.handler.emit(record.as_bytes(), level);
        }
        built.handler.flush();
        files(dir.path())
    };
    let unbuffered = run(None);
    let small = run(Some(BufferOptions {
        capacity: 16,
        ..BufferOptions::default()
    }));
    let large = run(Some(BufferOptions::default()));
    assert_eq!(unbuffered.len(), 4);
    assert_eq!(small, unbuffered);
    assert_eq!(large, unbuffered);
}

/// A size-rotating handler on `dir/app.log` with `keep`, on a fake clock.
fn rotating_keep(
    dir: &Path,
    max_bytes: u64,
    backup_count: u32,
    keep: super::compress::Keep,
) -> Built {
    let clock = Arc::new(FakeClock::new());
    let errors = Captured::default();
    let settings = RotatingSettings {
        file: options(&dir.join("app.log"), FileMode::Append, false),
        rule: SizeRule {
            max_bytes,
            backup_count,
            keep,
        },
    };
    let handler = settings
        .build(&BuildContext {
            name: "rotating",
            clock: clock.clone(),
            errors: Arc::new(errors.clone()),
        })
        .unwrap();
    Built {
        handler,
        clock,
        errors,
    }
}

#[test]
fn rotation_with_gzip_shifts_plain_and_compressed_backups_alike() {
    let dir = tempfile::tempdir().unwrap();
    // Left by a run without compression: plain `.1` and `.2`.
    fs::write(dir.path().join("app.log.1"), "old 1\n").unwrap();
    fs::write(dir.path().join("app.log.2"), "old 2\n").unwrap();
    let keep = super::compress::Keep {
        gzip: true,
        ..Default::default()
    };
    let built = rotating_keep(dir.path(), 10, 3, keep);
    built.handler.emit(b"one one\n", Level::INFO);
    built.handler.emit(b"two two\n", Level::INFO); // rollover
    built.handler.emit(b"three 3\n", Level::INFO); // rollover
    built.handler.finish();
    let mut names: Vec<String> = files(dir.path()).into_iter().map(|(n, _)| n).collect();
    names.sort();
    // `.3` is dropped off the end; plain leftovers shifted with the rest.
    assert_eq!(
        names,
        ["app.log", "app.log.1.gz", "app.log.2.gz", "app.log.3"]
    );
    let gunzip = |name: &str| {
        let mut out = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(fs::File::open(dir.path().join(name)).unwrap()),
            &mut out,
        )
        .unwrap();
        out
    };
    assert_eq!(gunzip("app.log.1.gz"), "two two\n");
    assert_eq!(gunzip("app.log.2.gz"), "one one\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("app.log.3")).unwrap(),
        "old 1\n"
    );
    assert_eq!(built.errors.text(), "");
}

#[test]
fn rotation_retention_by_total_size() {
    let dir = tempfile::tempdir().unwrap();
    let keep = super::compress::Keep {
        max_total_bytes: Some(20),
        ..Default::default()
    };
    let built = rotating_keep(dir.path(), 10, 5, keep);
    for record in ["aaaaaaaa1\n", "bbbbbbbb2\n", "cccccccc3\n", "dddddddd4\n"] {
        built.handler.emit(record.as_bytes(), Level::INFO);
    }
    built.handler.finish();
    // Three rollovers made .1 (c), .2 (b), .3 (a); 10 + 10 bytes fit.
    assert_files(
        dir.path(),
        &[
            ("app.log", "dddddddd4\n"),
            ("app.log.1", "cccccccc3\n"),
            ("app.log.2", "bbbbbbbb2\n"),
        ],
    );
}
