//! I/O faults: each asserts no panic, no hang (children run under a
//! timeout), the failure reported once on stderr, the other handler (stdout)
//! receiving every record, and writing resuming when the fault clears where
//! it can.

use std::io::{BufRead as _, Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use crate::{REPORT, Test, child, child_command, poll_until, temp_with, wait_output};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("fault_missing_directory_is_created", missing_directory),
    ("fault_unwritable_directory_at_start", unwritable_directory),
    ("fault_file_deleted_while_running", file_deleted),
    ("fault_file_moved_away_while_running", file_moved),
    ("fault_copytruncate_while_running", copytruncate),
    ("fault_disk_full", disk_full),
    ("fault_stdout_closed", stdout_closed),
    ("fault_stderr_closed", stderr_closed),
    (
        "fault_app_holds_stdout_lock_while_logging",
        stdout_lock_held,
    ),
    ("fault_rollover_blocked", rollover_blocked),
    (
        "fault_log_from_thread_local_destructor",
        log_from_tls_destructor,
    ),
    ("fault_reentrant_event_while_formatting", reentrant_event),
];

/// Children of this module, by name.
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    let f: fn() = match name {
        "log_records" => child_log_records,
        "unwritable" => child_unwritable,
        "deleted" => child_deleted,
        "moved" => child_moved,
        "copytruncate" => child_copytruncate,
        "stdout_closed" => child_stdout_closed,
        "tls_destructor" => child_tls_destructor,
        "reentrant" => child_reentrant,
        "noop" => || {},
        "stdout_lock" => child_stdout_lock,
        _ => return None,
    };
    f();
    Some(ExitCode::SUCCESS)
}

/// A config: handler `out` (stdout) and handler `file` described by
/// `file_handler` (YAML lines indented for the handler's body), both plain.
pub(crate) fn two_handlers(file_handler: &str) -> String {
    format!(
        "version: 1
formatters:
  plain: {{format: '%(message)s'}}
handlers:
  out:
    class: logging.StreamHandler
    stream: ext://sys.stdout
    formatter: plain
  file:
    formatter: plain
{file_handler}
root: {{level: INFO, handlers: [out, file]}}
"
    )
}

/// `rec 0` .. `rec {n-1}`, one a line.
pub(crate) fn records(range: std::ops::Range<usize>) -> String {
    range.map(|i| format!("rec {i}\n")).collect()
}

/// Installs `log.yaml` from the working directory.
pub(crate) fn install() -> logconf::Guard {
    logconf::init_from_path("log.yaml").unwrap_or_else(|e| panic!("init: {e}"))
}

/// Child: logs `rec 0..N` (N from `RECORDS`, default 200) and exits.
fn child_log_records() {
    let n: usize = std::env::var("RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let _guard = install();
    for i in 0..n {
        tracing::info!("rec {i}");
    }
}

fn missing_directory() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: logs/deep/er/app.log");
    let run = child("log_records", &[("log.yaml", &yaml)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "", "no report expected");
    assert_eq!(run.stdout, records(0..200));
    assert!(run.dir.join("logs/deep/er").is_dir(), "parents created");
    assert_eq!(run.file("logs/deep/er/app.log"), records(0..200));
    Ok(())
}

// ------------------------------------------------------------ unwritable

/// Whether this process ignores directory permissions (root, or
/// CAP_DAC_OVERRIDE): it can create a file in a directory of mode 0555.
fn permissions_ignored() -> bool {
    let tmp = tempfile::tempdir().expect("temp dir");
    let ro = tmp.path().join("ro");
    std::fs::create_dir(&ro).expect("mkdir");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let ignored = std::fs::write(ro.join("probe"), "x").is_ok();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    ignored
}

/// How the child makes `blocked/app.log` unopenable: `chmod` (the folder is
/// mode 0555) or, when permissions are ignored, `notdir` (`blocked` is a
/// regular file, so the path is under a file).
fn blocked_setup(how: &str) {
    match how {
        "chmod" => {
            std::fs::create_dir("blocked").expect("mkdir");
            std::fs::set_permissions("blocked", std::fs::Permissions::from_mode(0o555))
                .expect("chmod");
        }
        _ => std::fs::write("blocked", "a file, not a folder\n").expect("write"),
    }
}

fn blocked_clear(how: &str) {
    match how {
        "chmod" => std::fs::set_permissions("blocked", std::fs::Permissions::from_mode(0o755))
            .expect("chmod"),
        _ => std::fs::remove_file("blocked").expect("remove"),
    }
}

/// Child: with the fault in place, (1) `build` of a config without `delay`
/// fails naming the handler; (2) with `delay: true` the config installs,
/// 50 records reach stdout and the open failure is reported; (3) the fault
/// is cleared and records are logged until the file receives one (the
/// retry back-off is about a second); (4) 10 more records. The last record
/// is `done N`, N being the number of `rec` records.
fn child_unwritable() {
    let how = std::env::var("HOW").expect("HOW");
    blocked_setup(&how);
    let nodelay = std::fs::read_to_string("nodelay.yaml").expect("nodelay.yaml");
    let err = logconf::Config::from_yaml_str(&nodelay)
        .expect("config loads")
        .build()
        .expect_err("build must fail: the file cannot be opened");
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].key_path(), "handlers.file", "{err}");

    let _guard = install();
    let mut i = 0;
    while i < 50 {
        tracing::info!("rec {i}");
        i += 1;
    }
    blocked_clear(&how);
    let resumed = poll_until(Duration::from_secs(20), || {
        tracing::info!("rec {i}");
        i += 1;
        std::fs::metadata("blocked/app.log").is_ok_and(|m| m.len() > 0)
    });
    assert!(resumed, "the file handler did not resume within 20 s");
    for _ in 0..10 {
        tracing::info!("rec {i}");
        i += 1;
    }
    tracing::info!("done {i}");
}

