//! What the benches share: the events, and the same workloads configured
//! for logconf, for a hand-written `tracing-subscriber` setup and for log4rs.
//! Each bench uses only some of it.
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tracing::Dispatch;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;

/// The targets a hand-written setup quiets to WARN (`Targets` has no
/// globs, so the SDK crates are listed one by one).
pub(crate) const QUIETED: &[&str] = &[
    "aws_config",
    "aws_sdk_ec2",
    "aws_sdk_sts",
    "aws_smithy_runtime",
    "aws_smithy_http",
    "hyper",
    "h2",
    "rustls",
];

/// Size at which the rotating files roll over: large, so rotation is rare.
pub(crate) const MAX_BYTES: u64 = 256 * 1024 * 1024;

// ---------------------------------------------------------------- events

#[inline(never)]
pub(crate) fn app_info(i: u64) {
    tracing::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
pub(crate) fn sdk_debug(i: u64) {
    tracing::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
pub(crate) fn log_app_info(i: u64) {
    log::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
pub(crate) fn log_sdk_debug(i: u64) {
    log::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

// ---------------------------------------------------------------- logconf

/// A YAML path value (quoted, so any temp dir name is safe).
pub(crate) fn yaml_path(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// Root at DEBUG writing to one rotating file: `bench_app` INFO is written,
/// `aws_sdk_ec2` DEBUG is dropped by the quiet preset.
pub(crate) fn logconf_rotating(dir: &Path) -> logconf::Logging {
    rotating_yaml(&dir.join("logconf.log"), "")
}

/// As [`logconf_rotating`], with logconf's opt-in `buffer:` (64 KiB).
pub(crate) fn logconf_rotating_buffered(dir: &Path) -> logconf::Logging {
    rotating_yaml(
        &dir.join("logconf_buffered.log"),
        "\n    buffer: {capacity: 65536}",
    )
}

/// The rotating-file config writing `file`, with `extra` handler keys.
fn rotating_yaml(file: &Path, extra: &str) -> logconf::Logging {
    logconf_file_class(
        file,
        "logging.handlers.RotatingFileHandler",
        &format!("    maxBytes: {MAX_BYTES}\n    backupCount: 1{extra}\n"),
    )
}

/// One file handler of `class` (with `keys`, each line `    key: value`)
/// writing `file`, the format and root of [`logconf_rotating`].
pub(crate) fn logconf_file_class(file: &Path, class: &str, keys: &str) -> logconf::Logging {
    let yaml = format!(
        "version: 1
formatters:
  plain:
    format: '%(levelname)s %(name)s %(message)s'
handlers:
  file:
    class: {class}
    formatter: plain
    filename: {}
{keys}root:
  level: DEBUG
  handlers: [file]
",
        yaml_path(file)
    );
    build(&yaml)
}

/// Three file handlers, two formatters (`a` shared by two handlers).
pub(crate) fn logconf_fanout(dir: &Path) -> logconf::Logging {
    let yaml = format!(
        "version: 1
formatters:
  a:
    format: '%(levelname)s %(name)s %(message)s'
  b:
    format: '%(levelname)s:%(message)s'
handlers:
  one: {{class: logging.FileHandler, formatter: a, filename: {}}}
  two: {{class: logging.FileHandler, formatter: a, filename: {}}}
  three: {{class: logging.FileHandler, formatter: b, filename: {}}}
root:
  level: DEBUG
  handlers: [one, two, three]
",
        yaml_path(&dir.join("logconf_one.log")),
        yaml_path(&dir.join("logconf_two.log")),
        yaml_path(&dir.join("logconf_three.log")),
    );
    build(&yaml)
}

/// `handlers` null handlers using `formatters` distinct formatters
/// round-robin (each formatter a different format string of the same
/// length).
pub(crate) fn logconf_null(handlers: usize, formatters: usize) -> logconf::Logging {
    let mut yaml = String::from("version: 1\nformatters:\n");
    for f in 0..formatters {
        yaml.push_str(&format!(
            "  f{f}: {{format: '%(levelname)s %(name)s %(message)s #{f}'}}\n"
        ));
    }
    yaml.push_str("handlers:\n");
    let names: Vec<String> = (0..handlers).map(|h| format!("h{h}")).collect();
    for (h, name) in names.iter().enumerate() {
        yaml.push_str(&format!(
            "  {name}: {{class: logging.NullHandler, formatter: f{}}}\n",
            h % formatters
        ));
    }
    yaml.push_str(&format!(
        "root:\n  level: DEBUG\n  handlers: [{}]\n",
        names.join(", ")
    ));
    build(&yaml)
}

pub(crate) fn build(yaml: &str) -> logconf::Logging {
    logconf::Config::from_yaml_str(yaml)
        .expect("the bench config loads")
        .build()
        .expect("the bench config builds")
}

// ---------------------------------------------------------------- tracing-subscriber

pub(crate) fn targets() -> Targets {
    QUIETED.iter().fold(
        Targets::new().with_default(LevelFilter::DEBUG),
        |t, name| t.with_target(*name, LevelFilter::WARN),
    )
}

pub(crate) fn append(path: &Path) -> Arc<File> {
    Arc::new(
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("the bench log file opens"),
    )
}

/// One fmt layer (no time, no ANSI) with its `Targets`, on an unbuffered
/// file: one `write` per record, like logconf's handlers.
pub(crate) fn ts_file(dir: &Path) -> Dispatch {
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("ts.log")))
        .with_filter(targets());
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

/// Three fmt layers, each with its own `Targets`; the third without the
/// target (the second format).
pub(crate) fn ts_fanout(dir: &Path) -> Dispatch {
    let one = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("ts_one.log")))
        .with_filter(targets());
    let two = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("ts_two.log")))
        .with_filter(targets());
    let three = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_target(false)
        .with_writer(append(&dir.join("ts_three.log")))
        .with_filter(targets());
    Dispatch::new(
        tracing_subscriber::registry()
            .with(one)
            .with(two)
            .with(three),
    )
}

