//! The watch: a thread that checks the config file every period and
//! reloads when it changed. Polling `stat` (symlinks followed) sees an
//! editor's save by rename and a Kubernetes ConfigMap's symlink swap alike,
//! without inotify; the content's hash decides whether to reload.

use std::sync::Weak;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

use super::Live;

/// A running watch thread. Dropping it ends the thread at once (its
/// channel disconnects); so does dropping the [`Live`] it follows.
#[derive(Debug)]
pub(super) struct Watcher {
    period: Duration,
    _stop: Sender<()>,
}

impl Watcher {
    /// Starts checking `live`'s file every `period`; `None` if the thread
    /// cannot be started (then only [`Live::reload`] reloads).
    pub(super) fn start(live: Weak<Live>, period: Duration) -> Option<Watcher> {
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("logconf-watch".to_owned())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    match live.upgrade() {
                        Some(live) => live.poll(),
                        None => return,
                    }
                }
            })
            .ok()?;
        Some(Watcher {
            period,
            _stop: stop,
        })
    }

    /// How often the file is checked.
    pub(super) fn period(&self) -> Duration {
        self.period
    }
}
