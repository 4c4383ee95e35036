//! The Rust half of the whole-process comparison with CPython
//! (`scripts/bench/compare.sh`): loads `scripts/bench/whole_process.yaml`,
//! installs it, writes N INFO records and prints the rate of the loop.
//!
//! Arguments (after `--`): the number of records (default 200000), the log
//! file (default: a file in a temp dir), and `buffered` to add logconf's
//! opt-in `buffer:` (64 KiB) to the file handler, which Python's dictConfig
//! has no equivalent of. `cargo bench` adds flags such as `--bench`; they
//! are ignored.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut records: u64 = 200_000;
    let mut logfile: Option<PathBuf> = None;
    let mut buffered = false;
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        match arg.parse() {
            Ok(n) => records = n,
            Err(_) if arg == "buffered" => buffered = true,
            Err(_) => logfile = Some(PathBuf::from(arg)),
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let logfile = logfile.unwrap_or_else(|| dir.path().join("whole_process_rust.log"));

    let yaml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../scripts/bench/whole_process.yaml"),
    )
    .expect("scripts/bench/whole_process.yaml");
    let mut yaml = yaml.replace("LOGFILE", &logfile.display().to_string());
    if buffered {
        let handler = "    backupCount: 1\n";
        assert!(
            yaml.contains(handler),
            "the config's handler ends with backupCount"
        );
        yaml = yaml.replace(
            handler,
            "    backupCount: 1\n    buffer: {capacity: 65536}\n",
        );
    }
    let name = if buffered { "rust_buffered" } else { "rust" };

    let t_init = Instant::now();
    let guard = logconf::Config::from_yaml_str(&yaml)
        .and_then(|config| config.build())
        .and_then(|built| built.install())
        .expect("the whole-process config installs");
    let init = t_init.elapsed();

    let t_loop = Instant::now();
    for i in 0..records {
        tracing::info!(target: "bench_app", "request {} handled in {} ms", i, 42);
    }
    drop(guard);
    let seconds = t_loop.elapsed().as_secs_f64();

    println!(
        "{name} records={records} init_seconds={:.6} loop_seconds={seconds:.6} records_per_second={:.0}",
        init.as_secs_f64(),
        records as f64 / seconds
    );
}
