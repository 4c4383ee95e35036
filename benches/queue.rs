//! What a logging thread pays, and how many records get written, when a
//! file is written synchronously, through logconf's `QueueHandler`, and
//! through tracing-appender's `non_blocking` writer (lossy, its default,
//! and lossless), with 2 and 8 logging threads.
//!
//! `cargo bench -p logconf-bench --bench queue -- [RECORDS_PER_THREAD] [ROUNDS]` (defaults
//! 20000 and 5). For each setup and thread count it prints the median over
//! the rounds of: the caller's time per record (each thread's loop, divided
//! by its records, averaged over the threads), the throughput (all records
//! over the time until every record is written: the loops, then the guard
//! dropped), and the lines found in the file (a lossy writer may drop).
//! Every line is `INFO bench_app::service request N handled in 42 ms` (the
//! fmt layer adds a leading space and a colon).

use std::fs;
use std::hint::black_box;
use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt as _;

/// One measured round.
struct Round {
    /// Mean over the threads of each one's loop time per record.
    caller: Duration,
    /// Records per second, until all are written.
    throughput: f64,
    /// Lines in the file afterwards.
    lines: usize,
}

/// A setup: the dispatcher to log through and what to drop at the end
/// (its guard), made fresh for each round in `dir`.
type Setup = fn(&Path) -> (Dispatch, Box<dyn Send>);

fn logconf_yaml(path: &Path, queued: bool, buffer: bool) -> String {
    let via = if queued {
        "  queued: {class: logging.handlers.QueueHandler, handlers: [file]}\nroot: {level: INFO, handlers: [queued]}\n"
    } else {
        "root: {level: INFO, handlers: [file]}\n"
    };
    let buffer = if buffer {
        ", buffer: {capacity: 65536}"
    } else {
        ""
    };
    format!(
        "version: 1\nformatters:\n  f: {{format: \"%(levelname)s %(name)s %(message)s\"}}\n\
         handlers:\n  file: {{class: logging.FileHandler, formatter: f, filename: {path:?}{buffer}}}\n{via}"
    )
}

fn logconf(dir: &Path, queued: bool, buffer: bool) -> (Dispatch, Box<dyn Send>) {
    let text = logconf_yaml(&dir.join("out.log"), queued, buffer);
    let logging = logconf::Config::from_yaml_str(&text)
        .expect("the config loads")
        .build()
        .expect("the config builds");
    let guard = logging.guard();
    (Dispatch::new(logging.subscriber()), Box::new(guard))
}

fn appender(dir: &Path, lossy: bool) -> (Dispatch, Box<dyn Send>) {
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("out.log"))
        .expect("open the file");
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(lossy)
        .finish(file);
    let layer = tracing_subscriber::fmt::layer()
        .without_time()
        .with_ansi(false)
        .with_writer(writer);
    let subscriber = tracing_subscriber::registry()
        .with(layer)
        .with(tracing_subscriber::filter::LevelFilter::INFO);
    (Dispatch::new(subscriber), Box::new(guard))
}

const SETUPS: &[(&str, Setup)] = &[
    ("logconf FileHandler (synchronous)", |d| {
        logconf(d, false, false)
    }),
    ("logconf QueueHandler -> FileHandler", |d| {
        logconf(d, true, false)
    }),
    ("logconf QueueHandler -> FileHandler with `buffer:`", |d| {
        logconf(d, true, true)
    }),
    ("tracing-appender non_blocking (lossy)", |d| {
        appender(d, true)
    }),
    ("tracing-appender non_blocking (lossless)", |d| {
        appender(d, false)
    }),
];

fn round(setup: Setup, threads: usize, records: u64) -> Round {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (dispatch, guard) = setup(dir.path());
    let barrier = Barrier::new(threads);
    let start = Instant::now();
    let loops: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (dispatch, barrier) = (&dispatch, &barrier);
                s.spawn(move || {
                    tracing::dispatcher::with_default(dispatch, || {
                        barrier.wait();
                        let t = Instant::now();
                        for i in 0..records {
                            tracing::info!(target: "bench_app::service", "request {} handled in 42 ms", black_box(i));
                        }
                        t.elapsed()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a logging thread"))
            .collect()
    });
    drop(dispatch);
    drop(guard);
    let all = start.elapsed();
    let lines = fs::read(dir.path().join("out.log"))
        .expect("read the file")
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let total = threads as u64 * records;
    let per_thread: f64 = loops.iter().map(Duration::as_secs_f64).sum::<f64>() / threads as f64;
    Round {
        caller: Duration::from_secs_f64(per_thread / records as f64),
        throughput: total as f64 / all.as_secs_f64(),
        lines,
    }
}

fn median<T: Copy>(mut values: Vec<T>, key: impl Fn(&T) -> f64) -> T {
    values.sort_by(|a, b| key(a).total_cmp(&key(b)));
    values[values.len() / 2]
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let records = args.first().copied().unwrap_or(20_000);
    let rounds = args.get(1).copied().unwrap_or(5).max(1);
    println!("{records} records per thread, median of {rounds} rounds");
    println!(
        "| setup | threads | caller ns/record | records/s until written | lines written / logged |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for threads in [2usize, 8] {
        for (name, setup) in SETUPS {
            let results: Vec<Round> = (0..rounds)
                .map(|_| round(*setup, threads, records))
                .collect();
            let caller = median(results.iter().map(|r| r.caller).collect(), |d| {
                d.as_secs_f64()
            });
            let throughput = median(results.iter().map(|r| r.throughput).collect(), |t| *t);
            let lines = results.iter().map(|r| r.lines).min().unwrap_or(0);
            println!(
                "| {name} | {threads} | {:.0} | {:.0} | {lines} / {} |",
                caller.as_nanos(),
                throughput,
                threads as u64 * records
            );
        }
    }
}
