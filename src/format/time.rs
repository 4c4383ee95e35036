//! `%(asctime)s`: Python's `Formatter.formatTime` with `time.localtime`.
//!
//! Without `datefmt` the time is `%Y-%m-%d %H:%M:%S` followed by `,` and
//! the milliseconds (`2026-11-29 14:47:13,123`). With `datefmt` it is that
//! format alone, with no milliseconds added, as in Python.
//!
//! `datefmt` is formatted by `jiff`'s `strftime` with its POSIX locale, so
//! `%c` (`Sun Nov 29 14:47:13 2026`), `%x` (`11/29/26`), `%X`, `%p` and the
//! names of days and months are those of the C locale, as in Python under
//! the default locale. Supported directives: `%a %A %b %B %c %C %d %D %e
//! %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s %S %t %T %u %U %V %w
//! %W %x %X %y %Y %z %Z %%`, plus `jiff` extensions (`%f`, `%N`, `%:z`, flags
//! like `%-d`). A directive `jiff` rejects is an error at load time
//! (Python's C library would print it literally).
//!
//! The zone is the system's (`TZ` is honoured), read when the formatter is
//! compiled.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use jiff::fmt::strtime::{BrokenDownTime, Config, PosixCustom};
use jiff::tz::TimeZone;

use super::FormatError;

const DEFAULT_DATEFMT: &str = "%Y-%m-%d %H:%M:%S";

/// The next [`Clock::id`]: ids are never reused.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// How many clocks each thread keeps a formatted second for.
const CACHED_CLOCKS: usize = 4;

thread_local! {
    /// Per thread: the last second each recently used clock formatted, as
    /// (clock id, second, text). Per thread, so that threads logging at once
    /// neither share a lock nor write a shared cache line per record.
    static SECONDS: RefCell<Vec<(u64, Option<i64>, String)>> = const { RefCell::new(Vec::new()) };
}

/// Formats record times for one formatter, caching the last second.
#[derive(Debug)]
pub(super) struct Clock {
    tz: TimeZone,
    /// `None` is the default format plus `,mmm`.
    datefmt: Option<String>,
    /// The output depends only on the whole second (no `%f`-like directive).
    cacheable: bool,
    /// Names this clock's entries in the per-thread cache of seconds.
    id: u64,
}

impl Clock {
    /// Checks `datefmt` by formatting fixed timestamps.
    pub(super) fn new(datefmt: Option<&str>, tz: TimeZone) -> Result<Clock, FormatError> {
        let datefmt = datefmt.filter(|d| !d.is_empty()).map(str::to_owned);
        let mut clock = Clock {
            tz,
            datefmt,
            cacheable: true,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        };
        let mut a = String::new();
        let mut b = String::new();
        let base: i128 = 1_700_000_000 * 1_000_000_000;
        let ok_a = clock.write_seconds(&mut a, base);
        let ok_b = clock.write_seconds(&mut b, base + 999_999_999);
        if let Err(e) = ok_a.and(ok_b) {
            let shown = clock.datefmt.as_deref().unwrap_or(DEFAULT_DATEFMT);
            return Err(FormatError {
                message: format!("cannot format times with datefmt `{shown}`"),
                offset: None,
                help: Some(e.to_string()),
            });
        }
        clock.cacheable = a == b;
        Ok(clock)
    }

    /// Shows times in `tz` from now on.
    pub(super) fn set_time_zone(&mut self, tz: TimeZone) {
        self.tz = tz;
        // Seconds cached under the old id were shown in the old zone.
        self.id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    }

    /// Formats the date-and-time part (no milliseconds) of `ns`.
    fn write_seconds(&self, out: &mut dyn jiff::fmt::Write, ns: i128) -> Result<(), jiff::Error> {
        let ts = Timestamp::from_nanosecond(ns)?;
        let zdt = ts.to_zoned_datetime(self.tz.clone());
        let tm = BrokenDownTime::from(&zdt);
        let config = Config::new().custom(PosixCustom::new());
        let fmt = self.datefmt.as_deref().unwrap_or(DEFAULT_DATEFMT);
        tm.format_with_config(&config, fmt, out)
    }

