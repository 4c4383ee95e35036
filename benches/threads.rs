//! Throughput with 1, 2, 4 and 8 logging threads, all writing one file or
//! each its own file, and the measured quantities of a contention model
//! that says what more cores would do (see BENCHMARKS.md, "Threads").
//!
//! `cargo bench -p logconf-bench --bench threads -- [RECORDS] [ROUNDS]`
//! (defaults 100000 and 15; about 90 s on two cores).
//!
//! The table: each round logs RECORDS records in all, split evenly over
//! the threads, once per contender, the order of the contenders rotated
//! every round; every run starts from a fresh temporary folder and a fresh
//! logger. For each layout, thread count and contender it prints the
//! medians over the rounds of: the caller's time per record (each thread's
//! loop over its records, averaged over the threads), the throughput
//! (records over the time from the first thread's start until every record
//! is written: the loops, then the logger's guards dropped, so queued and
//! buffered records count once in the file) with its quartiles, the
//! per-round ratio of that throughput to the baseline's, and the lines
//! counted in the files afterwards (the run fails if one is missing: every
//! contender here is lossless). A probe takes its turn in each cell's
//! rounds: how much more two threads formatting records to `io::sink` get
//! done than one, i.e. the cores the logging threads could have had.
//!
//! Thread `t` logs `request N handled in 42 ms` at INFO with the target
//! `bench_app::t{t}`, so the one-file-per-thread layout is a routing of
//! targets to files that every contender expresses in its own config:
//! logconf a logger per target with its own handler (`propagate: no`),
//! tracing-subscriber and tracing-appender one fmt layer per file filtered
//! by `Targets`, log4rs one appender per target (`additive: false`).
//!
//! The model: single-thread costs per record in paired rounds (logconf
//! with a `NullHandler`, with a `FileHandler`, buffered, the baseline, the
//! bare write), from which the handler's locked part follows; then two
//! threads started together over short windows, each window kept only if
//! both threads were on a core nearly all of it: a cache line passed
//! between the cores, a contended `Mutex`, the write of one file from two
//! threads against two files, logconf's record path against the fmt
//! layer's. The prediction from these is printed beside the table's
//! medians.
//!
//! Without `--bench` (`cargo test --benches`) it runs two tiny rounds.

mod common;

use std::collections::HashMap;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, RwLock};
use std::time::{Duration, Instant};

use common::{append, build, log4rs_load, log4rs_use, quantile, yaml_path};
use tracing::Dispatch;
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;

/// The most threads: one target per thread.
const MAX_THREADS: usize = 8;
/// The thread counts of the table.
const THREADS: [usize; 4] = [1, 2, 4, 8];

macro_rules! per_thread {
    ($($n:literal)*) => {
        /// `tracing` INFO events, one callsite and target per thread.
        const TRACING: [fn(u64); MAX_THREADS] = [$(|i| {
            tracing::info!(target: concat!("bench_app::t", $n), "request {} handled in {} ms", i, 42);
        }),*];
        /// The same through the `log` macros (log4rs).
        const LOG: [fn(u64); MAX_THREADS] = [$(|i| {
            log::info!(target: concat!("bench_app::t", $n), "request {} handled in {} ms", i, 42);
        }),*];
        /// The floor's line, already formatted, per thread.
        const LINES: [&[u8]; MAX_THREADS] = [$(
            concat!("INFO bench_app::t", $n, " request 1234567 handled in 42 ms\n").as_bytes()
        ),*];
    };
}
per_thread!(0 1 2 3 4 5 6 7);

fn target(t: usize) -> String {
    format!("bench_app::t{t}")
}

// ---------------------------------------------------------------- setups

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Every thread writes the same file.
    OneFile,
    /// Thread `t` writes file `t`.
    FilePerThread,
}

impl Layout {
    fn files(self, threads: usize) -> usize {
        match self {
            Layout::OneFile => 1,
            Layout::FilePerThread => threads,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Layout::OneFile => "one file",
            Layout::FilePerThread => "file per thread",
        }
    }
}

/// How a thread emits a record.
enum Emit {
    /// `tracing` under the dispatcher.
    Tracing(Dispatch),
    /// The `log` macros (the global logger: log4rs).
    Log,
    /// The floor: the formatted line, one `write_all` on file `t % len`.
    Raw(Vec<Arc<File>>),
}

/// A contender made ready for one run: how to emit, what to drop once the
/// loops are done (its guards: dropping them writes everything out), and
/// the files to count lines in.
struct Ready {
    emit: Emit,
    guards: Vec<Box<dyn Send>>,
    files: Vec<PathBuf>,
}

type Setup = fn(&Path, Layout, usize) -> Ready;

fn file_name(dir: &Path, f: usize) -> PathBuf {
    dir.join(format!("out{f}.log"))
}

fn files(dir: &Path, layout: Layout, threads: usize) -> Vec<PathBuf> {
    (0..layout.files(threads))
        .map(|f| file_name(dir, f))
        .collect()
}

/// logconf: a `FileHandler` per file, optionally buffered, optionally
/// behind its own `QueueHandler`; one file for the root, or a logger per
/// thread's target writing its own file.
fn logconf_yaml(dir: &Path, layout: Layout, threads: usize, queued: bool, buffer: bool) -> String {
    let buffer = if buffer {
        ", buffer: {capacity: 65536}"
    } else {
        ""
    };
    let mut yaml = String::from(
        "version: 1\nformatters:\n  f: {format: '%(levelname)s %(name)s %(message)s'}\nhandlers:\n",
    );
    let mut outs = Vec::new();
    for (f, path) in files(dir, layout, threads).iter().enumerate() {
        yaml.push_str(&format!(
            "  file{f}: {{class: logging.FileHandler, formatter: f, filename: {}{buffer}}}\n",
            yaml_path(path)
        ));
        if queued {
            yaml.push_str(&format!(
                "  queue{f}: {{class: logging.handlers.QueueHandler, handlers: [file{f}]}}\n"
            ));
            outs.push(format!("queue{f}"));
        } else {
            outs.push(format!("file{f}"));
        }
    }
    match layout {
        Layout::OneFile => {
            yaml.push_str(&format!("root: {{level: INFO, handlers: [{}]}}\n", outs[0]));
        }
        Layout::FilePerThread => {
            yaml.push_str("root: {level: INFO, handlers: []}\nloggers:\n");
            for (t, out) in outs.iter().enumerate() {
                yaml.push_str(&format!(
                    "  '{}': {{level: INFO, handlers: [{out}], propagate: no}}\n",
                    target(t)
                ));
            }
        }
    }
    yaml
}

