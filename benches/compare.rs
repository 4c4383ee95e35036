//! logconf against a hand-written `tracing-subscriber` setup and against
//! log4rs, on the same workloads, in one run (see BENCHMARKS.md).
//!
//! Every group has the same three members, so each can be read as a ratio
//! to `tracing_subscriber` measured minutes apart on the same machine:
//!
//! - `disabled`: a DEBUG event from a quieted SDK target (`aws_sdk_ec2`);
//! - `enabled`: one INFO record to a size-rotating file (rotation rare);
//! - `fanout`: one record to three file handlers sharing two formatters;
//! - `fanout_null`: logconf alone, three null handlers with one, two or
//!   three distinct formatters, to show a formatter runs once per record;
//! - `contention`: two threads writing to one file;
//! - `init`: parse and build of `configs/logger_config.yaml`.
//!
//! The lines are comparable: logconf `%(levelname)s %(name)s %(message)s`,
//! a fmt layer without time, ANSI or span decorations (`" INFO target:
//! message"`), log4rs `{l} {t} {m}{n}`.

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::io::{Seek as _, Write as _};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use tracing::Dispatch;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;

/// The targets a hand-written setup quiets to WARN (`Targets` has no
/// globs, so the SDK crates are listed one by one).
const QUIETED: &[&str] = &[
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
const MAX_BYTES: u64 = 256 * 1024 * 1024;

// ---------------------------------------------------------------- events

#[inline(never)]
fn app_info(i: u64) {
    tracing::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
fn sdk_debug(i: u64) {
    tracing::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
fn log_app_info(i: u64) {
    log::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
fn log_sdk_debug(i: u64) {
    log::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

// ---------------------------------------------------------------- logconf

/// A YAML path value (quoted, so any temp dir name is safe).
fn yaml_path(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// Root at DEBUG writing to one rotating file: `bench_app` INFO is written,
/// `aws_sdk_ec2` DEBUG is dropped by the quiet preset.
fn logconf_rotating(dir: &Path) -> logconf::Logconf {
    let yaml = format!(
        "version: 1
formatters:
  plain:
    format: '%(levelname)s %(name)s %(message)s'
handlers:
  file:
    class: logging.handlers.RotatingFileHandler
    formatter: plain
    filename: {}
    maxBytes: {MAX_BYTES}
    backupCount: 1
root:
  level: DEBUG
  handlers: [file]
",
        yaml_path(&dir.join("logconf.log"))
    );
    build(&yaml)
}

/// Three file handlers, two formatters (`a` shared by two handlers).
fn logconf_fanout(dir: &Path) -> logconf::Logconf {
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
        yaml_path(&dir.join("one.log")),
        yaml_path(&dir.join("two.log")),
        yaml_path(&dir.join("three.log")),
    );
    build(&yaml)
}

/// `handlers` null handlers using `formatters` distinct formatters
/// round-robin (each formatter a different format string of the same
/// length).
fn logconf_null(handlers: usize, formatters: usize) -> logconf::Logconf {
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

fn build(yaml: &str) -> logconf::Logconf {
    logconf::Config::from_yaml_str(yaml)
        .expect("the bench config loads")
        .build()
        .expect("the bench config builds")
}

// ---------------------------------------------------------------- tracing-subscriber

fn targets() -> Targets {
    QUIETED.iter().fold(
        Targets::new().with_default(LevelFilter::DEBUG),
        |t, name| t.with_target(*name, LevelFilter::WARN),
    )
}

fn append(path: &Path) -> Arc<File> {
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
fn ts_file(dir: &Path) -> Dispatch {
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("ts.log")))
        .with_filter(targets());
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

/// Three fmt layers, each with its own `Targets`; the third without the
/// target (the second format).
fn ts_fanout(dir: &Path) -> Dispatch {
    let one = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("one.log")))
        .with_filter(targets());
    let two = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(append(&dir.join("two.log")))
        .with_filter(targets());
    let three = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_target(false)
        .with_writer(append(&dir.join("three.log")))
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
fn log4rs_use(config: log4rs::Config) {
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

fn log4rs_quiet_loggers() -> String {
    QUIETED
        .iter()
        .map(|name| format!("  {name}: {{level: warn}}\n"))
        .collect()
}

fn log4rs_load(dir: &Path, yaml: &str) -> log4rs::Config {
    let path = dir.join("log4rs.yaml");
    std::fs::write(&path, yaml).expect("write the log4rs config");
    log4rs::config::load_config_file(&path, Default::default()).expect("the log4rs config loads")
}

fn log4rs_rolling(dir: &Path) -> log4rs::Config {
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

fn log4rs_fanout(dir: &Path) -> log4rs::Config {
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
        yaml_path(&dir.join("one.log")),
        yaml_path(&dir.join("two.log")),
        yaml_path(&dir.join("three.log")),
        log4rs_quiet_loggers(),
    );
    log4rs_load(dir, &yaml)
}

// ---------------------------------------------------------------- runners

/// Runs `emit(i)` once per iteration with `dispatch` as this thread's
/// default.
fn run_tracing(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    dispatch: &Dispatch,
    emit: fn(u64),
) {
    tracing::dispatcher::with_default(dispatch, || {
        let mut i = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = i.wrapping_add(1);
                emit(black_box(i));
            })
        });
    });
}

fn run_log(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    emit: fn(u64),
) {
    let mut i = 0u64;
    group.bench_function(name, |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            emit(black_box(i));
        })
    });
}

