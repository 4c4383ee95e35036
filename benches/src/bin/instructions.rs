//! Runs one of logconf's main per-record paths N times, for counting
//! instructions under valgrind (`scripts/instructions/check.sh`): no
//! timing, so the count does not depend on a noisy machine.
//!
//! ```text
//! instructions PATH N
//! ```
//!
//! | path | what one record does |
//! |---|---|
//! | `quiet` | a `tracing` DEBUG event under a quieted SDK target |
//! | `quiet_log` | a `log` DEBUG record under a quieted SDK target |
//! | `text` | an INFO event formatted (`%(levelname)s %(name)s %(message)s`) and written to a rotating file |
//! | `text_time` | the same with `%(asctime)s` |
//! | `timed` | `text` to a `TimedRotatingFileHandler` (`when: midnight`) |
//! | `buffered` | `text` with `buffer:` (a write every 64 KiB) |
//! | `fanout` | three file handlers, two formatters |
//! | `floor`, `floor_buffered` | `text`'s event through the floor layer (`logconf_bench::floor`), not logconf: what any `tracing` layer pays (not budgeted) |
//! | `json` | an INFO event with three fields as a JSON line (`logconf.JsonFormatter`) to a file |
//! | `ecs` | the same event through `ecs_logging.StdlibFormatter` |

use std::path::Path;
use std::process::ExitCode;

/// The YAML of `path`'s config, its files under `dir`.
fn config(path: &str, dir: &Path) -> Option<String> {
    let file = |name: &str| format!("{:?}", dir.join(name).display().to_string());
    let plain = "'%(levelname)s %(name)s %(message)s'";
    let timed = "'%(asctime)s %(levelname)-8s %(name)s %(message)s'";
    let rotating = |format: &str, extra: &str| {
        format!(
            "version: 1\nformatters: {{f: {{format: {format}}}}}\nhandlers:\n  file:\n    class: logging.handlers.RotatingFileHandler\n    formatter: f\n    filename: {}\n    maxBytes: 1073741824\n    backupCount: 1{extra}\nroot: {{level: DEBUG, handlers: [file]}}\n",
            file("app.log")
        )
    };
    Some(match path {
        "quiet" | "quiet_log" | "text" => rotating(plain, ""),
        "text_time" => rotating(timed, ""),
        "timed" => format!(
            "version: 1\nformatters: {{f: {{format: {plain}}}}}\nhandlers:\n  file: {{class: logging.handlers.TimedRotatingFileHandler, formatter: f, when: midnight, filename: {}}}\nroot: {{level: DEBUG, handlers: [file]}}\n",
            file("timed.log")
        ),
        "buffered" => rotating(plain, "\n    buffer: {capacity: 65536}"),
        "fanout" => format!(
            "version: 1\nformatters:\n  a: {{format: {plain}}}\n  b: {{format: '%(levelname)s:%(message)s'}}\nhandlers:\n  one: {{class: logging.FileHandler, formatter: a, filename: {}}}\n  two: {{class: logging.FileHandler, formatter: a, filename: {}}}\n  three: {{class: logging.FileHandler, formatter: b, filename: {}}}\nroot: {{level: DEBUG, handlers: [one, two, three]}}\n",
            file("one.log"),
            file("two.log"),
            file("three.log")
        ),
        "json" => format!(
            "version: 1\nformatters: {{j: {{class: logconf.JsonFormatter}}}}\nhandlers:\n  file: {{class: logging.FileHandler, formatter: j, filename: {}}}\nroot: {{level: DEBUG, handlers: [file]}}\n",
            file("app.jsonl")
        ),
        "ecs" => format!(
            "version: 1\nformatters: {{j: {{(): ecs_logging.StdlibFormatter}}}}\nhandlers:\n  file: {{class: logging.FileHandler, formatter: j, filename: {}}}\nroot: {{level: DEBUG, handlers: [file]}}\n",
            file("ecs.jsonl")
        ),
        _ => return None,
    })
}

#[inline(never)]
fn app_info(i: u64) {
    tracing::info!(target: "bench_app::service", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
fn app_fields(i: u64) {
    tracing::info!(target: "bench_app::service", user = "alice", rows = i, ok = true, "request handled in {} ms", 42);
}

#[inline(never)]
fn sdk_debug(i: u64) {
    tracing::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

#[inline(never)]
fn log_sdk_debug(i: u64) {
    log::debug!(target: "aws_sdk_ec2::client", "request {} handled in {} ms", i, 42);
}

/// `n` records through the floor layer instead of logconf.
fn floor(dir: &Path, buffered: bool, n: u64) -> ExitCode {
    use logconf_bench::floor::FloorLayer;
    use tracing_subscriber::layer::SubscriberExt as _;
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("floor.log"))
    {
        Ok(file) => std::sync::Arc::new(file),
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let layer = if buffered {
        FloorLayer::buffered(file)
    } else {
        FloorLayer::per_record(file)
    };
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    tracing::dispatcher::with_default(&dispatch, || {
        app_info(0);
        for i in 1..=n {
            app_info(std::hint::black_box(i));
        }
    });
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!(
            "usage: instructions quiet|quiet_log|text|text_time|timed|buffered|fanout|json|ecs|floor|floor_buffered N"
        );
        return ExitCode::from(2);
    };
    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("cannot make a temporary directory");
        return ExitCode::FAILURE;
    };
    if let Some(buffered) = match path.as_str() {
        "floor" => Some(false),
        "floor_buffered" => Some(true),
        _ => None,
    } {
        return floor(dir.path(), buffered, n);
    }
    let Some(yaml) = config(path, dir.path()) else {
        eprintln!("unknown path {path}");
        return ExitCode::from(2);
    };
    let guard = match logconf::Config::from_yaml_str(&yaml).and_then(|c| c.build()?.install()) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    // One record first: callsite registration and buffers are not per record.
    let event: fn(u64) = match path.as_str() {
        "quiet" => sdk_debug,
        "quiet_log" => log_sdk_debug,
        "json" | "ecs" => app_fields,
        _ => app_info,
    };
    event(0);
    for i in 1..=n {
        event(std::hint::black_box(i));
    }
    drop(guard);
    ExitCode::SUCCESS
}
