//! Reloads in process: what is kept, what is swapped, what a failure
//! leaves. Each test writes its config and logs in its own temp dir, and
//! logs through a scoped subscriber (`with_default`), never a global one.
//! The interest cache and the threads are tested in child processes
//! (`tests/reload`).

use std::path::Path;
use std::sync::Arc;

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

use super::{Live, Origin, read};
use crate::error::Error;
use crate::handler::report::Captured;
use crate::subscriber::{LogconfLayer, Runtime};

/// A config followed from its file, logging through a scoped subscriber.
struct Followed {
    live: Arc<Live>,
    runtime: Arc<Runtime>,
    errors: Captured,
}

impl Followed {
    fn new(path: &Path) -> Followed {
        let read =
            read(path, Error::io("read logging config", path)).unwrap_or_else(|e| panic!("{e}"));
        let model = read.load().unwrap_or_else(|e| panic!("{e}"));
        let shared =
            crate::api::build_shared(&model, None, None, false).unwrap_or_else(|e| panic!("{e}"));
        let runtime = Arc::new(Runtime::new(shared));
        let errors = Captured::default();
        let origin = Origin {
            source: read.source,
            rust_log: None,
        };
        let live = Live::with_errors(
            Arc::clone(&runtime),
            &origin,
            None,
            &model.live,
            Arc::new(errors.clone()),
        );
        Followed {
            live,
            runtime,
            errors,
        }
    }

    /// Logs `message` at WARNING from target `app`.
    fn warn(&self, message: &str) {
        let layer = LogconfLayer::new(Arc::clone(&self.runtime));
        let filter = layer.filter();
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(filter));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(target: "app", "{message}");
        });
    }

    /// The address of the current config, to tell whether a swap happened.
    fn current(&self) -> *const crate::subscriber::Shared {
        Arc::as_ptr(&self.runtime.current())
    }
}

fn config(dir: &Path, file: &str, format: &str, extra: &str) -> String {
    format!(
        "version: 1\n{extra}formatters:\n  f: {{format: '{format} %(message)s'}}\nhandlers:\n  keep: {{class: logging.FileHandler, filename: '{keep}', mode: w}}\n  out: {{class: logging.FileHandler, filename: '{out}', formatter: f}}\nroot: {{level: DEBUG, handlers: [keep, out]}}\n",
        keep = dir.join("keep.log").display(),
        out = dir.join(file).display(),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn reload_swaps_and_keeps_unchanged_handlers_open() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    write(&cfg, &config(dir.path(), "a.log", "A", ""));
    let f = Followed::new(&cfg);
    f.warn("one");
    let keep_before = Arc::as_ptr(&f.runtime.current().slots()[0].handler);
    write(&cfg, &config(dir.path(), "b.log", "B", ""));
    assert!(f.live.reload().is_ok(), "{}", f.errors.text());
    f.warn("two");
    // `keep` has the same settings: the same handler, its `mode: w` file
    // not truncated by a second open.
    assert!(std::ptr::addr_eq(
        keep_before,
        Arc::as_ptr(&f.runtime.current().slots()[0].handler)
    ));
    assert_eq!(text(&dir.path().join("keep.log")), "one\ntwo\n");
    assert_eq!(text(&dir.path().join("a.log")), "A one\n");
    assert_eq!(text(&dir.path().join("b.log")), "B two\n");
    assert_eq!(f.errors.text(), "");
}

#[test]
fn a_bad_config_changes_nothing_and_is_reported_once() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    write(&cfg, &config(dir.path(), "a.log", "A", ""));
    let f = Followed::new(&cfg);
    let before = f.current();
    write(
        &cfg,
        &config(dir.path(), "b.log", "B", "").replace("level: DEBUG", "level: LOUD"),
    );
    let err = f.live.reload().err().unwrap_or_else(|| panic!("reloaded"));
    assert!(err.is_config());
    let p = &err.problems()[0];
    assert_eq!(
        (p.line(), p.column(), p.key_path()),
        (Some(7), Some(15), "root.level")
    );
    assert_eq!(f.current(), before);
    f.warn("still here");
    assert_eq!(text(&dir.path().join("a.log")), "A still here\n");
    assert!(!dir.path().join("b.log").exists());
    let reports = f.errors.text();
    assert_eq!(
        reports.matches("--- Logging error ---").count(),
        1,
        "{reports}"
    );
    assert!(
        reports.contains(&format!(
            "logconf: cannot reload the logging config; the running config is kept: invalid logging config {}: 1 problem\n  {}:7:15: root.level: unknown level `LOUD`",
            cfg.display(),
            cfg.display()
        )),
        "{reports}"
    );
    // The watch does not try the same bad version again.
    f.live.poll();
    assert_eq!(f.errors.text().matches("--- Logging error ---").count(), 1);
}