fn unwritable_directory() -> Result<(), String> {
    if !permissions_ignored() {
        check_unwritable("chmod", false);
        return Ok(());
    }
    println!(
        "     permissions are ignored (running as root): the path is put under a regular file (EEXIST on creating its folder) instead of in a mode-0555 folder"
    );
    check_unwritable("notdir", false);
    if setpriv_works() {
        println!("     and the mode-0555 folder case runs as user nobody (setpriv)");
        check_unwritable("chmod", true);
    } else {
        println!("     (no setpriv: the mode-0555 folder case is not run)");
    }
    Ok(())
}

/// The uid and gid of `nobody`, for running a child without root.
const NOBODY: u32 = 65_534;

/// Whether `setpriv` can run this executable as `nobody` here.
fn setpriv_works() -> bool {
    let exe = std::env::current_exe().expect("current exe");
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(exe)
        .env("LOGCONF_RELIAB_CHILD", "noop")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the `unwritable` child with the fault made `how`, as `nobody` if
/// `as_nobody`, and checks what it wrote.
fn check_unwritable(how: &str, as_nobody: bool) {
    let nodelay = two_handlers("    class: logging.FileHandler\n    filename: blocked/app.log");
    let delay = two_handlers(
        "    class: logging.FileHandler\n    filename: blocked/app.log\n    delay: true",
    );
    let tmp = temp_with(&[("nodelay.yaml", &nodelay), ("log.yaml", &delay)]);
    let mut cmd = child_command("unwritable", tmp.path());
    cmd.env("HOW", how);
    if as_nobody {
        std::os::unix::fs::chown(tmp.path(), Some(NOBODY), Some(NOBODY)).expect("chown");
        let inner = cmd;
        cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(inner.get_program())
            .current_dir(tmp.path())
            .env("LOGCONF_RELIAB_CHILD", "unwritable")
            .env("HOW", how)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
    }
    let run = crate::run_in(cmd, tmp);
    run.assert_success();
    assert_eq!(
        crate::reports(&run),
        1,
        "one report expected:\n{}",
        run.stderr
    );
    let kind = if how == "chmod" {
        "Permission denied"
    } else {
        "File exists"
    };
    assert!(
        run.stderr.contains("handler `file`")
            && run.stderr.contains("blocked")
            && run.stderr.contains(kind),
        "{}",
        run.stderr
    );
    // stdout got every record.
    let last = run.stdout.lines().last().expect("stdout is empty");
    let n: usize = last
        .strip_prefix("done ")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("last stdout line {last:?}"));
    assert_eq!(run.stdout, records(0..n) + &format!("done {n}\n"));
    // The file holds a contiguous tail: from the first record after the
    // fault cleared (and the retry delay passed) to the end.
    let file = run.file("blocked/app.log");
    let first: usize = file
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("rec "))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("file: {file:.200}"));
    assert!(first >= 50, "records written while blocked: {first}");
    assert_eq!(file, records(first..n) + &format!("done {n}\n"));
    println!(
        "     {how}: {n} records; the file resumed at record {first} (the {} logged after the fault cleared, within the retry delay, were dropped)",
        first - 50
    );
}

