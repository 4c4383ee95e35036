//! Time, injected: record timestamps, time-based rotation and the reopen
//! back-off ask one [`Clock`] per built config instead of the system, so
//! tests can step a fake clock ([`ManualClock`]) through hours and DST
//! changes in milliseconds.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a handler waits before retrying an operation that failed
/// (opening its file, rolling it over): at most one attempt per second, so a
/// dead disk does not cost a syscall storm.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(1);

/// A source of wall-clock time.
///
/// Wall-clock (not monotonic) time so that time-based rotation, which rolls
/// over at calendar boundaries as Python's `TimedRotatingFileHandler` does,
/// can share it. Users of the clock must tolerate it going backwards.
pub(crate) trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The real clock: [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Wall-clock nanoseconds since the Unix epoch of `t` (negative before it).
pub(crate) fn epoch_ns(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

/// A clock moved by hand, for tests that drive a built config through
/// hours of rotation in milliseconds
/// ([`Config::build_with_clock`](crate::Config::build_with_clock)).
/// Clones share the same time. Not part of the stable API.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let clock = logconf::testing::ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.advance(Duration::from_secs(3600));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_003_600));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    /// The time every clone returns.
    now: Arc<Mutex<SystemTime>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: SystemTime) -> ManualClock {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// The time it shows.
    pub fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the time (also backwards).
    pub fn set(&self, to: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = to;
    }

    /// Moves the clock forward by `by` (saturating at the far future).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(later) = now.checked_add(by) {
            *now = later;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        ManualClock::now(self)
    }
}

/// Remembers when an operation last failed and says when it may be retried.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Backoff {
    /// When the operation last failed; `None` if it has not failed since it
    /// last succeeded.
    failed_at: Option<SystemTime>,
}

impl Backoff {
    /// Whether the operation may be attempted at `now`: it has not failed, or
    /// [`RETRY_AFTER`] has passed since it did, or the clock went backwards
    /// (so a clock step can never stop retries for good).
    pub(crate) fn ready(&self, now: SystemTime) -> bool {
        match self.failed_at {
            None => true,
            Some(at) => match now.duration_since(at) {
                Ok(elapsed) => elapsed >= RETRY_AFTER,
                Err(_) => true,
            },
        }
    }

    /// Records a failure at `now`.
    /// No failure pending: ready without asking the clock.
    pub(crate) fn is_clear(&self) -> bool {
        self.failed_at.is_none()
    }

    pub(crate) fn failed(&mut self, now: SystemTime) {
        self.failed_at = Some(now);
    }

    /// Records a success: the next attempt may happen at once.
    pub(crate) fn succeeded(&mut self) {
        self.failed_at = None;
    }
}

/// A clock tests move by hand.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct FakeClock {
    /// The time `now` returns.
    now: std::sync::Mutex<SystemTime>,
}

#[cfg(test)]
impl FakeClock {
    /// A clock stopped at an arbitrary fixed instant.
    pub(crate) fn new() -> FakeClock {
        FakeClock {
            now: std::sync::Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        }
    }

    /// Moves the clock by `by` (backwards if `back`).
    pub(crate) fn step(&self, by: Duration, back: bool) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = if back { *now - by } else { *now + by };
    }
}

#[cfg(test)]
impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_waits_one_second_and_tolerates_a_clock_going_back() {
        let clock = FakeClock::new();
        let mut backoff = Backoff::default();
        assert!(backoff.ready(clock.now()));
        backoff.failed(clock.now());
        assert!(!backoff.ready(clock.now()));
        clock.step(Duration::from_millis(999), false);
        assert!(!backoff.ready(clock.now()));
        clock.step(Duration::from_millis(1), false);
        assert!(backoff.ready(clock.now()));
        backoff.failed(clock.now());
        clock.step(Duration::from_secs(5), true);
        assert!(backoff.ready(clock.now()));
        backoff.succeeded();
        assert!(backoff.ready(clock.now()));
    }
}