fn logconf(dir: &Path, layout: Layout, threads: usize, queued: bool, buffer: bool) -> Ready {
    let logging = build(&logconf_yaml(dir, layout, threads, queued, buffer));
    let guard = logging.guard();
    Ready {
        emit: Emit::Tracing(Dispatch::new(logging.subscriber())),
        guards: vec![Box::new(guard)],
        files: files(dir, layout, threads),
    }
}

/// The filter of file `f`'s layer: everything at INFO for one file, else
/// thread `f`'s target.
fn layer_filter(layout: Layout, f: usize) -> Targets {
    match layout {
        Layout::OneFile => Targets::new().with_default(LevelFilter::INFO),
        Layout::FilePerThread => Targets::new().with_target(target(f), LevelFilter::INFO),
    }
}

type BoxedLayer = Box<dyn tracing_subscriber::Layer<tracing_subscriber::Registry> + Send + Sync>;

/// The baseline: a fmt layer (no time, no ANSI) per file on an `Arc<File>`
/// (one `write` per record), as in `paired.rs`.
fn tracing_subscriber_file(dir: &Path, layout: Layout, threads: usize) -> Ready {
    let files = files(dir, layout, threads);
    let layers: Vec<BoxedLayer> = files
        .iter()
        .enumerate()
        .map(|(f, path)| {
            tracing_subscriber::fmt::layer()
                .without_time()
                .with_ansi(false)
                .with_writer(append(path))
                .with_filter(layer_filter(layout, f))
                .boxed()
        })
        .collect();
    Ready {
        emit: Emit::Tracing(Dispatch::new(tracing_subscriber::registry().with(layers))),
        guards: Vec::new(),
        files,
    }
}

/// tracing-appender's `non_blocking` in its lossless mode (`lossy(false)`:
/// a full channel makes the logging thread wait), one writer and worker
/// thread per file, under the same fmt layers.
fn tracing_appender(dir: &Path, layout: Layout, threads: usize) -> Ready {
    let files = files(dir, layout, threads);
    let mut guards: Vec<Box<dyn Send>> = Vec::new();
    let layers: Vec<BoxedLayer> = files
        .iter()
        .enumerate()
        .map(|(f, path)| {
            let file = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("open the file");
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .lossy(false)
                .finish(file);
            guards.push(Box::new(guard));
            tracing_subscriber::fmt::layer()
                .without_time()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(layer_filter(layout, f))
                .boxed()
        })
        .collect();
    Ready {
        emit: Emit::Tracing(Dispatch::new(tracing_subscriber::registry().with(layers))),
        guards,
        files,
    }
}

/// log4rs: a `file` appender per file (its writer flushed per record, its
/// lock held across the write), `{l} {t} {m}{n}`; one file for the root,
/// or a logger per thread's target with its own appender.
fn log4rs(dir: &Path, layout: Layout, threads: usize) -> Ready {
    let files = files(dir, layout, threads);
    let mut yaml = String::from("appenders:\n");
    for (f, path) in files.iter().enumerate() {
        yaml.push_str(&format!(
            "  f{f}: {{kind: file, path: {}, encoder: {{pattern: '{{l}} {{t}} {{m}}{{n}}'}}}}\n",
            yaml_path(path)
        ));
    }
    match layout {
        Layout::OneFile => yaml.push_str("root: {level: info, appenders: [f0]}\n"),
        Layout::FilePerThread => {
            yaml.push_str("root: {level: info, appenders: []}\nloggers:\n");
            for f in 0..files.len() {
                yaml.push_str(&format!(
                    "  '{}': {{level: info, appenders: [f{f}], additive: false}}\n",
                    target(f)
                ));
            }
        }
    }
    log4rs_use(log4rs_load(dir, &yaml));
    Ready {
        emit: Emit::Log,
        guards: Vec::new(),
        files,
    }
}

/// The floor: no logger, the line already formatted, one `write_all` per
/// record on an append-mode file shared by the threads writing it.
fn raw_write(dir: &Path, layout: Layout, threads: usize) -> Ready {
    let files = files(dir, layout, threads);
    Ready {
        emit: Emit::Raw(files.iter().map(|p| append(p)).collect()),
        guards: Vec::new(),
        files,
    }
}

/// The contenders; the first is the baseline of the ratios.
const CONTENDERS: &[(&str, Setup)] = &[
    ("tracing-subscriber fmt, Arc<File>", tracing_subscriber_file),
    ("logconf FileHandler", |d, l, t| {
        logconf(d, l, t, false, false)
    }),
    ("logconf FileHandler, `buffer:`", |d, l, t| {
        logconf(d, l, t, false, true)
    }),
    ("logconf QueueHandler -> FileHandler", |d, l, t| {
        logconf(d, l, t, true, false)
    }),
    ("tracing-appender non_blocking (lossless)", tracing_appender),
    ("log4rs file appender", log4rs),
    ("floor: raw write_all", raw_write),
];

// ---------------------------------------------------------------- one run

/// One run of one contender.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// Mean over the threads of each one's loop time per record (ns).
    caller_ns: f64,
    /// Records per second until all are written.
    throughput: f64,
}

fn count_lines(files: &[PathBuf]) -> usize {
    files
        .iter()
        .map(|p| {
            fs::read(p)
                .map(|bytes| bytes.iter().filter(|&&b| b == b'\n').count())
                .unwrap_or(0)
        })
        .sum()
}

/// Runs `setup` once: `threads` threads, `per_thread` records each.
fn run(name: &str, setup: Setup, layout: Layout, threads: usize, per_thread: u64) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let Ready {
        emit,
        guards,
        files,
    } = setup(dir.path(), layout, threads);
    let barrier = Barrier::new(threads);
    let loops: Vec<(Instant, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (emit, barrier) = (&emit, &barrier);
                s.spawn(move || thread_loop(emit, t, per_thread, barrier))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a logging thread"))
            .collect()
    });
    if let Emit::Log = emit {
        log::logger().flush();
    }
    drop(emit);
    drop(guards);
    // From the first loop's start (not the main thread's: on a busy
    // machine it may be scheduled late) to everything written.
    let all = loops.iter().map(|l| l.0).min().expect("a thread");
    let elapsed = all.elapsed();
    let lines = count_lines(&files);
    let logged = threads * usize::try_from(per_thread).expect("records fit");
    assert_eq!(
        lines,
        logged,
        "{name}, {}, {threads} threads: {lines} lines written of {logged} logged",
        layout.name()
    );
    #[allow(clippy::cast_precision_loss)]
    let (per_thread, total) = (per_thread as f64, logged as f64);
    #[allow(clippy::cast_precision_loss)]
    let caller = loops.iter().map(|l| l.1.as_secs_f64()).sum::<f64>() / threads as f64;
    Run {
        caller_ns: caller / per_thread * 1e9,
        throughput: total / elapsed.as_secs_f64(),
    }
}

