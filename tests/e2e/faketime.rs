//! Time-based rotation under libfaketime, which moves the clock a process
//! reads through libc: the rollover must follow the faked clock (the
//! handler's cheap coarse reading and its exact one must agree), and the
//! backup is named by it. Needs libfaketime (`apt-get install -y
//! faketime`, which `.ci/run` does); without it the case is skipped with a
//! notice, or fails when `CI` is set.

use std::path::PathBuf;

use crate::child;

type Test = fn();

pub const TESTS: &[(&str, Test)] = &[(
    "timed_rotation_follows_a_faked_clock",
    timed_rotation_follows_a_faked_clock,
)];

pub fn run_child(name: &str) -> Option<Result<(), String>> {
    match name {
        "faked_clock" => Some(child_faked_clock()),
        _ => None,
    }
}

/// The preloadable libfaketime, where Debian, Fedora and a source install
/// put it.
fn libfaketime() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("faketime"))
        .collect();
    dirs.extend(
        [
            "/usr/lib/faketime",
            "/usr/lib64/faketime",
            "/usr/local/lib/faketime",
        ]
        .map(PathBuf::from),
    );
    dirs.into_iter()
        .map(|dir| dir.join("libfaketime.so.1"))
        .find(|lib| lib.exists())
}

const CONFIG: &str = "version: 1
formatters: {f: {format: '%(message)s'}}
handlers:
  file:
    class: logging.handlers.TimedRotatingFileHandler
    formatter: f
    filename: app.log
    when: S
    utc: true
root: {level: INFO, handlers: [file]}
";

fn child_faked_clock() -> Result<(), String> {
    let _guard = logconf::init_from_path("config.yaml").map_err(|e| e.to_string())?;
    tracing::info!(target: "app", "one");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    tracing::info!(target: "app", "two");
    Ok(())
}

fn timed_rotation_follows_a_faked_clock() {
    let Some(lib) = libfaketime() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "libfaketime is not installed but CI is set: run `apt-get install -y faketime` \
             (.ci/run does)"
        );
        eprintln!("NOTICE: skipped: libfaketime is not installed (apt-get install -y faketime)");
        return;
    };
    let preload = lib.display().to_string();
    let run = child(
        "faked_clock",
        &[("config.yaml", CONFIG)],
        &[
            ("LD_PRELOAD", preload.as_str()),
            // Years ahead of the real clock, and running.
            ("FAKETIME", "@2031-06-15 12:00:00"),
            ("FAKETIME_NO_CACHE", "1"),
        ],
    );
    run.assert_success();
    assert_eq!(run.file("app.log"), "two\n", "{}", run.stderr);
    let mut backups: Vec<String> = std::fs::read_dir(&run.dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("app.log."))
        .collect();
    backups.sort();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert!(
        backups[0].starts_with("app.log.2031-06-15_12-00-0"),
        "named by the faked clock: {backups:?}"
    );
    assert_eq!(run.file(&backups[0]), "one\n");
    assert_eq!(run.stderr, "");
}