// ---------------------------------------------------------------- log4rs

/// The process-wide `log` logger is log4rs; each bench swaps its config in.
pub(crate) fn log4rs_use(config: log4rs::Config) {
    static HANDLE: OnceLock<log4rs::Handle> = OnceLock::new();
    let mut config = Some(config);
    let handle = HANDLE.get_or_init(|| {
        log4rs::init_config(config.take().expect("first config"))
            .expect("no other log logger in this bench")
    });
    if let Some(config) = config {
        handle.set_config(config);
    }
}

pub(crate) fn log4rs_quiet_loggers() -> String {
    QUIETED
        .iter()
        .map(|name| format!("  {name}: {{level: warn}}\n"))
        .collect()
}

pub(crate) fn log4rs_load(dir: &Path, yaml: &str) -> log4rs::Config {
    let path = dir.join("log4rs.yaml");
    std::fs::write(&path, yaml).expect("write the log4rs config");
    log4rs::config::load_config_file(&path, Default::default()).expect("the log4rs config loads")
}

pub(crate) fn log4rs_rolling(dir: &Path) -> log4rs::Config {
    let yaml = format!(
        "appenders:
  file:
    kind: rolling_file
    path: {}
    encoder: {{pattern: '{{l}} {{t}} {{m}}{{n}}'}}
    policy:
      kind: compound
      trigger: {{kind: size, limit: {MAX_BYTES}}}
      roller: {{kind: fixed_window, pattern: {}, count: 1}}
root:
  level: debug
  appenders: [file]
loggers:
{}",
        yaml_path(&dir.join("log4rs.log")),
        yaml_path(&dir.join("log4rs.{}.log")),
        log4rs_quiet_loggers(),
    );
    log4rs_load(dir, &yaml)
}

pub(crate) fn log4rs_fanout(dir: &Path) -> log4rs::Config {
    let yaml = format!(
        "appenders:
  one: {{kind: file, path: {}, encoder: {{pattern: '{{l}} {{t}} {{m}}{{n}}'}}}}
  two: {{kind: file, path: {}, encoder: {{pattern: '{{l}} {{t}} {{m}}{{n}}'}}}}
  three: {{kind: file, path: {}, encoder: {{pattern: '{{l}}:{{m}}{{n}}'}}}}
root:
  level: debug
  appenders: [one, two, three]
loggers:
{}",
        yaml_path(&dir.join("log4rs_one.log")),
        yaml_path(&dir.join("log4rs_two.log")),
        yaml_path(&dir.join("log4rs_three.log")),
        log4rs_quiet_loggers(),
    );
    log4rs_load(dir, &yaml)
}

// ---------------------------------------------------------------- statistics

/// The `q` quantile of `values` (nearest rank; NaN when empty).
pub(crate) fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let last = sorted.len().saturating_sub(1);
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let i = ((last as f64) * q).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------- threads

/// Two threads each writing `iters / 2` records (`iters` in all) through
/// `start` (which sets the thread's logger) and `emit`.
pub(crate) fn two_threads(
    iters: u64,
    start: &(dyn Fn(&dyn Fn()) + Sync),
    emit: fn(u64),
) -> Duration {
    let per_thread = iters.div_ceil(2);
    let barrier = std::sync::Barrier::new(3);
    std::thread::scope(|scope| {
        for t in 0..2u64 {
            let barrier = &barrier;
            scope.spawn(move || {
                start(&|| {
                    barrier.wait();
                    for i in 0..per_thread {
                        emit(black_box(t * per_thread + i));
                    }
                });
            });
        }
        barrier.wait();
        let t0 = Instant::now();
        // The scope joins both threads before returning.
        t0
    })
    .elapsed()
}
