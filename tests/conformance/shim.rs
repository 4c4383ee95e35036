//! The one place the suite calls logconf's public API: load `config.yaml`
//! from the working directory, build it (on a fake clock for scenarios that
//! have one), bridge the `log` crate, and run the scenario's events under
//! the built subscriber; plus the steps between events (clock moves and
//! file operations) that `events.rs` calls.

use std::fs;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use logconf::testing::ManualClock;

/// A scenario's fake clock (generated into `events.rs`).
#[derive(Debug)]
pub(crate) struct Clock {
    /// The start, in nanoseconds since the epoch.
    pub(crate) start_ns: i64,
    /// The zone (`TZ`) both sides run in.
    pub(crate) tz: &'static str,
    /// The modification time of each input file, in nanoseconds.
    pub(crate) mtimes: &'static [(&'static str, i64)],
}

/// The clock of the running scenario, if it has one.
static CLOCK: OnceLock<ManualClock> = OnceLock::new();

/// `ns` nanoseconds since the epoch as a time.
pub(crate) fn time_of(ns: i64) -> SystemTime {
    let magnitude = Duration::from_nanos(ns.unsigned_abs());
    if ns >= 0 {
        UNIX_EPOCH + magnitude
    } else {
        UNIX_EPOCH - magnitude
    }
}

/// Runs `emit` under the subscriber built from `./config.yaml` (on the
/// fake clock starting at `clock`'s start, if given), then flushes (which
/// waits for compressions) and drops everything logconf built. Returns
/// what `emit` returned (false: no such scenario), or the error logconf
/// reported.
pub(crate) fn run(clock: Option<Clock>, emit: impl FnOnce() -> bool) -> Result<bool, String> {
    let config = logconf::Config::from_path("config.yaml").map_err(|e| e.to_string())?;
    let built = match clock {
        Some(clock) => {
            let manual = CLOCK.get_or_init(|| ManualClock::new(time_of(clock.start_ns)));
            config.build_with_clock(manual)
        }
        None => config.build(),
    }
    .map_err(|e| e.to_string())?;
    logconf::install_log_bridge().map_err(|e| e.to_string())?;
    let found = tracing::subscriber::with_default(built.subscriber(), emit);
    built.flush();
    drop(built);
    Ok(found)
}

/// The running scenario's clock.
fn clock() -> &'static ManualClock {
    CLOCK
        .get()
        .unwrap_or_else(|| panic!("a step needs the scenario's `clock:`"))
}

/// Moves the clock forward by `ns` nanoseconds.
pub(crate) fn advance_ns(ns: u64) {
    clock().advance(Duration::from_nanos(ns));
}

/// Sets the clock to `ns` nanoseconds since the epoch.
pub(crate) fn set_ns(ns: i64) {
    clock().set(time_of(ns));
}

/// Renames `from` to `to` (logrotate's `create`).
pub(crate) fn rename(from: &str, to: &str) {
    fs::rename(from, to).unwrap_or_else(|e| panic!("rename {from} to {to}: {e}"));
}

/// Removes `path`.
pub(crate) fn remove(path: &str) {
    fs::remove_file(path).unwrap_or_else(|e| panic!("remove {path}: {e}"));
}

/// Copies `from` to `to`, then truncates `from` (logrotate's `copytruncate`).
pub(crate) fn copy_truncate(from: &str, to: &str) {
    fs::copy(from, to).unwrap_or_else(|e| panic!("copy {from} to {to}: {e}"));
    fs::OpenOptions::new()
        .write(true)
        .open(from)
        .and_then(|f| f.set_len(0))
        .unwrap_or_else(|e| panic!("truncate {from}: {e}"));
}

/// Writes `text` to `path` (another program's file appearing).
pub(crate) fn write(path: &str, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {path}: {e}"));
}