#[test]
fn an_output_that_cannot_open_changes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    write(&cfg, &config(dir.path(), "a.log", "A", ""));
    let f = Followed::new(&cfg);
    let before = f.current();
    // A folder under a regular file cannot be created.
    write(&cfg, &config(dir.path(), "logging.yaml/sub/b.log", "B", ""));
    let err = f.live.reload().err().unwrap_or_else(|| panic!("reloaded"));
    assert!(err.is_io(), "{err}");
    assert_eq!(err.problems()[0].key_path(), "handlers.out");
    assert_eq!(f.current(), before);
    f.warn("kept");
    assert_eq!(text(&dir.path().join("a.log")), "A kept\n");
    assert_eq!(text(&dir.path().join("keep.log")), "kept\n");
}

#[test]
fn the_watch_reloads_on_change_only() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    let a = config(dir.path(), "a.log", "A", "");
    write(&cfg, &a);
    let f = Followed::new(&cfg);
    let first = f.current();
    f.live.poll();
    assert_eq!(f.current(), first, "nothing changed");
    // Written again with the same bytes: the stamp changes, the hash not.
    std::fs::remove_file(&cfg).unwrap_or_else(|e| panic!("{e}"));
    write(&cfg, &a);
    f.live.poll();
    assert_eq!(f.current(), first, "same content");
    // Saved by rename, as editors do.
    let tmp = dir.path().join(".logging.yaml.swp");
    write(&tmp, &config(dir.path(), "b.log", "B", ""));
    std::fs::rename(&tmp, &cfg).unwrap_or_else(|e| panic!("{e}"));
    f.live.poll();
    assert_ne!(f.current(), first, "saved by rename");
    f.warn("after");
    assert_eq!(text(&dir.path().join("b.log")), "B after\n");
}

