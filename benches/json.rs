//! The JSON formatters against tracing-subscriber's `fmt().json()` layer
//! (see BENCHMARKS.md, "JSON lines"), in paired rounds: the contenders take
//! turns, K records each per round (the order rotated every round), so a
//! change in the machine's load hits all of them alike. Prints each
//! contender's median time per record and the median (and quartiles) of
//! its per-round ratio to `tracing_subscriber`.
//!
//! `cargo bench -p logconf-bench --bench json -- [ROUNDS]` (default 60).
//!
//! `logconf` is `logconf.JsonFormatter`, which writes the same bytes as
//! tracing-subscriber for these events (timestamps included); both write an
//! append-mode file, one `write` per record. Two workloads:
//!
//! - `json_event`: an INFO event with three fields, outside spans;
//! - `json_in_spans`: the same event inside two spans with fields
//!   (`span` and `spans` written).
//!
//! The python-json-logger and ECS shapes are measured too, for scale.

mod common;

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use common::*;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt as _;

#[inline(never)]
fn event(i: u64) {
    tracing::info!(target: "bench_app::service", user = "alice", rows = i, ok = true, "request handled in {} ms", 42);
}

#[inline(never)]
fn event_in_spans(i: u64) {
    let request = tracing::info_span!("request", id = i, path = "/orders");
    let _request = request.enter();
    let db = tracing::info_span!("db", table = "users");
    let _db = db.enter();
    event(i);
}

/// One JSON formatter (YAML lines under `formatters.json:`) writing
/// `dir/NAME.jsonl` for every record at INFO and above.
fn logconf_json(dir: &Path, name: &str, formatter: &str) -> logconf::Logging {
    build(&format!(
        "version: 1\nformatters:\n  json:\n{formatter}handlers:\n  file:\n    class: logging.FileHandler\n    filename: {}\n    formatter: json\nroot: {{level: INFO, handlers: [file]}}\n",
        yaml_path(&dir.join(format!("{name}.jsonl")))
    ))
}

fn ts_json(dir: &Path) -> Dispatch {
    let layer = tracing_subscriber::fmt::layer()
        .json()
        .with_writer(append(&dir.join("ts.jsonl")));
    Dispatch::new(tracing_subscriber::registry().with(layer))
}

const SHAPES: [(&str, &str); 3] = [
    ("logconf", "    class: logconf.JsonFormatter\n"),
    (
        "logconf_python_json",
        "    (): pythonjsonlogger.json.JsonFormatter\n    fmt: \"%(asctime)s %(levelname)s %(name)s %(message)s\"\n",
    ),
    ("logconf_ecs", "    (): ecs_logging.StdlibFormatter\n"),
];

/// Seconds for `k` records of `emit` under `dispatch`.
fn run(dispatch: &Dispatch, emit: fn(u64), k: u64) -> f64 {
    tracing::dispatcher::with_default(dispatch, || {
        let t = Instant::now();
        for i in 0..k {
            emit(black_box(i));
        }
        t.elapsed().as_secs_f64()
    })
}

fn quartiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

fn workload(name: &str, emit: fn(u64), rounds: usize) {
    const K: u64 = 2_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let built: Vec<logconf::Logging> = SHAPES
        .iter()
        .map(|(member, formatter)| logconf_json(dir.path(), member, formatter))
        .collect();
    let mut contenders: Vec<(&str, Dispatch)> = vec![("tracing_subscriber", ts_json(dir.path()))];
    for ((member, _), logging) in SHAPES.iter().zip(&built) {
        contenders.push((member, Dispatch::new(logging.subscriber())));
    }
    // Warm up: files open, callsites registered, buffers grown.
    for (_, dispatch) in &contenders {
        run(dispatch, emit, K);
    }
    let mut times = vec![Vec::with_capacity(rounds); contenders.len()];
    for round in 0..rounds {
        for j in 0..contenders.len() {
            let c = (round + j) % contenders.len();
            times[c].push(run(&contenders[c].1, emit, K) / K as f64);
        }
    }
    for (c, (member, _)) in contenders.iter().enumerate() {
        let (_, median, _) = quartiles(times[c].clone());
        let ratios: Vec<f64> = times[c].iter().zip(&times[0]).map(|(t, b)| t / b).collect();
        let (q1, ratio, q3) = quartiles(ratios);
        println!(
            "{name}/{member}: {:.0} ns/record, ratio to tracing_subscriber {ratio:.2}x ({q1:.2}-{q3:.2})",
            median * 1e9
        );
    }
    for logging in &built {
        logging.flush();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the first number is the round count.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(60);
    workload("json_event", event, rounds);
    workload("json_in_spans", event_in_spans, rounds);
}
