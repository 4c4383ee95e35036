//! `compress: gzip` under a crash: a child process rolls a large file over
//! and is killed (SIGKILL) while its worker compresses it. Whenever the
//! kill lands, the backup is the plain file or a complete `.gz` holding
//! every byte, never a truncated `.gz`; the next start removes the
//! temporary file a crash left. Without a kill the `.gz` is complete and
//! the plain file gone when the config is dropped.

#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::fs;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

/// Names the directory the child works in.
const CHILD_ENV: &str = "LOGCONF_COMPRESS_KILL_DIR";
/// 2024-01-01T00:00:00Z.
const START: u64 = 1_704_067_200;
/// The backup's name: the second the file was started in.
const BACKUP: &str = "app.log.2024-01-01_00-00-00";

const CONFIG: &str = "version: 1
formatters:
  f: {format: '%(message)s'}
handlers:
  t: {class: logging.handlers.TimedRotatingFileHandler, formatter: f, filename: app.log, when: S, compress: gzip, utc: true}
root: {level: INFO, handlers: [t]}
";

/// Text that compresses slowly enough to be caught mid-way: 3 MB of
/// pseudo-random lines.
fn big_text() -> Vec<u8> {
    let mut out = Vec::with_capacity(3 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < 3 << 20 {
        for _ in 0..12 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(format!("{:016x} ", x).as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// The child: build in `dir` on a fake clock, log, move the clock on,
/// log again (the rollover), say so, then drop the config (which waits
/// for the compression).
#[test]
fn child_rolls_over_and_compresses() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    std::env::set_current_dir(&dir).unwrap();
    let clock = logconf::testing::ManualClock::new(UNIX_EPOCH + Duration::from_secs(START));
    let built = logconf::Config::from_yaml_str(CONFIG)
        .unwrap()
        .build_with_clock(&clock)
        .unwrap();
    tracing::subscriber::with_default(built.subscriber(), || {
        tracing::info!("{}", "last line of the first second");
        clock.advance(Duration::from_secs(2));
        tracing::info!("{}", "first line after the rollover");
    });
    println!("rolled");
    built.flush();
    drop(built);
    println!("done");
}

/// Starts the child in `dir` on a prepared `app.log`.
fn start_child(dir: &Path, text: &[u8]) -> Child {
    let path = dir.join("app.log");
    fs::write(&path, text).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(START))
        .unwrap();
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_rolls_over_and_compresses",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Reads the child's stdout until `line` (or the end); whether it came.
fn wait_for(child: &mut Child, line: &str) -> bool {
    let Some(stdout) = child.stdout.as_mut() else {
        return false;
    };
    let mut reader = BufReader::new(stdout);
    let mut buf = String::new();
    while reader.read_line(&mut buf).unwrap_or(0) > 0 {
        // libtest may print its own "test NAME ... " before the line.
        if buf.trim_end().ends_with(line) {
            return true;
        }
        buf.clear();
    }
    false
}

/// The backup in `dir` is the plain file or a complete `.gz` of `want`.
/// Returns which ("plain", "gz", or "both" if the kill fell between the
/// rename of the `.gz` and the removal of the plain file).
fn check_backup(dir: &Path, want: &[u8]) -> &'static str {
    let plain = dir.join(BACKUP);
    let gz = dir.join(format!("{BACKUP}.gz"));
    let gz_ok = gz.exists().then(|| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap())
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{} is a truncated gzip: {e}", gz.display()));
        assert!(out == want, "{} does not hold every byte", gz.display());
    });
    let plain_ok = plain.exists().then(|| {
        assert!(
            fs::read(&plain).unwrap() == want,
            "the plain backup lost bytes"
        );
    });
    match (plain_ok, gz_ok) {
        (Some(()), None) => "plain",
        (None, Some(())) => "gz",
        (Some(()), Some(())) => "both",
        (None, None) => panic!("no backup in {}", dir.display()),
    }
}

#[test]
fn a_kill_during_compression_leaves_plain_or_complete_gz() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let text = big_text();
    let mut want = text.clone();
    want.extend_from_slice(b"last line of the first second\n");

    // Not killed: the .gz is complete and the plain file gone.
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_child(dir.path(), &text);
    assert!(wait_for(&mut child, "done"));
    assert!(child.wait().unwrap().success());
    assert_eq!(check_backup(dir.path(), &want), "gz");
    assert_eq!(
        fs::read(dir.path().join("app.log")).unwrap(),
        b"first line after the rollover\n"
    );

    // Killed after various delays into the compression.
    let mut seen = Vec::new();
    for delay_ms in [0u64, 20, 100, 300, 600, 1200, 2500] {
        let dir = tempfile::tempdir().unwrap();
        let mut child = start_child(dir.path(), &text);
        assert!(
            wait_for(&mut child, "rolled"),
            "the child did not roll over"
        );
        let until = Instant::now() + Duration::from_millis(delay_ms);
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        seen.push(check_backup(dir.path(), &want));
        // A restart removes a temporary file the crash left.
        let restarted = logconf::Config::from_yaml_str(CONFIG).unwrap();
        let here = std::env::current_dir().unwrap();
        std::env::set_current_dir(dir.path()).unwrap();
        let built = restarted.build();
        std::env::set_current_dir(here).unwrap();
        drop(built.unwrap());
        assert!(!dir.path().join(format!("{BACKUP}.gz.tmp")).exists());
    }
    println!("backups after the kills: {seen:?}");
    // At least one kill landed while the compression was running.
    assert!(seen.contains(&"plain"), "no kill landed mid-way: {seen:?}");
}

#[test]
fn dropping_the_guard_waits_for_pending_compressions() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    fs::write(&path, big_text()).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(UNIX_EPOCH + Duration::from_secs(START))
        .unwrap();
    let config = CONFIG.replace(
        "filename: app.log",
        &format!("filename: '{}'", path.display()),
    );
    let clock = logconf::testing::ManualClock::new(UNIX_EPOCH + Duration::from_secs(START));
    let built = logconf::Config::from_yaml_str(&config)
        .unwrap()
        .build_with_clock(&clock)
        .unwrap();
    let guard = built.guard();
    tracing::subscriber::with_default(built.subscriber(), || {
        tracing::info!("{}", "before");
        clock.advance(Duration::from_secs(2));
        tracing::info!("{}", "after");
    });
    // The config stays alive: only the guard's drop waits here.
    drop(guard);
    assert!(dir.path().join(format!("{BACKUP}.gz")).exists());
    assert!(!dir.path().join(BACKUP).exists());
    drop(built);
}
