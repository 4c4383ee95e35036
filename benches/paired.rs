//! Paired rounds, for a machine whose load changes under the benches:
//! logconf, the hand-written `tracing-subscriber` setup and log4rs take
//! turns on the same workload (K records each per round, the order rotated
//! every round), so a change in load hits all three alike. For each
//! workload it prints the median time per record and the median (and
//! quartiles) of the per-round ratio to `tracing_subscriber`.
//!
//! `cargo bench --bench paired -- [ROUNDS] [WORKLOAD...]` (default 100
//! rounds, every workload; a workload is run when its name contains one of
//! the words given). Criterion's medians (`benches/compare.rs`) measure the
//! same workloads one after the other; these ratios are the ones to trust
//! when the two disagree.

mod common;

use std::hint::black_box;
use std::io::Write as _;
use std::time::Instant;

use common::*;
use logconf_bench::floor::FloorLayer;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt as _;

/// One contender: runs `k` records and returns the seconds it took.
type Run<'a> = Box<dyn Fn(u64) -> f64 + 'a>;

fn tracing_run<'a>(dispatch: &'a Dispatch, emit: fn(u64)) -> Run<'a> {
    Box::new(move |k| {
        tracing::dispatcher::with_default(dispatch, || {
            let t = Instant::now();
            for i in 0..k {
                emit(black_box(i));
            }
            t.elapsed().as_secs_f64()
        })
    })
}

fn log_run<'a>(emit: fn(u64)) -> Run<'a> {
    Box::new(move |k| {
        let t = Instant::now();
        for i in 0..k {
            emit(black_box(i));
        }
        t.elapsed().as_secs_f64()
    })
}

/// The floor: the line already formatted, one `write_all` on an
/// append-mode file; with `syscalls`, also the process id query (`getpid`)
/// logconf makes per record.
fn raw_run(file: &std::fs::File, syscalls: bool) -> Run<'_> {
    Box::new(move |k| {
        let line = b"INFO bench_app::service request 1234567 handled in 42 ms\n";
        let t = Instant::now();
        for _ in 0..k {
            let mut f = file;
            if syscalls {
                black_box(std::process::id());
            }
            f.write_all(black_box(line)).expect("write");
        }
        t.elapsed().as_secs_f64()
    })
}

/// One wall-clock read per record and nothing else: what the
/// time-rotating handler adds to every record, for scale.
fn clock_run<'a>() -> Run<'a> {
    Box::new(move |k| {
        let t = Instant::now();
        for _ in 0..k {
            black_box(std::time::SystemTime::now());
        }
        t.elapsed().as_secs_f64()
    })
}

/// `CLOCK_REALTIME_COARSE` as the time-rotating handler reads it.
#[cfg(target_os = "linux")]
fn coarse_clock_run<'a>() -> Run<'a> {
    use rustix::time::{ClockId, DynamicClockId, clock_gettime_dynamic};
    Box::new(move |k| {
        let t = Instant::now();
        for _ in 0..k {
            let _ = black_box(clock_gettime_dynamic(DynamicClockId::Known(
                ClockId::RealtimeCoarse,
            )));
        }
        t.elapsed().as_secs_f64()
    })
}

fn threads_run<'a>(dispatch: Option<&'a Dispatch>, emit: fn(u64)) -> Run<'a> {
    Box::new(move |k| {
        let start = |body: &dyn Fn()| match dispatch {
            Some(d) => tracing::dispatcher::with_default(d, body),
            None => body(),
        };
        two_threads(k, &start, emit).as_secs_f64()
    })
}