fn thread_loop(emit: &Emit, t: usize, records: u64, barrier: &Barrier) -> (Instant, Duration) {
    let body = || {
        barrier.wait();
        let start = Instant::now();
        match emit {
            Emit::Tracing(_) => {
                let emit = TRACING[t % MAX_THREADS];
                for i in 0..records {
                    emit(black_box(i));
                }
            }
            Emit::Log => {
                let emit = LOG[t % MAX_THREADS];
                for i in 0..records {
                    emit(black_box(i));
                }
            }
            Emit::Raw(files) => {
                let mut file = &*files[t % files.len()];
                let line = LINES[t % MAX_THREADS];
                for _ in 0..records {
                    file.write_all(black_box(line)).expect("write");
                }
            }
        }
        (start, start.elapsed())
    };
    match emit {
        Emit::Tracing(dispatch) => tracing::dispatcher::with_default(dispatch, body),
        _ => body(),
    }
}

// ---------------------------------------------------------------- statistics

fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// `median (q1–q3)` of `values`, with `digits` decimals.
fn spread(values: &[f64], digits: usize) -> String {
    format!(
        "{:.digits$} ({:.digits$}–{:.digits$})",
        median(values),
        quantile(values, 0.25),
        quantile(values, 0.75)
    )
}

/// Runs `rounds` rounds of `n` contenders taking turns (order rotated each
/// round); `run(c)` measures contender `c` once and returns its values.
fn paired<const V: usize>(
    rounds: usize,
    n: usize,
    mut run: impl FnMut(usize) -> [f64; V],
) -> Vec<Vec<[f64; V]>> {
    for c in 0..n {
        run(c); // warm-up, not kept
    }
    let mut out = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for j in 0..n {
            let c = (round + j) % n;
            out[c].push(run(c));
        }
    }
    out
}

// ---------------------------------------------------------------- the table

/// One cell of the table (a layout and a thread count): the medians the
/// model is compared with.
struct Cell {
    /// Records/s per contender.
    rate: Vec<f64>,
    /// The cores the logging threads could have had meanwhile: the CPU
    /// probe, taking its turn among the contenders.
    cores: f64,
}

/// `[layout][thread count index]`.
type Table = Vec<Vec<Cell>>;

/// How many cores two threads get right now for `work`: what two threads
/// do over a window, over what one does (2 at most on this machine; less
/// while other work runs, or when the two virtual CPUs share a physical
/// core's resources).
fn cores_for(window: Duration, work: impl Fn(usize, &AtomicBool) -> (u64, Duration) + Sync) -> f64 {
    let one = rate(&in_window(1, window, &work).0);
    let two = rate(&in_window(2, window, &work).0);
    let cpus = std::thread::available_parallelism().map_or(2, usize::from);
    #[allow(clippy::cast_precision_loss)]
    let cpus = cpus.min(2) as f64;
    (two / one).clamp(0.0, cpus)
}

/// [`cores_for`] a chain of arithmetic (what most CPU probes measure).
fn cores_spinning(window: Duration) -> f64 {
    cores_for(window, |t, stop| {
        let mut x = 0x9E37_79B9_7F4A_7C15 ^ t as u64;
        until_stopped(stop, || spin_work(&mut x))
    })
}

/// A fmt layer (no time, no ANSI) writing to `io::sink`: the baseline's
/// record path without the file, which shares no written memory between
/// threads.
fn sink_dispatch() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .without_time()
                .with_ansi(false)
                .with_writer(std::io::sink)
                .with_filter(LevelFilter::INFO),
        ),
    )
}

/// Records through `dispatch` until `stop`, thread `t`'s callsite.
fn log_until(dispatch: &Dispatch, t: usize, stop: &AtomicBool) -> (u64, Duration) {
    tracing::dispatcher::with_default(dispatch, || {
        let emit = TRACING[t];
        let mut i = 0;
        until_stopped(stop, || {
            emit(black_box(i));
            i += 1;
        })
    })
}

/// [`cores_for`] formatting records that go nowhere: the cores two logging
/// threads get, the probe the model uses.
fn cores_logging(window: Duration, sink: &Dispatch) -> f64 {
    cores_for(window, |t, stop| log_until(sink, t, stop))
}

