//! MemoryHandler and QueueHandler through the public API: records from
//! many threads, the guard's shutdown, a panic.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::fs;
use std::path::Path;
use std::process::Command;

/// A config writing `%(message)s` lines to `file` through `handler` (the
/// YAML of one more handler, named `via`, that passes records on to `file`).
fn config(dir: &Path, handler: &str) -> logconf::Logging {
    let path = dir.join("out.log");
    let text = format!(
        "version: 1\n\
         handlers:\n  \
           file: {{class: logging.FileHandler, filename: {path:?}}}\n  \
           via: {handler}\n\
         root: {{level: DEBUG, handlers: [via]}}\n"
    );
    logconf::Config::from_yaml_str(&text)
        .unwrap_or_else(|e| panic!("{e}"))
        .build()
        .unwrap()
}

fn lines(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("out.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn queued_records_from_eight_threads_are_all_written_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let logging = config(
        dir.path(),
        "{class: logging.handlers.QueueHandler, handlers: [file], queue: {\"()\": queue.Queue, maxsize: 64}}",
    );
    let guard = logging.guard();
    tracing::subscriber::with_default(logging.subscriber(), || {
        std::thread::scope(|s| {
            for t in 0..8 {
                let dispatch = tracing::dispatcher::get_default(Clone::clone);
                s.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for i in 0..500 {
                            tracing::info!("{t} {i}");
                        }
                    });
                });
            }
        });
    });
    drop(guard);
    let lines = lines(dir.path());
    assert_eq!(lines.len(), 4000);
    for t in 0..8 {
        let mine: Vec<usize> = lines
            .iter()
            .filter_map(|l| l.strip_prefix(&format!("{t} ")))
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(mine, (0..500).collect::<Vec<_>>(), "thread {t}");
    }
}

#[test]
fn flush_returns_once_every_queued_record_is_in_the_file() {
    // The listener hands the file handler every record already queued
    // before the handler writes them in one go; `flush` must still return
    // only once they are all in the file, the guard still alive.
    let dir = tempfile::tempdir().unwrap();
    let logging = config(
        dir.path(),
        "{class: logging.handlers.QueueHandler, handlers: [file]}",
    );
    for round in 0..5 {
        tracing::subscriber::with_default(logging.subscriber(), || {
            for i in 0..4000 {
                tracing::info!("{round} {i}");
            }
        });
        logging.flush();
        let lines = lines(dir.path());
        assert_eq!(lines.len(), 4000 * (round + 1), "after round {round}");
        let expected: Vec<String> = (0..=round)
            .flat_map(|r| (0..4000).map(move |i| format!("{r} {i}")))
            .collect();
        assert_eq!(lines, expected);
    }
}

#[test]
fn a_queue_in_front_of_a_rotating_file_rolls_over_at_the_same_records() {
    // Records held by the file handler for one write still count where they
    // will land: the backups are the same bytes as without the queue.
    let rotating = |dir: &Path| {
        format!(
            "{{class: logging.handlers.RotatingFileHandler, filename: {:?}, maxBytes: 700, backupCount: 50}}",
            dir.join("app.log")
        )
    };
    let run = |dir: &Path, queued: bool| {
        let handlers = if queued {
            format!(
                "  file: {}
  via: {{class: logging.handlers.QueueHandler, handlers: [file]}}
",
                rotating(dir)
            )
        } else {
            format!(
                "  via: {}
",
                rotating(dir)
            )
        };
        let text = format!(
            "version: 1
handlers:
{handlers}root: {{level: DEBUG, handlers: [via]}}
"
        );
        let logging = logconf::Config::from_yaml_str(&text)
            .unwrap_or_else(|e| panic!("{e}"))
            .build()
            .unwrap();
        let guard = logging.guard();
        tracing::subscriber::with_default(logging.subscriber(), || {
            for i in 0..400 {
                tracing::info!("record {i} {}", "x".repeat(i % 37));
            }
        });
        drop(guard);
    };
    let direct = tempfile::tempdir().unwrap();
    let queued = tempfile::tempdir().unwrap();
    run(direct.path(), false);
    run(queued.path(), true);
    let files = |dir: &Path| {
        let mut names: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        names.sort();
        names
    };
    let want = files(direct.path());
    assert!(want.len() > 10, "{} files", want.len());
    assert_eq!(files(queued.path()), want);
}

