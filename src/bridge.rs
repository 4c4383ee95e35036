//! Routing `log` records into `tracing`, and the checks `install` makes
//! before it touches global state.
//!
//! The `log` logger logconf installs is `tracing-log`'s `LogTracer` behind
//! a gate: while the current `tracing` dispatcher is the subscriber
//! [`Logging::install`](crate::Logging::install) set as the global default
//! (logconf alone), the gate answers for a record from its target's
//! threshold, kept per thread ([`Runtime::log_enabled`]): a record the
//! config does not write ends there, and one it writes goes straight to
//! the dispatcher. Under any other dispatcher (a scoped one, another
//! global one) `LogTracer` decides as usual.

#[cfg(feature = "log")]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(feature = "log")]
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

#[cfg(feature = "log")]
use tracing_core::Dispatch;
#[cfg(feature = "log")]
use tracing_log::log;

use crate::error::Error;
#[cfg(feature = "log")]
use crate::level::Level;
#[cfg(feature = "log")]
use crate::subscriber::{LogconfLayer, RouteFilter, Runtime};

/// Whether this crate installed its `log` logger ([`Bridge`]).
#[cfg(feature = "log")]
static LOG_BRIDGE: AtomicBool = AtomicBool::new(false);

/// Routes records of the `log` crate into `tracing`, so logconf routes them
/// by their own target. Idempotent, and at ease with the bridge that
/// tracing-subscriber's `.init()` / `.try_init()` install (`tracing-log`'s
/// `LogTracer`): when the `log` logger already hands records to `tracing`,
/// there is nothing to do and this returns `Ok`.
///
/// The logger it installs is `LogTracer` behind a gate: once
/// [`Logging::install`](crate::Logging::install) has made logconf the
/// global subscriber, a record the config does not write is dropped after
/// a per-thread lookup by target, without asking the dispatcher; and the
/// `log` crate's max level (`log::max_level()`) follows the config, through
/// reloads: the most verbose level any target may write. Until then, and
/// whenever another dispatcher is current (`with_default`), records go
/// through `LogTracer` unchanged (with the max level at `Trace`, as
/// `LogTracer::init` sets it).
///
/// # Errors
///
/// Fails if another `log` logger that does not lead to `tracing` is
/// installed (`env_logger`, `simple_logger`, ...): `log` records cannot
/// reach logconf then.
///
/// ```
/// logconf::install_log_bridge()?;
/// logconf::install_log_bridge()?; // a second call is fine
/// # Ok::<(), logconf::Error>(())
/// ```
#[cfg(feature = "log")]
pub fn install_log_bridge() -> Result<(), Error> {
    if LOG_BRIDGE.load(Ordering::Acquire) {
        return Ok(());
    }
    let bridge = Bridge {
        tracer: tracing_log::LogTracer::new(),
    };
    match log::set_boxed_logger(Box::new(bridge)) {
        Ok(()) => {
            // What `LogTracer::init` sets: every record reaches the logger.
            log::set_max_level(log::LevelFilter::Trace);
            LOG_BRIDGE.store(true, Ordering::Release);
            Ok(())
        }
        // Another thread may have won the race with the same bridge.
        Err(_) if LOG_BRIDGE.load(Ordering::Acquire) => Ok(()),
        // tracing-subscriber's `init()` (or anyone) installed a `LogTracer`.
        Err(_) if log_reaches_tracing() => Ok(()),
        Err(err) => Err(Error::install_because(
            "another `log` logger is already installed, so `log` records cannot be routed",
            err,
        )),
    }
}

/// The subscriber [`Logging::install`](crate::Logging::install) makes the
/// global default: a registry with logconf's filtered layer, alone.
#[cfg(feature = "log")]
pub(crate) type Installed = tracing_subscriber::layer::Layered<
    tracing_subscriber::filter::Filtered<LogconfLayer, RouteFilter, tracing_subscriber::Registry>,
    tracing_subscriber::Registry,
>;

/// The global subscriber logconf installed: where it lives and its config.
#[cfg(feature = "log")]
#[derive(Debug)]
struct Global {
    /// The address of the [`Installed`] subscriber inside the global
    /// dispatcher. A scoped dispatcher is another allocation (even one of
    /// the same type, `Logging::subscriber`), and no dispatcher can wrap
    /// the global one, so a current dispatcher found at this address is
    /// the global one, with logconf alone deciding.
    subscriber: usize,
    runtime: Arc<Runtime>,
}

/// Set once, when logconf is installed as the global subscriber.
#[cfg(feature = "log")]
static GLOBAL: OnceLock<Global> = OnceLock::new();

/// The address of the [`Installed`] subscriber `dispatch` holds, if that is
/// what it holds.
#[cfg(feature = "log")]
pub(crate) fn installed_address(dispatch: &Dispatch) -> Option<usize> {
    dispatch
        .downcast_ref::<Installed>()
        .map(|s| std::ptr::from_ref(s).addr())
}

/// What [`Logging::install`](crate::Logging::install) calls once
/// `dispatch`, holding `runtime`'s [`Installed`] subscriber, is the global
/// default (`address` is [`installed_address`] of it, taken before it was
/// handed over): the gate opens, and the `log` crate's max level follows
/// the config if logconf's bridge is the `log` logger.
#[cfg(feature = "log")]
pub(crate) fn installed_globally(address: Option<usize>, runtime: &Arc<Runtime>) {
    let Some(subscriber) = address else {
        return;
    };
    let global = GLOBAL.get_or_init(|| Global {
        subscriber,
        runtime: Arc::clone(runtime),
    });
    follow_max_level(global);
}