fn thread_table(records: u64, rounds: usize, probe: Duration) -> Table {
    println!("## Threads: {records} records per round in all, {rounds} rounds\n");
    println!(
        "| layout | threads | contender | caller ns/record | records/s until written (q1–q3) | throughput / baseline (q1–q3) | lines written / logged |"
    );
    println!("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
    let mut table = Vec::new();
    let mut probes = Vec::new();
    let sink = sink_dispatch();
    for layout in [Layout::OneFile, Layout::FilePerThread] {
        let mut per_layout = Vec::new();
        for threads in THREADS {
            let per_thread = records / threads as u64;
            // The contenders, then the CPU probe.
            let runs = paired(rounds, CONTENDERS.len() + 1, |c| match CONTENDERS.get(c) {
                Some((name, setup)) => {
                    let r = run(name, *setup, layout, threads, per_thread);
                    [r.caller_ns, r.throughput]
                }
                None => [cores_logging(probe, &sink), 0.0],
            });
            let mut rate = Vec::new();
            for (c, (name, _)) in CONTENDERS.iter().enumerate() {
                let caller: Vec<f64> = runs[c].iter().map(|r| r[0]).collect();
                let rates: Vec<f64> = runs[c].iter().map(|r| r[1]).collect();
                let ratio: Vec<f64> = runs[c]
                    .iter()
                    .zip(&runs[0])
                    .map(|(a, b)| a[1] / b[1])
                    .collect();
                let logged = per_thread * threads as u64;
                println!(
                    "| {} | {threads} | {name} | {:.0} | {:.0} ({:.0}–{:.0}) | {} | {logged} / {logged} |",
                    layout.name(),
                    median(&caller),
                    median(&rates),
                    quantile(&rates, 0.25),
                    quantile(&rates, 0.75),
                    spread(&ratio, 2),
                );
                rate.push(median(&rates));
            }
            let cores: Vec<f64> = runs[CONTENDERS.len()].iter().map(|r| r[0]).collect();
            probes.push((layout, threads, spread(&cores, 2)));
            per_layout.push(Cell {
                rate,
                cores: median(&cores),
            });
        }
        table.push(per_layout);
    }
    println!();
    println!(
        "Cores the logging threads could have had, by the probe taking its turn in each cell's rounds \
         (records formatted to `io::sink` by two threads over one thread's, {} ms windows; 2 is both cores \
         at full speed):\n",
        probe.as_millis()
    );
    println!("| layout | threads | cores (q1–q3) |");
    println!("| --- | ---: | ---: |");
    for (layout, threads, cores) in probes {
        println!("| {} | {threads} | {cores} |", layout.name());
    }
    println!();
    table
}

// ---------------------------------------------------------------- the model

/// The CPU time this thread has run, from `/proc/thread-self/schedstat`
/// (Linux; `None` elsewhere). The kernel brings a running thread's count up
/// to date at its scheduler ticks; yielding first brings it up to date now.
fn thread_cpu() -> Option<Duration> {
    std::thread::yield_now();
    let text = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f(t, stop)` on `threads` threads released together (spinning on
/// a flag, not sleeping on a barrier, so they start within microseconds of
/// each other) for `window`; `f` works until `stop` is set and returns its
/// counts. Also returns how many cores the threads were on meanwhile:
/// their CPU time over the longest one's wall time (2 for two threads
/// that both ran all the time; NaN where the CPU time is not known).
fn in_window<R: Send>(
    threads: usize,
    window: Duration,
    f: impl Fn(usize, &AtomicBool) -> R + Sync,
) -> (Vec<R>, f64) {
    let ready = AtomicUsize::new(0);
    let go = AtomicBool::new(false);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (f, ready, go, stop) = (&f, &ready, &go, &stop);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::AcqRel);
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    let cpu = thread_cpu();
                    let wall = Instant::now();
                    let r = f(t, stop);
                    let wall = wall.elapsed();
                    let cpu = thread_cpu().zip(cpu).map(|(b, a)| b.saturating_sub(a));
                    (r, cpu, wall)
                })
            })
            .collect();
        while ready.load(Ordering::Acquire) < threads {
            std::thread::yield_now();
        }
        go.store(true, Ordering::Release);
        std::thread::sleep(window);
        stop.store(true, Ordering::Release);
        let all: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .collect();
        let longest = all.iter().map(|a| a.2).max().unwrap_or_default();
        let cpu: Option<Duration> = all.iter().map(|a| a.1).sum();
        let busy = cpu.map_or(f64::NAN, |c| c.as_secs_f64() / longest.as_secs_f64());
        (all.into_iter().map(|a| a.0).collect(), busy)
    })
}

/// Operations between two looks at the stop flag.
const CHUNK: u64 = 1024;

/// Repeats `op` in chunks until `stop`; the number of operations and the
/// time taken.
fn until_stopped(stop: &AtomicBool, mut op: impl FnMut()) -> (u64, Duration) {
    let start = Instant::now();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..CHUNK {
            op();
        }
        n += CHUNK;
    }
    (n, start.elapsed())
}

/// ns per operation of one thread.
fn ns_per(count: (u64, Duration)) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = count.0.max(1) as f64;
    count.1.as_secs_f64() / n * 1e9
}

/// (a) and (c): single-thread costs per record (ns), each contender in a
/// spawned thread as in the table (so the process has more than one
/// thread, and the kernel treats the descriptor as shared, as it does in
/// the table).
struct Single {
    /// logconf, the same formatter, a `NullHandler`: dispatch, filter and
    /// format, no lock, no write.
    null: f64,
    /// logconf `FileHandler`.
    file: f64,
    /// logconf `FileHandler` with `buffer:`.
    buffered: f64,
    /// The hand-written fmt layer on an `Arc<File>`.
    baseline: f64,
    /// The formatted line written with one `write_all`.
    write: f64,
    /// What the locked part does to synchronize, alone: a `Mutex` locked,
    /// a position added to, an `Arc<File>` cloned, unlocked, the clone
    /// dropped.
    sync: f64,
    /// Per round, `file - null - write`: the handler's part besides the
    /// write, i.e. its locked section (and the drop of the handle's clone
    /// after the write).
    lock: Vec<f64>,
    /// Per round, `buffered - null`: everything the buffered handler does,
    /// all of it under its lock (the 64 KiB writes included, amortized).
    lock_buffered: Vec<f64>,
}

fn single(records: u64, rounds: usize) -> Single {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.path();
    let one = |handler: String| {
        build(&format!(
            "version: 1\nformatters:\n  f: {{format: '%(levelname)s %(name)s %(message)s'}}\nhandlers:\n  h: {{{handler}}}\nroot: {{level: INFO, handlers: [h]}}\n"
        ))
    };
    let file = |name: &str, extra: &str| {
        one(format!(
            "class: logging.FileHandler, formatter: f, filename: {}{extra}",
            yaml_path(&dir.join(name))
        ))
    };
    let null = one("class: logging.NullHandler, formatter: f".into());
    let buffered = file("buffered.log", ", buffer: {capacity: 65536}");
    let file = file("file.log", "");
    let dispatches = [
        Dispatch::new(null.subscriber()),
        Dispatch::new(file.subscriber()),
        Dispatch::new(buffered.subscriber()),
        Dispatch::new(
            tracing_subscriber::registry().with(
                tracing_subscriber::fmt::layer()
                    .without_time()
                    .with_ansi(false)
                    .with_writer(append(&dir.join("baseline.log")))
                    .with_filter(LevelFilter::INFO),
            ),
        ),
    ];
    let raw = append(&dir.join("raw.log"));
    let state = Mutex::new((0u64, Some(Arc::clone(&raw))));
    let runs = paired(rounds, 6, |c| {
        let d = on_threads(1, |_| {
            let t = Instant::now();
            match c {
                0..=3 => tracing::dispatcher::with_default(&dispatches[c], || {
                    for i in 0..records {
                        TRACING[0](black_box(i));
                    }
                }),
                4 => {
                    for _ in 0..records {
                        (&*raw).write_all(black_box(LINES[0])).expect("write");
                    }
                }
                _ => {
                    for _ in 0..records {
                        let handle = {
                            let mut s = state.lock().expect("not poisoned");
                            s.0 += LINES[0].len() as u64;
                            s.1.clone()
                        };
                        drop(black_box(handle));
                    }
                }
            }
            t.elapsed()
        });
        [secs_per(d[0], records) * 1e9]
    });
    let col = |c: usize| -> Vec<f64> { runs[c].iter().map(|r| r[0]).collect() };
    let lock = (0..rounds)
        .map(|r| runs[1][r][0] - runs[0][r][0] - runs[4][r][0])
        .collect();
    let lock_buffered = (0..rounds).map(|r| runs[2][r][0] - runs[0][r][0]).collect();
    Single {
        null: median(&col(0)),
        file: median(&col(1)),
        buffered: median(&col(2)),
        baseline: median(&col(3)),
        write: median(&col(4)),
        sync: median(&col(5)),
        lock,
        lock_buffered,
    }
}

fn secs_per(d: Duration, n: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    d.as_secs_f64() / n
}

/// Runs `f(t)` on `threads` threads; each returns its own measurement.
fn on_threads<R: Send>(threads: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || f(t))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a thread"))
            .collect()
    })
}

/// (b), the kernel's part and the shared lines of the record path: two
/// threads started together, over a window.
struct Pairs {
    /// The cores the two threads could have had (the probes taking their
    /// turn in these rounds): by a chain of arithmetic, by formatting
    /// records to `io::sink`.
    cores: f64,
    cores_logging: f64,
    /// ns per `fetch_add` on a line no other thread touches.
    alone: f64,
    /// ns per `fetch_add` per thread, two threads each on its own line.
    padded: f64,
    /// ns per `fetch_add` per thread, two threads on one line.
    shared: f64,
    /// Share of those that found the line last written by the other thread.
    moved: f64,
    /// Round trips of a turn passed between two threads through one
    /// atomic (each moves the line to the other core and back), ns, with
    /// the clock reads' own cost taken off: those under 10 µs (the others
    /// waited for the other thread to be scheduled at all).
    round_trip: f64,
    round_trip_q: (f64, f64),
    /// ns per lock + unlock of a `std::sync::Mutex` (a counter inside),
    /// one thread; two threads on it, per thread; share of the two-thread
    /// locks taken over from the other thread.
    mutex_alone: f64,
    mutex_shared: f64,
    mutex_handoffs: f64,
    /// records/s writing the formatted line: one thread; two threads on one
    /// descriptor; on two descriptors of one file; on two files.
    write_one: f64,
    write_same_fd: f64,
    write_same_file: f64,
    write_two_files: f64,
    /// ns per record per thread, one thread and two (each its own target):
    /// logconf with a `NullHandler` (dispatch, route, format, no lock);
    /// a fmt layer writing to `io::sink` (the baseline's path, no file);
    /// for scale, one shared line written per record: a lookup through an
    /// `RwLock` read of a map, the value's `Arc` cloned and dropped (the
    /// way a route cache behind a lock would cost).
    null: (f64, f64),
    sink: (f64, f64),
    route: (f64, f64),
    /// Per probe, the windows in which both threads were on a core at
    /// least 90 % of the time (the two-thread medians use only those), of
    /// `rounds`.
    windows: Vec<usize>,
    rounds: usize,
}

impl Pairs {
    /// ` (k of N windows with both threads running)` for probe `c`.
    fn full(&self, c: usize) -> String {
        format!(" ({} of {} windows)", self.windows[c], self.rounds)
    }
}

#[repr(align(128))]
#[derive(Default)]
struct Padded(AtomicU64);

/// A few ns of arithmetic the compiler cannot remove.
fn spin_work(x: &mut u64) {
    for _ in 0..16 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
    }
    black_box(*x);
}

/// Operations per second of threads started together: all their
/// operations over the longest thread's time (a thread scheduled late
/// works a shorter time, and its operations count in the same window).
fn rate(counts: &[(u64, Duration)]) -> f64 {
    let n: u64 = counts.iter().map(|c| c.0).sum();
    let longest = counts.iter().map(|c| c.1).max().unwrap_or_default();
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    n / longest.as_secs_f64()
}

/// Mean over the threads of each one's ns per operation.
fn mean_ns(counts: &[(u64, Duration)]) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let threads = counts.len().max(1) as f64;
    counts.iter().map(|c| ns_per(*c)).sum::<f64>() / threads
}

/// ns between two consecutive clock reads (what a timed interval adds).
fn clock_cost() -> f64 {
    let d: Vec<f64> = (0..1001)
        .map(|_| {
            let a = Instant::now();
            let b = Instant::now();
            (b - a).as_secs_f64() * 1e9
        })
        .collect();
    median(&d)
}

/// Thread 0 passes the turn (an odd value) to thread 1, which passes it
/// back (even); thread 0 times each round trip. Sampled round trips, ns.
fn ping_pong(window: Duration) -> Vec<f64> {
    let turn = AtomicU64::new(0);
    let (mut samples, _) = in_window(2, window, |t, stop| {
        let mine = t as u64;
        let mut samples = Vec::new();
        'outer: loop {
            let mut spins = 0u32;
            // Wait for this thread's turn.
            let value = loop {
                let v = turn.load(Ordering::Acquire);
                if v % 2 == mine {
                    break v;
                }
                spins += 1;
                if spins.is_multiple_of(1024) && stop.load(Ordering::Relaxed) {
                    break 'outer;
                }
                std::hint::spin_loop();
            };
            if t == 0 {
                let start = Instant::now();
                turn.store(value + 1, Ordering::Release);
                let mut spins = 0u32;
                while turn.load(Ordering::Acquire) == value + 1 {
                    spins += 1;
                    if spins.is_multiple_of(1024) && stop.load(Ordering::Relaxed) {
                        break 'outer;
                    }
                    std::hint::spin_loop();
                }
                if samples.len() < 1 << 20 {
                    samples.push(start.elapsed().as_secs_f64() * 1e9);
                }
            } else {
                turn.store(value + 1, Ordering::Release);
            }
        }
        samples
    });
    samples.swap_remove(0)
}

/// The windowed measurements of [`pairs`], in the order they take turns.
#[derive(Clone, Copy)]
enum Probe {
    Cores,
    AddAlone,
    AddPadded,
    AddShared,
    PingPong,
    MutexAlone,
    MutexShared,
    WriteOne,
    WriteSameFd,
    WriteSameFile,
    WriteTwoFiles,
    Null(usize),
    Sink(usize),
    Route(usize),
}

const PROBES: [Probe; 17] = [
    Probe::Cores,
    Probe::AddAlone,
    Probe::AddPadded,
    Probe::AddShared,
    Probe::PingPong,
    Probe::MutexAlone,
    Probe::MutexShared,
    Probe::WriteOne,
    Probe::WriteSameFd,
    Probe::WriteSameFile,
    Probe::WriteTwoFiles,
    Probe::Null(1),
    Probe::Null(2),
    Probe::Sink(1),
    Probe::Sink(2),
    Probe::Route(1),
    Probe::Route(2),
];

#[allow(clippy::too_many_lines)]
fn pairs(window: Duration, rounds: usize) -> Pairs {
    let shared = AtomicU64::new(0);
    let padded = [Padded::default(), Padded::default()];
    let mutex = Mutex::new((0u64, 0usize));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.path();
    let one_fd = append(&dir.join("shared.log"));
    let same_file = [
        append(&dir.join("inode.log")),
        append(&dir.join("inode.log")),
    ];
    let two_files = [append(&dir.join("a.log")), append(&dir.join("b.log"))];
    let truncate = || {
        for f in [&one_fd, &same_file[0], &two_files[0], &two_files[1]] {
            f.set_len(0).expect("truncate");
        }
    };
    let write = |threads: usize, file: &(dyn Fn(usize) -> Arc<File> + Sync)| {
        let (counts, busy) = in_window(threads, window, |t, stop| {
            let file = file(t);
            let mut file = &*file;
            until_stopped(stop, || {
                file.write_all(black_box(LINES[t])).expect("write");
            })
        });
        truncate();
        [rate(&counts), 0.0, busy]
    };
    let null = build(
        "version: 1\nformatters:\n  f: {format: '%(levelname)s %(name)s %(message)s'}\n\
         handlers:\n  h: {class: logging.NullHandler, formatter: f}\nroot: {level: INFO, handlers: [h]}\n",
    );
    let null = Dispatch::new(null.subscriber());
    let sink = sink_dispatch();
    let records = |dispatch: &Dispatch, threads: usize| {
        let (counts, busy) = in_window(threads, window, |t, stop| log_until(dispatch, t, stop));
        [mean_ns(&counts), 0.0, busy]
    };
    // For scale, a lookup that writes one shared line per record: a read
    // lock on a map of callsites to routes, the route's `Arc` cloned and
    // dropped. Each thread's route has a line of its own, so the only line
    // both threads write is the lock's.
    let routes: RwLock<HashMap<usize, Arc<Padded>>> = RwLock::new(
        (0..MAX_THREADS)
            .map(|t| (t, Arc::new(Padded::default())))
            .collect(),
    );
    let clock = clock_cost();
    let mut trips = Vec::new();
    // Per probe: [value, share, busy] (share: moved lines, handoffs, ...;
    // busy: the cores the threads were on).
    let runs = paired(rounds, PROBES.len(), |c| match PROBES[c] {
        Probe::Cores => [cores_spinning(window), cores_logging(window, &sink), 1.0],
        Probe::AddAlone | Probe::AddPadded => {
            let threads = if matches!(PROBES[c], Probe::AddAlone) {
                1
            } else {
                2
            };
            let (counts, busy) = in_window(threads, window, |t, stop| {
                until_stopped(stop, || {
                    padded[t].0.fetch_add(1, Ordering::Relaxed);
                })
            });
            [mean_ns(&counts), 0.0, busy]
        }
        Probe::AddShared => {
            // Thread 0 adds 2^32, thread 1 adds 1: a value whose other
            // half changed since this thread's last add means the other
            // thread wrote the line in between (and it moved here).
            let (counts, busy) = in_window(2, window, |t, stop| {
                let (mine, other_mask) = if t == 0 {
                    (1u64 << 32, u64::from(u32::MAX))
                } else {
                    (1, !u64::from(u32::MAX))
                };
                let mut last_other = 0;
                let mut moved = 0u64;
                let count = until_stopped(stop, || {
                    let other = shared.fetch_add(mine, Ordering::Relaxed) & other_mask;
                    moved += u64::from(other != last_other);
                    last_other = other;
                });
                (count, moved)
            });
            shared.store(0, Ordering::Relaxed);
            let plain: Vec<(u64, Duration)> = counts.iter().map(|c| c.0).collect();
            #[allow(clippy::cast_precision_loss)]
            let moved = counts.iter().map(|c| c.1).sum::<u64>() as f64
                / counts.iter().map(|c| c.0.0).sum::<u64>().max(1) as f64;
            [mean_ns(&plain), moved, busy]
        }
        Probe::PingPong => {
            let samples = ping_pong(window);
            #[allow(clippy::cast_precision_loss)]
            let co = samples.iter().filter(|&&ns| ns < 10_000.0).count() as f64
                / samples.len().max(1) as f64;
            // Only the round trips made while both threads ran: the
            // others measure the scheduler, not the line.
            trips.extend(
                samples
                    .iter()
                    .filter(|&&ns| ns < 10_000.0)
                    .map(|ns| ns - clock),
            );
            // A window counts as both threads running when nine round
            // trips in ten were fast.
            [median(&samples) - clock, co, 2.0 * co]
        }
        Probe::MutexAlone | Probe::MutexShared => {
            let threads = if matches!(PROBES[c], Probe::MutexAlone) {
                1
            } else {
                2
            };
            let (counts, busy) = in_window(threads, window, |t, stop| {
                let mut handoffs = 0u64;
                let count = until_stopped(stop, || {
                    let mut m = mutex.lock().expect("not poisoned");
                    m.0 += 1;
                    handoffs += u64::from(m.1 != t);
                    m.1 = t;
                });
                (count, handoffs)
            });
            let plain: Vec<(u64, Duration)> = counts.iter().map(|c| c.0).collect();
            #[allow(clippy::cast_precision_loss)]
            let handoffs = counts.iter().map(|c| c.1).sum::<u64>() as f64
                / counts.iter().map(|c| c.0.0).sum::<u64>().max(1) as f64;
            [mean_ns(&plain), handoffs, busy]
        }
        Probe::WriteOne => write(1, &|_| Arc::clone(&one_fd)),
        Probe::WriteSameFd => write(2, &|_| Arc::clone(&one_fd)),
        Probe::WriteSameFile => write(2, &|t| Arc::clone(&same_file[t])),
        Probe::WriteTwoFiles => write(2, &|t| Arc::clone(&two_files[t])),
        Probe::Null(threads) => records(&null, threads),
        Probe::Sink(threads) => records(&sink, threads),
        Probe::Route(threads) => {
            let (counts, busy) = in_window(threads, window, |t, stop| {
                until_stopped(stop, || {
                    let route = routes.read().expect("not poisoned").get(&t).map(Arc::clone);
                    drop(black_box(route));
                })
            });
            [mean_ns(&counts), 0.0, busy]
        }
    });
    // A two-thread probe counts only in the windows where both threads
    // were on a core nearly all the time (unless none was).
    let full = |c: usize| -> Vec<usize> {
        (0..rounds)
            .filter(|&r| runs[c][r][2].is_nan() || runs[c][r][2] >= 1.8)
            .collect()
    };
    let col = |c: usize, v: usize| -> f64 {
        let mut rounds_used = full(c);
        if rounds_used.is_empty() {
            rounds_used = (0..rounds).collect();
        }
        let values: Vec<f64> = rounds_used.iter().map(|&r| runs[c][r][v]).collect();
        median(&values)
    };
    let windows = (0..PROBES.len()).map(|c| full(c).len()).collect();
    Pairs {
        cores: col(0, 0),
        cores_logging: col(0, 1),
        alone: col(1, 0),
        padded: col(2, 0),
        shared: col(3, 0),
        moved: col(3, 1),
        round_trip: median(&trips),
        round_trip_q: (quantile(&trips, 0.25), quantile(&trips, 0.75)),
        mutex_alone: col(5, 0),
        mutex_shared: col(6, 0),
        mutex_handoffs: col(6, 1),
        write_one: col(7, 0),
        write_same_fd: col(8, 0),
        write_same_file: col(9, 0),
        write_two_files: col(10, 0),
        null: (col(11, 0), col(12, 0)),
        sink: (col(13, 0), col(14, 0)),
        route: (col(15, 0), col(16, 0)),
        windows,
        rounds,
    }
}

/// What decides a contender's scaling in the model, ns per record.
#[derive(Clone, Copy, Default)]
struct Costs {
    /// Added to every record's own time when two cores run the threads:
    /// cache lines moved (the shared lines of the record path, the
    /// handler's).
    parallel: f64,
    /// A stage only one thread at a time can be in: the handler's lock
    /// (with the lines moved inside it), or a contended cache line.
    serial: f64,
    /// Its part that is there only under contention (lines moved).
    serial_contended: f64,
    /// The kernel's write to one file under contention, if it writes one
    /// file from several threads.
    kernel: f64,
}

/// Records/s of `threads` threads given `cores` cores and one thread's
/// time per record `t1`: the parallel rate `n / (t1 + p c)` capped by each
/// serialized stage; `p` is how much of the time a second core runs one of
/// these threads, which is when lines move and locks are contended.
fn predict(threads: usize, cores: f64, t1: f64, costs: Costs) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = (threads as f64).min(cores.max(1.0));
    let p = (n - 1.0).clamp(0.0, 1.0);
    if p == 0.0 {
        return n / t1 * 1e9;
    }
    let mut rate = n / (t1 + p * costs.parallel);
    if threads > 1 {
        let serial = costs.serial + p * costs.serial_contended;
        if serial > 0.0 {
            rate = rate.min(1.0 / serial);
        }
        if costs.kernel > 0.0 {
            rate = rate.min(1.0 / (p * costs.kernel));
        }
    }
    rate * 1e9
}

#[allow(clippy::too_many_lines)]
fn model(records: u64, rounds: usize, window: Duration, table: &Table) {
    let s = single(records / 4, rounds);
    let p = pairs(window, rounds);
    let lock = median(&s.lock);
    let lock_buffered = median(&s.lock_buffered);
    let per_move = if p.round_trip.is_nan() {
        0.0 // the two threads never ran at once (a tiny run)
    } else {
        p.round_trip / 2.0
    };
    println!("## Contention model: measured quantities\n");
    println!(
        "Single thread, ns per record ({} records, median of {rounds} paired rounds):\n",
        records / 4
    );
    println!("| quantity | ns |");
    println!("| --- | ---: |");
    println!(
        "| (c) logconf, `NullHandler`, same formatter: dispatch, route, format (outside any lock) | {:.1} |",
        s.null
    );
    println!("| logconf `FileHandler` | {:.1} |", s.file);
    println!("| logconf `FileHandler`, `buffer:` | {:.1} |", s.buffered);
    println!(
        "| tracing-subscriber fmt on `Arc<File>` (baseline) | {:.1} |",
        s.baseline
    );
    println!(
        "| (c) `write_all` of the formatted line (after the lock) | {:.1} |",
        s.write
    );
    println!(
        "| (a) `FileHandler`'s locked part: `file - null - write`, per round (q1–q3) | {} |",
        spread(&s.lock, 1)
    );
    println!(
        "| (a) the synchronization in it alone: `Mutex` lock, add, `Arc` clone, unlock, drop | {:.1} |",
        s.sync
    );
    println!(
        "| (a) `buffer:`: `buffered - null`, all of it under the lock (q1–q3) | {} |",
        spread(&s.lock_buffered, 1)
    );
    println!();
    println!(
        "Two threads started together, {} ms windows, {rounds} paired rounds; a two-thread median counts \
         only the windows in which both threads were on a core at least 90 % of the time (by their CPU time \
         in `/proc/thread-self/schedstat`; how many in brackets, all windows when none). The cores they \
         could have had meanwhile: {:.2} by a chain of arithmetic, {:.2} by formatting records to `io::sink` \
         (what two threads get done over one):\n",
        window.as_millis(),
        p.cores,
        p.cores_logging
    );
    println!("| quantity | value |");
    println!("| --- | ---: |");
    let row = |what: &str, value: String| println!("| {what} | {value} |");
    row("`fetch_add`, one thread", format!("{:.2} ns", p.alone));
    row(
        "`fetch_add`, two threads, each its own line",
        format!("{:.2} ns{}", p.padded, p.full(2)),
    );
    row(
        "`fetch_add`, two threads, one line",
        format!("{:.2} ns{}", p.shared, p.full(3)),
    );
    row(
        "share of those that found the line moved to the other core",
        format!("{:.3}", p.moved),
    );
    row(
        "a turn passed to the other core and back through one atomic: round trip, those under 10 µs (q1–q3)",
        format!(
            "{:.1} ({:.1}–{:.1}) ns{}",
            p.round_trip,
            p.round_trip_q.0,
            p.round_trip_q.1,
            p.full(4)
        ),
    );
    row(
        "(b) one move of a line between the cores (half the round trip)",
        format!("{per_move:.1} ns"),
    );
    row(
        "`Mutex` lock + unlock, one thread",
        format!("{:.2} ns", p.mutex_alone),
    );
    row(
        "`Mutex` lock + unlock, two threads, per thread",
        format!("{:.2} ns{}", p.mutex_shared, p.full(6)),
    );
    row(
        "share of those taken over from the other thread",
        format!("{:.3}", p.mutex_handoffs),
    );
    let x = |r: f64| r / p.write_one;
    row(
        "`write_all` of the line, one thread",
        format!("{:.0} records/s ({:.0} ns)", p.write_one, 1e9 / p.write_one),
    );
    for (what, rate, c) in [
        ("two threads, one descriptor", p.write_same_fd, 8),
        (
            "two threads, two descriptors of one file",
            p.write_same_file,
            9,
        ),
        ("two threads, two files", p.write_two_files, 10),
    ] {
        row(
            what,
            format!("{rate:.0} records/s ({:.2}x){}", x(rate), p.full(c)),
        );
    }
    for (what, (one, two), c) in [
        ("logconf `NullHandler`", p.null, 12),
        ("fmt layer to `io::sink`", p.sink, 14),
        (
            "for scale, a lookup writing one shared line (`RwLock` read of a map, the value's `Arc` cloned and dropped; only the lock's line shared)",
            p.route,
            16,
        ),
    ] {
        row(
            &format!("{what}: ns per record per thread, one thread, two threads, added"),
            format!("{one:.1}, {two:.1}, {:.1}{}", two - one, p.full(c)),
        );
    }
    println!();

    // Parameters, ns per record. Two threads slow each other down even
    // where they share nothing written (the sink path: the virtual CPUs
    // share the host's resources); what logconf's path adds beyond that
    // slowdown is its shared lines.
    let slowdown = p.sink.1 / p.sink.0;
    let shared_path = (p.null.1 - p.null.0 * slowdown).max(0.0);
    let kernel = 1e9 / p.write_same_fd;
    println!("## Contention model: parameters and prediction\n");
    println!(
        "- t_out = {:.0} ns outside any lock (dispatch, route, format); t_lock = {lock:.0} ns in the handler's lock \
         ({:.0} % of a FileHandler record; the bare synchronization in it is {:.0} ns); t_write = {:.0} ns after it; \
         with `buffer:` everything after formatting is under the lock: {lock_buffered:.0} ns.",
        s.null,
        100.0 * lock / s.file,
        s.sync,
        s.write
    );
    println!(
        "- One move of a cache line between the two cores: m = {per_move:.0} ns. Lines a record moves in a shared \
         logconf file handler, read from the code: the mutex word with the state beside it and the handle's \
         reference count cloned inside the lock (2 m, serialized), the count dropped after the write (1 m); \
         with `buffer:` the mutex word with the state and the buffer's last line, both inside the lock (2 m)."
    );
    println!(
        "- Two threads on two cores slow each other down even when they share nothing written: the sink path takes \
         {slowdown:.2}x its one-thread time per record. logconf's record path \
         before any handler (`NullHandler`) takes {:.2}x: +{shared_path:.0} ns per record beyond that slowdown, its \
         shared lines; for scale, a lookup through an `RwLock` read adds {:.0} ns. A contended line is \
         itself a serial stage (one core owns it at a time).",
        p.null.1 / p.null.0,
        p.route.1 - p.route.0
    );
    println!(
        "- The kernel's write of one file from two threads: {kernel:.0} ns per record (1 / two threads' rate on one \
         descriptor), against {:.0} ns alone: a serial stage, with the contention's own cost.\n",
        1e9 / p.write_one
    );
    println!(
        "X(T) = min(n / (t_1 + p c), 1 / (s + p s_c), 1 / (p k)), n = min(T, C), p = clamp(n - 1, 0, 1): \
         t_1 = the contender's single-thread time per record above; C = the cores the logging probe found in the \
         cell's rounds (so the slowdown above is in C); c = the lines moved per record; s, s_c = the serial stage (handler lock, contended line) \
         and its contended part; k = the kernel's one-file write stage (unbuffered, one file only).\n"
    );
    let m = per_move;
    let file_handler = Costs {
        parallel: shared_path + 3.0 * m,
        serial: lock,
        serial_contended: 2.0 * m,
        kernel,
    };
    let buffered = Costs {
        parallel: shared_path + 2.0 * m,
        serial: lock_buffered,
        serial_contended: 2.0 * m,
        kernel: 0.0,
    };
    let per_file = |shared: f64| Costs {
        parallel: shared,
        serial: 0.0,
        serial_contended: shared,
        kernel: 0.0,
    };
    let t1 = [s.baseline, s.file, s.buffered];
    let cases: [(Layout, usize, Costs); 6] = [
        (
            Layout::OneFile,
            0,
            Costs {
                kernel,
                ..Costs::default()
            },
        ),
        (Layout::OneFile, 1, file_handler),
        (Layout::OneFile, 2, buffered),
        (Layout::FilePerThread, 0, Costs::default()),
        (Layout::FilePerThread, 1, per_file(shared_path)),
        (Layout::FilePerThread, 2, per_file(shared_path)),
    ];
    println!(
        "| layout | contender | threads | C | model records/s | measured (table median) | measured / model | model, 8 free cores |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (layout, c, costs) in cases {
        let l = usize::from(layout == Layout::FilePerThread);
        for (ti, threads) in THREADS.iter().enumerate() {
            let cell = &table[l][ti];
            let here = predict(*threads, cell.cores, t1[c], costs);
            let wide = predict(*threads, 8.0, t1[c], costs);
            let measured = cell.rate[c];
            println!(
                "| {} | {} | {threads} | {:.2} | {here:.0} | {measured:.0} | {:.2} | {wide:.0} |",
                layout.name(),
                CONTENDERS[c].0,
                cell.cores,
                measured / here
            );
        }
    }
    println!();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then two tiny rounds show the bench still runs.
    let benching = std::env::args().any(|a| a == "--bench");
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .filter_map(|a| a.parse().ok())
        .collect();
    let records = args
        .first()
        .copied()
        .unwrap_or(if benching { 100_000 } else { 800 })
        .max(MAX_THREADS as u64);
    let rounds = args
        .get(1)
        .copied()
        .map_or(if benching { 15 } else { 2 }, |r| {
            usize::try_from(r).unwrap_or(1).max(1)
        });
    println!("load average before: {}", loadavg());
    let (probe, window) = if benching {
        (Duration::from_millis(20), Duration::from_millis(60))
    } else {
        (Duration::from_millis(2), Duration::from_millis(5))
    };
    let table = thread_table(records, rounds, probe);
    model(records, rounds, window, &table);
    println!("load average after: {}", loadavg());
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