/// Two threads each writing `iters / 2` records (`iters` in all) through
/// `start` (which sets the thread's logger) and `emit`.
fn two_threads(iters: u64, start: &(dyn Fn(&dyn Fn()) + Sync), emit: fn(u64)) -> Duration {
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

// ---------------------------------------------------------------- groups

fn disabled(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("disabled");
    {
        let built = logconf_rotating(dir.path());
        run_tracing(
            &mut group,
            "logconf",
            &Dispatch::new(built.subscriber()),
            sdk_debug,
        );
    }
    run_tracing(
        &mut group,
        "tracing_subscriber",
        &ts_file(dir.path()),
        sdk_debug,
    );
    log4rs_use(log4rs_rolling(dir.path()));
    run_log(&mut group, "log4rs", log_sdk_debug);
    group.finish();
}

fn enabled(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("enabled");
    {
        let built = logconf_rotating(dir.path());
        run_tracing(
            &mut group,
            "logconf",
            &Dispatch::new(built.subscriber()),
            app_info,
        );
        built.flush();
    }
    run_tracing(
        &mut group,
        "tracing_subscriber",
        &ts_file(dir.path()),
        app_info,
    );
    log4rs_use(log4rs_rolling(dir.path()));
    run_log(&mut group, "log4rs", log_app_info);
    // The floor: the same line, already formatted, written with one
    // `write_all` on an append-mode file (no formatting, no subscriber).
    let file = append(&dir.path().join("raw.log"));
    let line = b"INFO bench_app::service request 1234567 handled in 42 ms\n";
    group.bench_function("raw_write", |b| {
        b.iter(|| (&*file).write_all(black_box(line)).expect("write"))
    });
    // The floor of logconf's rotating handler today: the write plus the
    // position query (`lseek`) and the process id (`getpid`) it makes per
    // record.
    group.bench_function("raw_write_lseek_getpid", |b| {
        b.iter(|| {
            black_box(std::process::id());
            let mut f = &*file;
            black_box(f.stream_position().expect("position"));
            f.write_all(black_box(line)).expect("write")
        })
    });
    group.finish();
}

fn fanout(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("fanout");
    {
        let built = logconf_fanout(dir.path());
        run_tracing(
            &mut group,
            "logconf",
            &Dispatch::new(built.subscriber()),
            app_info,
        );
    }
    run_tracing(
        &mut group,
        "tracing_subscriber",
        &ts_fanout(dir.path()),
        app_info,
    );
    log4rs_use(log4rs_fanout(dir.path()));
    run_log(&mut group, "log4rs", log_app_info);
    group.finish();

    // Formatting alone: null handlers write nothing, so the differences
    // between these are formatter runs.
    let mut group = c.benchmark_group("fanout_null");
    for (handlers, formatters) in [(1, 1), (3, 1), (3, 2), (3, 3), (6, 1), (6, 2), (6, 6)] {
        let built = logconf_null(handlers, formatters);
        run_tracing(
            &mut group,
            &format!("logconf_{handlers}h_{formatters}f"),
            &Dispatch::new(built.subscriber()),
            app_info,
        );
    }
    group.finish();
}

fn contention(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("contention");
    for (name, dispatch) in [
        (
            "logconf",
            Dispatch::new(logconf_rotating(dir.path()).subscriber()),
        ),
        ("tracing_subscriber", ts_file(dir.path())),
    ] {
        let start = |body: &dyn Fn()| tracing::dispatcher::with_default(&dispatch, body);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| two_threads(iters, &start, app_info))
        });
        // Drop the dispatch before the next one registers, so callsite
        // interest is computed for the subscriber under test alone.
        drop(dispatch);
    }
    log4rs_use(log4rs_rolling(dir.path()));
    let start = |body: &dyn Fn()| body();
    group.bench_function("log4rs", |b| {
        b.iter_custom(|iters| two_threads(iters, &start, log_app_info))
    });
    group.finish();
}