    /// Appends `asctime` for a record created at `created_ns`.
    pub(super) fn write(&self, out: &mut Vec<u8>, created_ns: i128) {
        let secs = created_ns.div_euclid(1_000_000_000);
        let key = i64::try_from(secs).ok().filter(|_| self.cacheable);
        let cached = key.is_some_and(|key| {
            SECONDS
                .try_with(|cell| match cell.try_borrow_mut() {
                    Ok(mut cache) => {
                        self.write_cached(&mut cache, out, created_ns, key);
                        true
                    }
                    // An event logged while this thread formats a time.
                    Err(_) => false,
                })
                .unwrap_or(false)
        });
        if !cached {
            self.write_direct(out, created_ns);
        }
        if self.datefmt.is_none() {
            // `,mmm`, without `core::fmt` (every record with a time).
            let msecs = created_ns.rem_euclid(1_000_000_000) / 1_000_000;
            let digit = |d: i128| b'0' + u8::try_from(d % 10).unwrap_or(0);
            out.extend_from_slice(&[b',', digit(msecs / 100), digit(msecs / 10), digit(msecs)]);
        }
    }

    /// Formats the seconds of `created_ns` straight into `out`.
    fn write_direct(&self, out: &mut Vec<u8>, created_ns: i128) {
        let start = out.len();
        if self.write_seconds(out, created_ns).is_err() {
            out.truncate(start);
        }
    }

    /// Appends the text of second `key` from this thread's `cache`,
    /// formatting it first when the clock's entry holds another second.
    fn write_cached(
        &self,
        cache: &mut Vec<(u64, Option<i64>, String)>,
        out: &mut Vec<u8>,
        created_ns: i128,
        key: i64,
    ) {
        let at = match cache.iter().position(|entry| entry.0 == self.id) {
            Some(at) => at,
            None => {
                if cache.len() >= CACHED_CLOCKS {
                    cache.remove(0);
                }
                cache.push((self.id, None, String::new()));
                cache.len() - 1
            }
        };
        let Some((_, second, text)) = cache.get_mut(at) else {
            self.write_direct(out, created_ns);
            return;
        };
        if *second != Some(key) {
            text.clear();
            *second = None;
            if self.write_seconds(text, created_ns).is_ok() {
                *second = Some(key);
            } else {
                text.clear();
            }
        }
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(clock: &Clock, ns: i128) -> String {
        let mut out = Vec::new();
        clock.write_direct(&mut out, ns);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn the_per_thread_cache_never_mixes_clocks_or_seconds() {
        // More clocks than the cache keeps, each with its own format, used
        // in turn over a few seconds: every text is what a fresh format of
        // that second gives.
        let formats = ["%Y", "%H:%M:%S", "%d/%m", "%s", "%j", "%T %Z", "%c"];
        let utc = TimeZone::UTC;
        let clocks: Vec<Clock> = formats
            .iter()
            .map(|f| Clock::new(Some(f), utc.clone()).expect("a valid datefmt"))
            .collect();
        let base: i128 = 1_800_000_000 * 1_000_000_000;
        for step in 0..40i128 {
            let ns = base + (step / 3) * 1_000_000_000 + step * 7_000_000;
            for clock in clocks
                .iter()
                .rev()
                .skip(usize::try_from(step % 2).unwrap_or(0))
            {
                let mut out = Vec::new();
                clock.write(&mut out, ns);
                assert_eq!(String::from_utf8_lossy(&out), direct(clock, ns));
            }
        }
        // A new zone is not served the old zone's text.
        let mut clock = Clock::new(Some("%H"), TimeZone::UTC).expect("valid");
        let mut before = Vec::new();
        clock.write(&mut before, base);
        clock.set_time_zone(TimeZone::fixed(jiff::tz::offset(5)));
        let mut after = Vec::new();
        clock.write(&mut after, base);
        assert_ne!(before, after);
        assert_eq!(String::from_utf8_lossy(&after), direct(&clock, base));
    }
}