// ------------------------------------------------- deleted and moved away

/// Child: 100 records; the file is deleted (a handle to it kept); 100 more;
/// the kept handle's contents go to `unlinked.txt`.
fn child_deleted() {
    let guard = install();
    for i in 0..100 {
        tracing::info!("rec {i}");
    }
    let mut kept = std::fs::File::open("app.log").expect("open app.log");
    std::fs::remove_file("app.log").expect("remove app.log");
    for i in 100..200 {
        tracing::info!("rec {i}");
    }
    drop(guard);
    let mut text = String::new();
    kept.read_to_string(&mut text).expect("read unlinked file");
    std::fs::write("unlinked.txt", text).expect("write unlinked.txt");
}

fn file_deleted() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log");
    let run = child("deleted", &[("log.yaml", &yaml)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "", "no report expected");
    assert_eq!(run.stdout, records(0..200));
    // Python-like: writes continue to the unlinked file; nothing recreates
    // the path (a WatchedFileHandler-style reopen is future work).
    assert!(!run.dir.join("app.log").exists(), "app.log was recreated");
    assert_eq!(run.file("unlinked.txt"), records(0..200));
    Ok(())
}

/// Child: 100 records; the file is renamed to `app.log.1` (an external
/// logrotate without copytruncate); 100 more.
fn child_moved() {
    let _guard = install();
    for i in 0..100 {
        tracing::info!("rec {i}");
    }
    std::fs::rename("app.log", "app.log.1").expect("rename");
    for i in 100..200 {
        tracing::info!("rec {i}");
    }
}

fn file_moved() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log");
    let run = child("moved", &[("log.yaml", &yaml)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "", "no report expected");
    assert_eq!(run.stdout, records(0..200));
    assert!(!run.dir.join("app.log").exists(), "app.log was recreated");
    assert_eq!(run.file("app.log.1"), records(0..200));
    Ok(())
}

/// Child: 100 records; the file is copied to `app.log.1` and truncated in
/// place (logrotate's `copytruncate`); 100 more.
fn child_copytruncate() {
    let _guard = install();
    for i in 0..100 {
        tracing::info!("rec {i}");
    }
    std::fs::copy("app.log", "app.log.1").expect("copy");
    std::fs::OpenOptions::new()
        .write(true)
        .open("app.log")
        .and_then(|f| f.set_len(0))
        .expect("truncate");
    for i in 100..200 {
        tracing::info!("rec {i}");
    }
}

fn copytruncate() -> Result<(), String> {
    // Appending (`O_APPEND`) writers continue at the new end of the file:
    // no hole of NUL bytes where the old contents were.
    for handler in [
        "    class: logging.FileHandler\n    filename: app.log",
        "    class: logging.handlers.RotatingFileHandler\n    filename: app.log\n    maxBytes: 1000000\n    backupCount: 3",
    ] {
        let yaml = two_handlers(handler);
        let run = child("copytruncate", &[("log.yaml", &yaml)], &[]);
        run.assert_success();
        assert_eq!(run.stderr, "", "no report expected");
        assert_eq!(run.stdout, records(0..200));
        assert_eq!(run.file("app.log.1"), records(0..100));
        let bytes = run.bytes("app.log");
        assert!(
            !bytes.contains(&0),
            "NUL bytes after truncation ({handler})"
        );
        assert_eq!(String::from_utf8_lossy(&bytes), records(100..200));
    }
    Ok(())
}

// ---------------------------------------------------------------- disk full

