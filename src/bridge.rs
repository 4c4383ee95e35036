//! Routing `log` records into `tracing`, and the checks `install` makes
//! before it touches global state.

#[cfg(feature = "log")]
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// Whether this crate installed `tracing-log`'s `LogTracer`.
#[cfg(feature = "log")]
static LOG_BRIDGE: AtomicBool = AtomicBool::new(false);

/// Routes records of the `log` crate into `tracing`, so logconf routes them
/// by their own target. Idempotent, and at ease with the bridge that
/// tracing-subscriber's `.init()` / `.try_init()` install (`tracing-log`'s
/// `LogTracer`): when the `log` logger already hands records to `tracing`,
/// there is nothing to do and this returns `Ok`.
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
    match tracing_log::LogTracer::init() {
        Ok(()) => {
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
    use std::sync::Arc;
    use tracing_core::span::{Attributes, Id, Record};
    use tracing_core::{Dispatch, Event, Metadata};
    use tracing_log::log;

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
