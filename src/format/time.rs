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

use std::sync::Mutex;

use jiff::Timestamp;
use jiff::fmt::strtime::{BrokenDownTime, Config, PosixCustom};
use jiff::tz::TimeZone;

use super::FormatError;

const DEFAULT_DATEFMT: &str = "%Y-%m-%d %H:%M:%S";

/// Formats record times for one formatter, caching the last second.
#[derive(Debug)]
pub(super) struct Clock {
    tz: TimeZone,
    /// `None` is the default format plus `,mmm`.
    datefmt: Option<String>,
    /// The output depends only on the whole second (no `%f`-like directive).
    cacheable: bool,
    /// The last formatted second and its text.
    cache: Mutex<(Option<i64>, String)>,
}

impl Clock {
    /// Checks `datefmt` by formatting fixed timestamps.
    pub(super) fn new(datefmt: Option<&str>, tz: TimeZone) -> Result<Clock, FormatError> {
        let datefmt = datefmt.filter(|d| !d.is_empty()).map(str::to_owned);
        let mut clock = Clock {
            tz,
            datefmt,
            cacheable: true,
            cache: Mutex::new((None, String::new())),
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
        let cache = self.cache.get_mut().unwrap_or_else(|p| p.into_inner());
        *cache = (None, String::new());
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
        let key = i64::try_from(secs).ok();
        match self.cache.try_lock() {
            Ok(mut guard) => self.write_cached(&mut guard, out, created_ns, key),
            Err(std::sync::TryLockError::Poisoned(p)) => {
                let mut guard = p.into_inner();
                self.write_cached(&mut guard, out, created_ns, key);
            }
            Err(std::sync::TryLockError::WouldBlock) => {
                let start = out.len();
                if self.write_seconds(out, created_ns).is_err() {
                    out.truncate(start);
                }
            }
        }
        if self.datefmt.is_none() {
            // `,mmm`, without `core::fmt` (every record with a time).
            let msecs = created_ns.rem_euclid(1_000_000_000) / 1_000_000;
            let digit = |d: i128| b'0' + u8::try_from(d % 10).unwrap_or(0);
            out.extend_from_slice(&[b',', digit(msecs / 100), digit(msecs / 10), digit(msecs)]);
        }
    }

    fn write_cached(
        &self,
        cache: &mut (Option<i64>, String),
        out: &mut Vec<u8>,
        created_ns: i128,
        key: Option<i64>,
    ) {
        if !self.cacheable || key.is_none() {
            let start = out.len();
            if self.write_seconds(out, created_ns).is_err() {
                out.truncate(start);
            }
            return;
        }
        if cache.0 != key {
            cache.1.clear();
            cache.0 = None;
            if self.write_seconds(&mut cache.1, created_ns).is_ok() {
                cache.0 = key;
            } else {
                cache.1.clear();
            }
        }
        out.extend_from_slice(cache.1.as_bytes());
    }
}
