//! `SIGHUP` reloads the config (`logconf: {reload_on_sighup: true}`, cargo
//! feature `sighup`): the daemon convention, for processes whose operators
//! send `kill -HUP` after editing the file.
//!
//! The standard library has no signal API, and a signal handler may do
//! almost nothing safely; `signal-hook` registers one that only writes to
//! a pipe, and a thread here reads the pipe and reloads. The thread ends
//! when the listener is dropped (its handle closes the pipe). As with
//! `signal-hook` in general, once registered the process's own handler
//! stays installed: after the listener is gone, `SIGHUP` is ignored rather
//! than ending the process.

use std::sync::Weak;

use signal_hook::consts::SIGHUP;
use signal_hook::iterator::{Handle, Signals};

use super::Live;
use crate::handler::report::ErrorSink;

/// A running `SIGHUP` thread; dropping it ends the thread.
#[derive(Debug)]
pub(super) struct Listener {
    handle: Handle,
}

impl Listener {
    /// Reloads `live` on each `SIGHUP`. `None` (reported on `errors`) if
    /// the signal cannot be registered or the thread cannot be started.
    pub(super) fn start(live: Weak<Live>, errors: &dyn ErrorSink) -> Option<Listener> {
        let started = Signals::new([SIGHUP]).and_then(|mut signals| {
            let handle = signals.handle();
            std::thread::Builder::new()
                .name("logconf-sighup".to_owned())
                .spawn(move || {
                    for _ in signals.forever() {
                        match live.upgrade() {
                            // A failure is reported by the reload itself.
                            Some(live) => drop(live.reload()),
                            None => return,
                        }
                    }
                })?;
            Ok(handle)
        });
        match started {
            Ok(handle) => Some(Listener { handle }),
            Err(err) => {
                let text = format!(
                    "--- Logging error ---\nlogconf: cannot listen for SIGHUP; reload with `Guard::reload`: {err}\n"
                );
                errors.write_report(text.as_bytes());
                None
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.handle.close();
    }
}
