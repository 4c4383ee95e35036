//! Per-record cost of `logging.handlers.WatchedFileHandler` against
//! `logging.FileHandler`, all writing the same records to a file in a fresh
//! temporary directory. Two watched contenders: on a plain path (on Linux
//! an inotify watch, a `stat` only after a change) and on a path through a
//! symlinked directory (where logconf, as CPython always, `stat`s the path
//! per record). Rounds alternate between the three so machine load hits
//! all alike; the medians are printed in nanoseconds per record, with what
//! each check adds to the plain handler.

use std::path::{Path, PathBuf};
use std::time::Instant;

/// Records per round.
const RECORDS: u32 = 100_000;
/// Rounds per contender.
const ROUNDS: usize = 15;

/// The config of one contender writing to `path`.
fn config(class: &str, path: &Path) -> String {
    format!(
        "version: 1\nformatters:\n  f: {{format: '%(levelname)s %(name)s %(message)s'}}\n\
         handlers:\n  h: {{class: {class}, formatter: f, filename: '{}'}}\n\
         root: {{level: INFO, handlers: [h]}}\n",
        path.display()
    )
}

/// Nanoseconds per record of one round of `class` writing `path`.
fn round(class: &str, path: &Path) -> f64 {
    let built = logconf::Config::from_yaml_str(&config(class, path))
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
    let _ = std::fs::remove_file(path);
    elapsed.as_nanos() as f64 / f64::from(RECORDS)
}

/// Nanoseconds per `stat` of `path` (following symlinks, as the check),
/// over as many calls as a round has records.
fn stat_alone(path: &Path) -> f64 {
    std::fs::write(path, "").unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    for _ in 0..RECORDS {
        std::hint::black_box(std::fs::metadata(std::hint::black_box(path)).is_ok());
    }
    let elapsed = start.elapsed();
    let _ = std::fs::remove_file(path);
    elapsed.as_nanos() as f64 / f64::from(RECORDS)
}

/// The median of `xs`.
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let tmp = std::fs::canonicalize(std::env::temp_dir()).unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.join(format!("logconf-watched-cost-{}", std::process::id()));
    let real = dir.join("real");
    let link = dir.join("link");
    std::fs::create_dir_all(&real).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&real, &link).unwrap_or_else(|e| panic!("{e}"));
    let contenders: [(&str, &str, PathBuf); 3] = [
        ("logging.FileHandler", "plain", real.join("plain.log")),
        ("logging.handlers.WatchedFileHandler", "watched", real.join("watched.log")),
        ("logging.handlers.WatchedFileHandler", "watched, stat", link.join("stat.log")),
    ];
    let mut times = vec![Vec::new(); contenders.len()];
    let (mut stat_plain, mut stat_link) = (Vec::new(), Vec::new());
    // One warm-up round each.
    for (class, _, path) in &contenders {
        round(class, path);
    }
    for _ in 0..ROUNDS {
        for ((class, _, path), times) in contenders.iter().zip(&mut times) {
            times.push(round(class, path));
        }
        stat_plain.push(stat_alone(&real.join("alone.log")));
        stat_link.push(stat_alone(&link.join("alone.log")));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let medians: Vec<f64> = times.into_iter().map(median).collect();
    let (plain, watched, stat) = (medians[0], medians[1], medians[2]);
    println!("records per round: {RECORDS}, rounds: {ROUNDS} each, alternating");
    println!("logging.FileHandler:                                 {plain:7.0} ns/record (median)");
    println!("WatchedFileHandler (inotify, stat after a change):   {watched:7.0} ns/record");
    println!("WatchedFileHandler (path via a symlink: stat/record): {stat:7.0} ns/record");
    let (stat_plain, stat_link) = (median(stat_plain), median(stat_link));
    println!("a stat alone: {stat_plain:.0} ns on the plain path, {stat_link:.0} ns via the symlink");
    println!(
        "added per record: inotify {:.0} ns, stat {:.0} ns; inotify / stat = {:.2}",
        watched - plain,
        stat - plain,
        (watched - plain) / (stat - plain)
    );
    println!(
        "inotify's addition / a stat of the plain path alone = {:.2}",
        (watched - plain) / stat_plain
    );
}