/// After `runtime` swapped its config in (a reload): the `log` crate's max
/// level follows it, if `runtime` is the installed one.
#[cfg(feature = "log")]
pub(crate) fn config_swapped(runtime: &Runtime) {
    if let Some(global) = GLOBAL.get()
        && std::ptr::eq(Arc::as_ptr(&global.runtime), runtime)
    {
        follow_max_level(global);
    }
}

/// Sets the `log` crate's max level to the most verbose level the current
/// config writes, when logconf's bridge is the `log` logger (a `LogTracer`
/// someone else installed keeps the max level it was given). Serialised,
/// and read from the config current under the lock: of an install and a
/// reload racing, the last to set it reads the newest config.
#[cfg(feature = "log")]
fn follow_max_level(global: &Global) {
    static SETTING: Mutex<()> = Mutex::new(());
    if !LOG_BRIDGE.load(Ordering::Acquire) {
        return;
    }
    let _setting = SETTING.lock().unwrap_or_else(PoisonError::into_inner);
    log::set_max_level(level_filter(global.runtime.lowest_output()));
}

/// The most verbose `log` level filter that lets every record at `lowest`
/// or above through.
#[cfg(feature = "log")]
fn level_filter(lowest: Level) -> log::LevelFilter {
    [
        (Level::TRACE, log::LevelFilter::Trace),
        (Level::DEBUG, log::LevelFilter::Debug),
        (Level::INFO, log::LevelFilter::Info),
        (Level::WARNING, log::LevelFilter::Warn),
        (Level::ERROR, log::LevelFilter::Error),
    ]
    .into_iter()
    .find(|&(level, _)| level >= lowest)
    .map_or(log::LevelFilter::Off, |(_, filter)| filter)
}

/// A `log` level as logconf numbers it.
#[cfg(feature = "log")]
fn level_of(level: log::Level) -> Level {
    match level {
        log::Level::Error => Level::ERROR,
        log::Level::Warn => Level::WARNING,
        log::Level::Info => Level::INFO,
        log::Level::Debug => Level::DEBUG,
        log::Level::Trace => Level::TRACE,
    }
}

/// Whether the global config writes a record from `target` at `level`:
/// `None` unless the current dispatcher is the one logconf installed.
#[cfg(feature = "log")]
fn gate(target: &str, level: log::Level) -> Option<bool> {
    let global = GLOBAL.get()?;
    let current = tracing_core::dispatcher::get_default(installed_address);
    if current != Some(global.subscriber) {
        return None;
    }
    Some(global.runtime.log_enabled(target, level_of(level)))
}

/// The `log` logger: `LogTracer` behind the gate.
#[cfg(feature = "log")]
#[derive(Debug)]
struct Bridge {
    tracer: tracing_log::LogTracer,
}

#[cfg(feature = "log")]
impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        match gate(metadata.target(), metadata.level()) {
            Some(enabled) => enabled,
            None => self.tracer.enabled(metadata),
        }
    }

    fn log(&self, record: &log::Record<'_>) {
        match gate(record.target(), record.level()) {
            Some(false) => {}
            // The dispatcher is logconf's and writes it: `LogTracer` would
            // ask it `enabled` once more before dispatching.
            Some(true) => {
                let _ = tracing_log::format_trace(record);
            }
            None => log::Log::log(&self.tracer, record),
        }
    }

    fn flush(&self) {
        log::Log::flush(&self.tracer);
    }
}

/// The target of the question [`log_reaches_tracing`] asks.
#[cfg(feature = "log")]
const PROBE_TARGET: &str = "logconf::log_bridge_probe";

/// Whether the installed `log` logger hands records to `tracing`.
///
/// The logger is asked `enabled` for an ERROR record, with a probe
/// subscriber as this thread's default: a `LogTracer` passes the question
/// on to the current `tracing` dispatcher, so the probe sees it; any other
/// logger answers for itself. `enabled` writes nothing, so nothing is
/// printed by a logger that is not a bridge.
#[cfg(feature = "log")]
fn log_reaches_tracing() -> bool {
    use tracing_core::span::{Attributes, Id, Record};
    use tracing_core::{Event, Metadata};

    /// Notes whether it was asked about [`PROBE_TARGET`].
    struct Probe(Arc<AtomicBool>);

    impl tracing_core::Subscriber for Probe {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            if metadata.target() == PROBE_TARGET {
                self.0.store(true, Ordering::Relaxed);
            }
            false
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    let asked = Arc::new(AtomicBool::new(false));
    let probe = Dispatch::new(Probe(Arc::clone(&asked)));
    let metadata = log::Metadata::builder()
        .level(log::Level::Error)
        .target(PROBE_TARGET)
        .build();
    tracing_core::dispatcher::with_default(&probe, || log::logger().enabled(&metadata));
    drop(probe);
    // The probe took part in the callsites' interest while it lived.
    tracing_core::callsite::rebuild_interest_cache();
    asked.load(Ordering::Relaxed)
}

/// Held by `init*()` from the check for a global subscriber until the
/// config is installed or has failed: of several `init()`s at once, only
/// the first opens (and, with `mode: w`, truncates) its files; the others
/// then find its subscriber installed and open nothing.
static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes the lock of [`INSTALLING`] (a panic while holding it poisons
/// nothing that matters: the lock guards no data).
pub(crate) fn installing() -> std::sync::MutexGuard<'static, ()> {
    INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Fails, before anything is opened or installed, if a global `tracing`
/// subscriber is already set.
pub(crate) fn ensure_no_global_subscriber() -> Result<(), Error> {
    if tracing_core::dispatcher::has_been_set() {
        return Err(Error::install(
            "a global tracing subscriber is already installed; use `Logging::layer` to add logconf to it",
        ));
    }
    Ok(())
}