fn disk_full() -> Result<(), String> {
    if !Path::new("/dev/full").exists() {
        return Err("no /dev/full on this system".into());
    }
    for handler in [
        "    class: logging.FileHandler\n    filename: /dev/full",
        "    class: logging.FileHandler\n    filename: /dev/full\n    buffer: {capacity: 512}",
    ] {
        let yaml = two_handlers(handler);
        let run = child("log_records", &[("log.yaml", &yaml)], &[]);
        run.assert_success();
        assert_eq!(
            crate::reports(&run),
            1,
            "one report expected:\n{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("handler `file`: cannot write to /dev/full: No space left on device"),
            "{}",
            run.stderr
        );
        assert_eq!(
            run.stdout,
            records(0..200),
            "the other handler lost records"
        );
    }
    Ok(())
}

// ------------------------------------------------------------ stdout closed

/// Child: waits for a line on stdin (sent once the parent has closed the
/// read end of stdout), then logs 200 records.
fn child_stdout_closed() {
    let _guard = install();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .expect("read stdin");
    for i in 0..200 {
        tracing::info!("rec {i}");
    }
}

fn stdout_closed() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log");
    let tmp = temp_with(&[("log.yaml", &yaml)]);
    let mut cmd = child_command("stdout_closed", tmp.path());
    cmd.stdin(Stdio::piped());
    let mut spawned = cmd.spawn().expect("spawn child");
    // Close the only read end of the child's stdout, then let it log.
    drop(spawned.stdout.take());
    let mut stdin = spawned.stdin.take().expect("stdin");
    stdin.write_all(b"go\n").expect("write stdin");
    drop(stdin);
    let (_, stderr, status) = wait_output(spawned);
    assert!(status.success(), "child failed ({status}):\n{stderr}");
    assert_eq!(
        stderr.matches(REPORT).count(),
        1,
        "one report expected:\n{stderr}"
    );
    assert!(
        stderr.contains("handler `out`: cannot write to stdout: Broken pipe"),
        "{stderr}"
    );
    let file = std::fs::read_to_string(tmp.path().join("app.log")).expect("read app.log");
    assert_eq!(file, records(0..200), "the file handler lost records");
    Ok(())
}

fn stderr_closed() -> Result<(), String> {
    // A stderr handler whose reader is gone: the failure cannot even be
    // reported (reports go to stderr too); the child must still exit
    // normally and the file get every record.
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log")
        .replace("ext://sys.stdout", "ext://sys.stderr");
    let tmp = temp_with(&[("log.yaml", &yaml)]);
    let mut cmd = child_command("stdout_closed", tmp.path());
    cmd.stdin(Stdio::piped());
    let mut spawned = cmd.spawn().expect("spawn child");
    drop(spawned.stderr.take());
    let mut stdin = spawned.stdin.take().expect("stdin");
    stdin.write_all(b"go\n").expect("write stdin");
    drop(stdin);
    let (stdout, _, status) = wait_output(spawned);
    assert!(status.success(), "child failed ({status})");
    assert_eq!(stdout, "");
    let file = std::fs::read_to_string(tmp.path().join("app.log")).expect("read app.log");
    assert_eq!(file, records(0..200), "the file handler lost records");
    Ok(())
}

// ------------------------------------------------- stdout lock held by app

/// Set once the worker of `child_stdout_lock` has logged.
static WORKER_LOGGED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Child: (with `WORKER=1`) a worker thread logs in a loop to the stdout
/// handler while the main thread, holding `io::stdout().lock()` (as a CLI
/// printing results does), writes results and logs.
fn child_stdout_lock() {
    use std::sync::atomic::Ordering;
    let _guard = install();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let worker = std::env::var_os("WORKER")
        .is_some_and(|v| v == "1")
        .then(|| {
            let stop = std::sync::Arc::clone(&stop);
            let worker = std::thread::spawn(move || {
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    tracing::info!("worker {i}");
                    WORKER_LOGGED.store(true, Ordering::Relaxed);
                    i += 1;
                }
            });
            assert!(poll_until(Duration::from_secs(10), || WORKER_LOGGED
                .load(Ordering::Relaxed)));
            worker
        });
    {
        let mut out = std::io::stdout().lock();
        for i in 0..20_000 {
            writeln!(out, "result {i}").expect("write result");
            tracing::info!("main {i}");
        }
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(worker) = worker {
        worker.join().expect("worker panicked");
    }
}