fn init(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/logger_config.yaml"),
    )
    .expect("configs/logger_config.yaml");
    let logfile = dir.path().join("deploy_vpc.log");
    let text = seed.replace("logs/deploy_vpc.log", &logfile.display().to_string());
    assert_ne!(text, seed, "the seed config names logs/deploy_vpc.log");

    let mut group = c.benchmark_group("init");
    group.bench_function("logconf_parse", |b| {
        b.iter_with_large_drop(|| logconf::Config::from_yaml_str(black_box(&text)))
    });
    group.bench_function("logconf", |b| {
        b.iter_with_large_drop(|| {
            logconf::Config::from_yaml_str(black_box(&text))
                .and_then(|config| config.build())
                .expect("the seed config builds")
        })
    });
    // The same three outputs and levels by hand: two stdout layers, one
    // file layer, each with its `Targets`.
    group.bench_function("tracing_subscriber", |b| {
        b.iter_with_large_drop(|| {
            let quiet = || {
                Targets::new()
                    .with_default(LevelFilter::TRACE)
                    .with_target("aws_config", LevelFilter::WARN)
                    .with_target("aws_sdk_ec2", LevelFilter::WARN)
                    .with_target("aws_smithy_runtime", LevelFilter::WARN)
                    .with_target("deploy_vpc", LevelFilter::INFO)
            };
            let console = tracing_subscriber::fmt::layer()
                .with_writer(std::io::stdout)
                .with_filter(quiet());
            let screen = tracing_subscriber::fmt::layer()
                .with_writer(std::io::stdout)
                .with_filter(quiet().with_default(LevelFilter::ERROR));
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(append(black_box(&logfile)))
                .with_filter(quiet());
            tracing_subscriber::registry()
                .with(console)
                .with(screen)
                .with(file)
        })
    });
    let log4rs_yaml = format!(
        "appenders:
  console: {{kind: console, encoder: {{pattern: '{{d}} {{l}} {{M}} {{m}}{{n}}'}}}}
  screen:
    kind: console
    encoder: {{pattern: '{{d}}|{{l}}|{{M}}:{{L}}|{{m}}{{n}}'}}
    filters: [{{kind: threshold, level: error}}]
  logfile:
    kind: rolling_file
    path: {}
    encoder: {{pattern: '{{d}}|{{l}}|{{f}}:{{L}}|{{m}}{{n}}'}}
    policy:
      kind: compound
      trigger: {{kind: size, limit: 1000000}}
      roller: {{kind: fixed_window, pattern: {}, count: 10}}
root:
  level: trace
  appenders: [console, logfile]
loggers:
  aws_config: {{level: warn, appenders: [logfile, screen], additive: false}}
  aws_sdk_ec2: {{level: warn, appenders: [logfile, screen], additive: false}}
  aws_smithy_runtime: {{level: warn, appenders: [logfile, screen], additive: false}}
  deploy_vpc: {{level: info, appenders: [logfile, screen], additive: false}}
",
        yaml_path(&logfile),
        yaml_path(&dir.path().join("deploy_vpc.{}.log")),
    );
    let log4rs_path = dir.path().join("log4rs_init.yaml");
    std::fs::write(&log4rs_path, log4rs_yaml).expect("write the log4rs config");
    group.bench_function("log4rs", |b| {
        b.iter_with_large_drop(|| {
            let config =
                log4rs::config::load_config_file(black_box(&log4rs_path), Default::default())
                    .expect("the log4rs config loads");
            log4rs::Logger::new(config)
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = disabled, enabled, fanout, contention, init
}
criterion_main!(benches);