#[test]
fn the_guard_passes_held_records_on_with_flush_on_close() {
    for (flush_on_close, want) in [("true", vec!["held"]), ("false", vec![])] {
        let dir = tempfile::tempdir().unwrap();
        let logging = config(
            dir.path(),
            &format!(
                "{{class: logging.handlers.MemoryHandler, capacity: 10, target: file, flushOnClose: {flush_on_close}}}"
            ),
        );
        let guard = logging.guard();
        tracing::subscriber::with_default(logging.subscriber(), || tracing::info!("held"));
        logging.flush();
        assert!(lines(dir.path()).is_empty(), "flushing releases nothing");
        drop(guard);
        assert_eq!(lines(dir.path()), want, "flushOnClose: {flush_on_close}");
    }
}

/// Names the case the child process runs.
const CHILD: &str = "LOGCONF_FORWARDING_CHILD";

#[test]
fn a_panic_writes_out_the_queue() {
    if let Ok(dir) = std::env::var(CHILD) {
        // The child: the guard is never dropped and the process exits as
        // soon as the panic is reported, so only logconf's panic hook
        // (which runs before this one) can write the queue out.
        std::panic::set_hook(Box::new(|info| {
            eprintln!("{info}");
            std::process::exit(101);
        }));
        let logging = config(
            Path::new(&dir),
            "{class: logging.handlers.QueueHandler, handlers: [file]}",
        );
        let guard = logging.install().unwrap();
        std::mem::forget(guard);
        for i in 0..2000 {
            tracing::info!("{i}");
        }
        panic!("the child panics");
    }
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_panic_writes_out_the_queue", "--nocapture"])
        .env(CHILD, dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success(), "the child panicked");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the child panics"), "{stderr}");
    let want: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    assert_eq!(lines(dir.path()), want);
}

#[test]
fn chains_load_in_any_order_of_names() {
    // CPython configures handlers in name order and defers a handler whose
    // target is not configured yet only once, so it refuses this chain
    // (`a` -> `b` -> `c`); logconf builds `c`, then `b`, then `a`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.log");
    let text = format!(
        "version: 1\n\
         handlers:\n  \
           a: {{class: logging.handlers.MemoryHandler, capacity: 2, target: b}}\n  \
           b: {{class: logging.handlers.MemoryHandler, capacity: 3, target: c}}\n  \
           c: {{class: logging.FileHandler, filename: {path:?}}}\n\
         root: {{level: DEBUG, handlers: [a]}}\n"
    );
    let logging = logconf::Config::from_yaml_str(&text)
        .unwrap()
        .build()
        .unwrap();
    tracing::subscriber::with_default(logging.subscriber(), || {
        for i in 0..5 {
            tracing::info!("{i}");
        }
        // `a` passed 0..3 on to `b`, which passed 0..2 on to `c`.
        assert_eq!(lines(dir.path()), ["0", "1", "2"]);
    });
    drop(logging);
    assert_eq!(lines(dir.path()), ["0", "1", "2", "3", "4"]);
}

#[test]
fn explain_names_the_handlers_records_are_passed_on_to() {
    let text = "version: 1\n\
        handlers:\n  \
          out: {class: logging.StreamHandler}\n  \
          mem: {class: logging.handlers.MemoryHandler, capacity: 5, target: out}\n  \
          queued: {class: logging.handlers.QueueHandler, handlers: [mem, out]}\n\
        root: {level: INFO, handlers: [queued]}\n";
    let explained = logconf::Config::from_yaml_str(text)
        .unwrap()
        .explain("app")
        .to_string();
    assert!(
        explained.contains(
            "  -> handler `queued` (level NOTSET, formatter the default `%(message)s`)\n     \
             which passes records on to [mem, out]\n"
        ),
        "{explained}"
    );
}

#[test]
fn the_readme_examples_load() {
    let readme = fs::read_to_string("README.md").unwrap();
    let mut found = 0;
    for block in readme.split("```yaml\n").skip(1) {
        let block = block.split("```").next().unwrap();
        if !block.contains("MemoryHandler") && !block.contains("QueueHandler") {
            continue;
        }
        found += 1;
        let text = format!(
            "version: 1\nformatters:\n  plain: {{format: \"%(message)s\"}}\n{}",
            block.replace("app.log", "/dev/null")
        );
        logconf::Config::from_yaml_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
    assert_eq!(found, 2);
}