/// An application thread that holds the stdout lock while it logs must not
/// deadlock with another thread logging to a stdout handler, nor with the
/// flush thread. It did: `StreamHandler::emit` took the handler's mutex and
/// then the stdout lock (`src/handler/stream.rs`) while the application
/// held the stdout lock and then wanted the handler's mutex. Fixed on main
/// by a87c02e (the standard stream's lock first).
fn stdout_lock_held() -> Result<(), String> {
    // Two threads logging; then one thread, the other lock taker being the
    // flusher thread of a buffered file handler (`StreamHandler::flush`
    // takes the same two locks in the same order).
    let two_threads = two_handlers("    class: logging.NullHandler");
    let flusher = two_handlers(
        "    class: logging.FileHandler\n    filename: app.log\n    buffer: {flushInterval: 0.01}",
    );
    for (what, yaml, worker) in [
        ("two threads", two_threads, "1"),
        ("one thread and the flusher", flusher, "0"),
    ] {
        let tmp = temp_with(&[("log.yaml", &yaml)]);
        let mut cmd = child_command("stdout_lock", tmp.path());
        cmd.env("WORKER", worker);
        let spawned = cmd.spawn().expect("spawn child");
        let (stdout, stderr, status) = crate::wait_output_within(spawned, Duration::from_secs(20));
        assert!(
            status.success(),
            "{what}: child failed ({status}):\n{stderr}"
        );
        let main: Vec<&str> = stdout.lines().filter(|l| l.starts_with("main ")).collect();
        let expected: Vec<String> = (0..20_000).map(|i| format!("main {i}")).collect();
        assert!(main == expected, "{what}: records of the main thread lost");
    }
    Ok(())
}

// --------------------------------------------------------- rollover blocked

fn rollover_blocked() -> Result<(), String> {
    // `rot.log.1` is a non-empty folder: removing the old backup fails
    // (EISDIR), so the rollover cannot happen; the handler reports it,
    // reopens the base and keeps every record there.
    let yaml = two_handlers(
        "    class: logging.handlers.RotatingFileHandler
    filename: rot.log
    maxBytes: 200
    backupCount: 1",
    );
    let tmp = temp_with(&[("log.yaml", &yaml), ("rot.log.1/keep", "x")]);
    let cmd = child_command("log_records", tmp.path());
    let run = crate::run_in(cmd, tmp);
    run.assert_success();
    assert_eq!(
        crate::reports(&run),
        1,
        "one report expected:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("handler `file`: cannot remove") && run.stderr.contains("rot.log.1"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, records(0..200));
    assert_eq!(run.file("rot.log"), records(0..200), "records lost");
    Ok(())
}

// ------------------------------------------------- thread-local destructor

struct LogsOnDrop;

impl Drop for LogsOnDrop {
    fn drop(&mut self) {
        tracing::info!("from a thread-local destructor");
    }
}

thread_local! {
    static LOGS_ON_DROP: LogsOnDrop = const { LogsOnDrop };
}

/// Child: a thread logs, then logs again from a thread-local destructor
/// as it exits (logconf's own thread-locals may be gone by then).
fn child_tls_destructor() {
    let _guard = install();
    std::thread::spawn(|| {
        LOGS_ON_DROP.with(|_| ());
        tracing::info!("from the thread");
    })
    .join()
    .expect("the thread panicked");
    tracing::info!("after the thread");
}

fn log_from_tls_destructor() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log");
    let run = child("tls_destructor", &[("log.yaml", &yaml)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "");
    let expected = "from the thread\nfrom a thread-local destructor\nafter the thread\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.file("app.log"), expected);
    Ok(())
}

// ------------------------------------------------------ reentrant events

/// A value whose `Display` logs: formatting one event emits another.
struct Noisy;

impl std::fmt::Display for Noisy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        tracing::warn!("inner event");
        f.write_str("noisy-value")
    }
}

/// Child: an event whose field logs while being recorded.
fn child_reentrant() {
    let _guard = install();
    tracing::info!(value = %Noisy, "outer event");
    tracing::info!("after");
}

fn reentrant_event() -> Result<(), String> {
    let yaml = two_handlers("    class: logging.FileHandler\n    filename: app.log");
    let run = child("reentrant", &[("log.yaml", &yaml)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "");
    // The field's value is rendered once, while the outer event is
    // recorded: the inner event is written first, both whole.
    let expected = "inner event\nouter event value=noisy-value\nafter\n";
    assert_eq!(run.stdout, expected);
    assert_eq!(run.file("app.log"), expected);
    Ok(())
}
