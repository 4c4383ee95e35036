//! Routing `log` records into `tracing`, and the checks `install` makes
//! before it touches global state.

#[cfg(feature = "log")]
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;

/// Whether this crate installed `tracing-log`'s `LogTracer`.
#[cfg(feature = "log")]
static LOG_BRIDGE: AtomicBool = AtomicBool::new(false);

/// Routes records of the `log` crate into `tracing`, so logconf routes them
/// by their own target. Idempotent.
///
/// # Errors
///
/// Fails if another `log` logger is installed (`env_logger`, or the bridge
/// that tracing-subscriber's `.init()` installs: then `log` records already
/// reach `tracing`, and there is nothing to do).
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
        Err(err) => Err(Error::install_because(
            "another `log` logger is already installed, so `log` records cannot be routed",
            err,
        )),
    }
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
