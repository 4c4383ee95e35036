//! Per-record cost of `logging.handlers.WatchedFileHandler` (a `stat` of
//! the path per record) against `logging.FileHandler`, both writing the
//! same records to a file in a fresh temporary directory. Rounds alternate
//! between the two so machine load hits both alike; the medians are
//! printed in nanoseconds per record, with their ratio.

use std::time::Instant;

/// Records per round.
const RECORDS: u32 = 100_000;
/// Rounds per contender.
const ROUNDS: usize = 15;

/// The config of one contender writing to `path`.
fn config(class: &str, path: &std::path::Path) -> String {
    format!(
        "version: 1\nformatters:\n  f: {{format: '%(levelname)s %(name)s %(message)s'}}\n\
         handlers:\n  h: {{class: {class}, formatter: f, filename: '{}'}}\n\
         root: {{level: INFO, handlers: [h]}}\n",
        path.display()
    )
}

/// Nanoseconds per record of one round of `class` in `dir`.
fn round(class: &str, dir: &std::path::Path, n: usize) -> f64 {
    let path = dir.join(format!("{n}.log"));
    let built = logconf::Config::from_yaml_str(&config(class, &path))
        .and_then(|c| c.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    tracing::subscriber::with_default(built.subscriber(), || {
        for i in 0..RECORDS {
            tracing::info!(target: "bench::watched", "record number {i} of the round");
        }
    });
    let elapsed = start.elapsed();
    drop(built);
    let _ = std::fs::remove_file(&path);
    elapsed.as_nanos() as f64 / f64::from(RECORDS)
}

/// The median of `xs`.
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let dir = std::env::temp_dir().join(format!("logconf-watched-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let (mut plain, mut watched) = (Vec::new(), Vec::new());
    // One warm-up round each.
    round("logging.FileHandler", &dir, 0);
    round("logging.handlers.WatchedFileHandler", &dir, 0);
    for n in 0..ROUNDS {
        plain.push(round("logging.FileHandler", &dir, n));
        watched.push(round("logging.handlers.WatchedFileHandler", &dir, n));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (p, w) = (median(plain), median(watched));
    println!("records per round: {RECORDS}, rounds: {ROUNDS} each, alternating");
    println!("logging.FileHandler:                  {p:7.0} ns/record (median)");
    println!("logging.handlers.WatchedFileHandler:  {w:7.0} ns/record (median)");
    println!("ratio watched / plain: {:.2}; the stat adds {:.0} ns/record", w / p, w - p);
}
