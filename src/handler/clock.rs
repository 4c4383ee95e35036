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

    /// The whole seconds since the epoch of a cheaper reading that is
    /// never later than [`Clock::now`] and less than [`COARSE_LAG`] earlier,
    /// for a caller that only needs to know it is well before a deadline;
    /// `None` if the clock has none (then the caller reads
    /// [`Clock::now`]).
    fn coarse_seconds(&self) -> Option<i64> {
        None
    }
}

/// How far [`Clock::coarse_seconds`] may lag [`Clock::now`], with room to
/// spare: the kernel's coarse clock is the time of the last timer tick
/// (4 ms with `HZ=250`, 10 ms with `HZ=100`).
pub(crate) const COARSE_LAG: Duration = Duration::from_secs(1);

/// The real clock: [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// `CLOCK_REALTIME_COARSE` (the last tick's time, read in the vDSO:
    /// 6.7 ns against 19 ns for `SystemTime::now` here): the same clock as
    /// `CLOCK_REALTIME`, stepped with it, behind it by less than a tick.
    /// Read through libc's `clock_gettime`, as `SystemTime::now` is, so a
    /// clock interposed there (libfaketime) moves both alike.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn coarse_seconds(&self) -> Option<i64> {
        use rustix::time::{ClockId, DynamicClockId, clock_gettime_dynamic};
        clock_gettime_dynamic(DynamicClockId::Known(ClockId::RealtimeCoarse))
            .ok()
            .map(|t| t.tv_sec)
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
    /// How far behind `now` `coarse_seconds` reads; `None`: no coarse reading.
    coarse_lag: std::sync::Mutex<Option<Duration>>,
    /// Calls of `now`.
    reads: std::sync::atomic::AtomicU32,
}

#[cfg(test)]
impl FakeClock {
    /// A clock stopped at an arbitrary fixed instant.
    pub(crate) fn new() -> FakeClock {
        FakeClock {
            now: std::sync::Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            coarse_lag: std::sync::Mutex::new(None),
            reads: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// Gives the clock a coarse reading `lag` behind `now`.
    pub(crate) fn with_coarse_lag(self, lag: Duration) -> FakeClock {
        *self
            .coarse_lag
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(lag);
        self
    }

    /// How many times `now` was read.
    pub(crate) fn reads(&self) -> u32 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
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
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn coarse_seconds(&self) -> Option<i64> {
        let lag = *self
            .coarse_lag
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let coarse = now.checked_sub(lag?)?;
        i64::try_from(coarse.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coarse_clock_is_never_ahead_and_never_far_behind() {
        if cfg!(any(target_os = "linux", target_os = "android")) {
            assert!(SystemClock.coarse_seconds().is_some());
        }
        for _ in 0..100_000 {
            let Some(coarse) = SystemClock.coarse_seconds() else {
                return;
            };
            let now = SystemClock
                .now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64());
            let now = now.unwrap_or(0.0);
            // Whole seconds of a reading less than COARSE_LAG behind now.
            #[allow(clippy::cast_precision_loss)]
            let coarse = coarse as f64;
            assert!(coarse <= now, "{coarse} after {now}");
            assert!(
                now - coarse < 1.0 + COARSE_LAG.as_secs_f64(),
                "{coarse} long before {now}"
            );
        }
    }

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