/// Runs `rounds` rounds of `k` records per contender; the first contender
/// is the baseline of the ratios.
fn paired(workload: &str, rounds: usize, k: u64, contenders: &[(&str, Run<'_>)]) {
    // Warm-up: one round unmeasured.
    for (_, run) in contenders {
        run(k);
    }
    let n = contenders.len();
    let mut per_record: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for j in 0..n {
            let c = (round + j) % n;
            let (_, run) = &contenders[c];
            #[allow(clippy::cast_precision_loss)]
            per_record[c].push(run(k) / k as f64 * 1e9);
        }
    }
    println!("{workload} ({rounds} rounds of {k} records)");
    for (c, (name, _)) in contenders.iter().enumerate() {
        let mut ns = per_record[c].clone();
        ns.sort_by(f64::total_cmp);
        let mut ratios: Vec<f64> = per_record[c]
            .iter()
            .zip(&per_record[0])
            .map(|(a, b)| a / b)
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name:<26} {:>10.1} ns/record   ratio {:>5.2}x  (quartiles {:.2}-{:.2})",
            quantile(&ns, 0.5),
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then two rounds are enough to show the bench still runs.
    let benching = std::env::args().any(|a| a == "--bench");
    let rounds = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 100 } else { 2 });
    let words: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
        .collect();
    let wanted = |workload: &str| words.is_empty() || words.iter().any(|w| workload.contains(w));
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();

    // disabled and enabled share the configs.
    {
        let ts = ts_file(dir);
        let built = logconf_rotating(dir);
        let lc = Dispatch::new(built.subscriber());
        let built_buffered = logconf_rotating_buffered(dir);
        let lc_buffered = Dispatch::new(built_buffered.subscriber());
        log4rs_use(log4rs_rolling(dir));
        let raw = append(&dir.join("raw.log"));
        if wanted("disabled") {
            paired(
                "disabled",
                rounds,
                200_000,
                &[
                    ("tracing_subscriber", tracing_run(&ts, sdk_debug)),
                    ("logconf", tracing_run(&lc, sdk_debug)),
                    ("log4rs", log_run(log_sdk_debug)),
                ],
            );
        }
        if wanted("enabled") {
            // The floor of any `tracing` layer (see `logconf_bench::floor`).
            // Made after `disabled` ran: a subscriber without filters makes
            // every callsite's interest "sometimes", which would turn the
            // disabled events of the other contenders into per-event
            // questions.
            let floor = Dispatch::new(
                tracing_subscriber::registry()
                    .with(FloorLayer::per_record(append(&dir.join("floor.log")))),
            );
            let floor_buffered = Dispatch::new(tracing_subscriber::registry().with(
                FloorLayer::buffered(append(&dir.join("floor_buffered.log"))),
            ));
            paired(
                "enabled",
                rounds,
                2_000,
                &[
                    ("tracing_subscriber", tracing_run(&ts, app_info)),
                    ("logconf", tracing_run(&lc, app_info)),
                    ("logconf_buffered", tracing_run(&lc_buffered, app_info)),
                    ("log4rs", log_run(log_app_info)),
                    ("raw_write", raw_run(&raw, false)),
                    ("raw_write_getpid", raw_run(&raw, true)),
                    ("floor_layer", tracing_run(&floor, app_info)),
                    (
                        "floor_layer_buffered",
                        tracing_run(&floor_buffered, app_info),
                    ),
                ],
            );
        }
        if wanted("contention") {
            paired(
                "contention",
                rounds,
                20_000,
                &[
                    ("tracing_subscriber", threads_run(Some(&ts), app_info)),
                    ("logconf", threads_run(Some(&lc), app_info)),
                    ("log4rs", threads_run(None, log_app_info)),
                ],
            );
        }
    }
    {
        // Time- against size-rotating: the same format and records, each
        // class writing its own file; the size-rotating handler (the
        // `enabled` workload's logconf) is the baseline. Neither rolls
        // over during the bench (256 MiB; the next midnight or hour).
        let size = Dispatch::new(
            logconf_file_class(
                &dir.join("size_rotating.log"),
                "logging.handlers.RotatingFileHandler",
                &format!("    maxBytes: {MAX_BYTES}\n    backupCount: 1\n"),
            )
            .subscriber(),
        );
        let midnight = Dispatch::new(
            logconf_file_class(
                &dir.join("timed_midnight.log"),
                "logging.handlers.TimedRotatingFileHandler",
                "    when: midnight\n    backupCount: 1\n",
            )
            .subscriber(),
        );
        let hourly = Dispatch::new(
            logconf_file_class(
                &dir.join("timed_hourly.log"),
                "logging.handlers.TimedRotatingFileHandler",
                "    when: H\n    backupCount: 1\n",
            )
            .subscriber(),
        );
        let plain = Dispatch::new(
            logconf_file_class(&dir.join("plain.log"), "logging.FileHandler", "").subscriber(),
        );
        if wanted("rotation") {
            paired(
                "rotation (ratios to RotatingFileHandler)",
                rounds,
                2_000,
                &[
                    ("size_rotating", tracing_run(&size, app_info)),
                    ("timed_midnight", tracing_run(&midnight, app_info)),
                    ("timed_hourly", tracing_run(&hourly, app_info)),
                    ("file", tracing_run(&plain, app_info)),
                    ("clock_read_alone", clock_run()),
                    #[cfg(target_os = "linux")]
                    ("coarse_clock_read_alone", coarse_clock_run()),
                ],
            );
        }
    }
    {
        let ts = ts_fanout(dir);
        let lc = Dispatch::new(logconf_fanout(dir).subscriber());
        log4rs_use(log4rs_fanout(dir));
        if wanted("fanout") {
            paired(
                "fanout",
                rounds,
                1_000,
                &[
                    ("tracing_subscriber", tracing_run(&ts, app_info)),
                    ("logconf", tracing_run(&lc, app_info)),
                    ("log4rs", log_run(log_app_info)),
                ],
            );
        }
    }
    {
        // Formatter runs: null handlers write nothing; the baseline here is
        // six handlers sharing one formatter.
        let one = Dispatch::new(logconf_null(6, 1).subscriber());
        let two = Dispatch::new(logconf_null(6, 2).subscriber());
        let six = Dispatch::new(logconf_null(6, 6).subscriber());
        let single = Dispatch::new(logconf_null(1, 1).subscriber());
        if wanted("fanout_null") {
            paired(
                "fanout_null (ratios to 6 handlers / 1 formatter)",
                rounds,
                5_000,
                &[
                    ("logconf_6h_1f", tracing_run(&one, app_info)),
                    ("logconf_6h_2f", tracing_run(&two, app_info)),
                    ("logconf_6h_6f", tracing_run(&six, app_info)),
                    ("logconf_1h_1f", tracing_run(&single, app_info)),
                ],
            );
        }
    }
}