#[cfg(unix)]
#[test]
fn the_watch_follows_a_configmap_symlink_swap() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    // Kubernetes' layout: file -> ..data/file, ..data -> ..<version>.
    for (version, out) in [("..v1", "a.log"), ("..v2", "b.log")] {
        std::fs::create_dir(d.join(version)).unwrap_or_else(|e| panic!("{e}"));
        write(
            &d.join(version).join("logging.yaml"),
            &config(d, out, "X", ""),
        );
    }
    symlink("..v1", d.join("..data")).unwrap_or_else(|e| panic!("{e}"));
    symlink("..data/logging.yaml", d.join("logging.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let f = Followed::new(&d.join("logging.yaml"));
    f.warn("one");
    symlink("..v2", d.join("..data_tmp")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(d.join("..data_tmp"), d.join("..data")).unwrap_or_else(|e| panic!("{e}"));
    f.live.poll();
    f.warn("two");
    assert_eq!(text(&d.join("a.log")), "X one\n");
    assert_eq!(text(&d.join("b.log")), "X two\n");
}

#[test]
fn rust_log_levels_apply_to_every_version() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    write(&cfg, &config(dir.path(), "a.log", "A", ""));
    let loaded = crate::Config::from_path(&cfg)
        .and_then(|c| c.with_rust_log("app=error"))
        .unwrap_or_else(|e| panic!("{e}"));
    let logging = loaded.build().unwrap_or_else(|e| panic!("{e}"));
    assert!(logging.explain("app").to_string().contains("level ERROR"));
    // A version that opts out: the file's levels only.
    let opted_out = config(dir.path(), "a.log", "A", "logconf: {rust_log: false}\n");
    write(&cfg, &opted_out);
    assert!(logging.reload().is_ok());
    let text = logging.explain("app").to_string();
    assert!(
        !text.contains("RUST_LOG") && text.contains("effective level: DEBUG"),
        "{text}"
    );
    // And back: applied again.
    write(&cfg, &config_text_b(dir.path()));
    assert!(logging.reload().is_ok());
    let text = logging.explain("app").to_string();
    assert!(
        text.contains("logger `app` (RUST_LOG `app=error`): level ERROR"),
        "{text}"
    );
    assert!(text.contains("`b`"), "{text}");
}

fn config_text_b(dir: &Path) -> String {
    format!(
        "version: 1\nformatters:\n  b: {{format: '%(message)s'}}\nhandlers:\n  out: {{class: logging.FileHandler, filename: '{}', formatter: b}}\nroot: {{level: DEBUG, handlers: [out]}}\n",
        dir.join("b.log").display()
    )
}

#[test]
fn a_config_without_a_file_cannot_reload() {
    let logging = crate::Config::from_yaml_str("version: 1\n")
        .and_then(|c| c.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let err = logging.reload().err().unwrap_or_else(|| panic!("reloaded"));
    assert_eq!(
        err.to_string(),
        "this logging config was not read from a file, so there is nothing to reload"
    );
    assert!(!err.is_config() && !err.is_io() && !err.is_install());
}

#[test]
fn an_unreadable_file_is_reported_once_by_the_watch() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let cfg = dir.path().join("logging.yaml");
    write(&cfg, &config(dir.path(), "a.log", "A", ""));
    let f = Followed::new(&cfg);
    let first = f.current();
    // A folder where the file was: `stat` works, reading does not (also as root).
    std::fs::remove_file(&cfg).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(&cfg).unwrap_or_else(|e| panic!("{e}"));
    f.live.poll();
    f.live.poll();
    let reports = f.errors.text();
    assert_eq!(
        reports.matches("--- Logging error ---").count(),
        1,
        "{reports}"
    );
    assert!(
        reports.contains(&format!("read logging config {}", cfg.display())),
        "{reports}"
    );
    assert_eq!(f.current(), first);
    f.warn("still");
    assert_eq!(text(&dir.path().join("a.log")), "A still\n");
    // Readable again, with another config: reloaded.
    std::fs::remove_dir(&cfg).unwrap_or_else(|e| panic!("{e}"));
    write(&cfg, &config(dir.path(), "b.log", "B", ""));
    f.live.poll();
    assert_ne!(f.current(), first);
    assert_eq!(f.errors.text().matches("--- Logging error ---").count(), 1);
}

#[test]
fn a_kept_rotating_handler_rolls_over_as_one_handler() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    let cfg = d.join("logging.yaml");
    let version = |level: &str| {
        format!(
            "version: 1\nhandlers:\n  r: {{class: logging.handlers.RotatingFileHandler, filename: '{}', maxBytes: 13, backupCount: 5}}\nroot: {{level: {level}, handlers: [r]}}\n",
            d.join("r.log").display()
        )
    };
    write(&cfg, &version("DEBUG"));
    let f = Followed::new(&cfg);
    // Each record is 6 bytes ("rec N\n"): two per file.
    for i in 0..3 {
        f.warn(&format!("rec {i}"));
    }
    let before = Arc::as_ptr(&f.runtime.current().slots()[0].handler);
    write(&cfg, &version("INFO"));
    assert!(f.live.reload().is_ok(), "{}", f.errors.text());
    let after = Arc::as_ptr(&f.runtime.current().slots()[0].handler);
    assert!(std::ptr::addr_eq(before, after), "the handler was rebuilt");
    for i in 3..6 {
        f.warn(&format!("rec {i}"));
    }
    // The same rollovers as one handler's: no file reopened at its start,
    // no rollover lost or doubled.
    assert_eq!(text(&d.join("r.log")), "rec 4\nrec 5\n");
    assert_eq!(text(&d.join("r.log.1")), "rec 2\nrec 3\n");
    assert_eq!(text(&d.join("r.log.2")), "rec 0\nrec 1\n");
    assert!(!d.join("r.log.3").exists());
}
