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

mod common;

use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use common::*;
use criterion::{Criterion, criterion_group, criterion_main};
use tracing::Dispatch;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;

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
    // The floor of logconf's path today: the write plus the process id
    // query (`getpid`) it makes per record.
    group.bench_function("raw_write_getpid", |b| {
        b.iter(|| {
            black_box(std::process::id());
            let mut f = &*file;
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
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/logger_config.yaml"),
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
