//! When a `TimedRotatingFileHandler` rolls over and what it names the file
//! it rolls away, as CPython 3.13's `computeRollover` and `doRollover`
//! (`Lib/logging/handlers.py:219-458`). Pure: times are whole seconds since
//! the epoch (Python's `int(time.time())`), the zone is injected.
//!
//! | `when` | unit | suffix | aligned to the clock |
//! |---|---|---|---|
//! | `S` | 1 s | `%Y-%m-%d_%H-%M-%S` | no: `t + interval` |
//! | `M` | 60 s | `%Y-%m-%d_%H-%M` | no |
//! | `H` | 3600 s | `%Y-%m-%d_%H` | no |
//! | `D` | 86400 s | `%Y-%m-%d` | no |
//! | `MIDNIGHT` | 86400 s | `%Y-%m-%d` | yes, at `atTime` (default 24:00) |
//! | `W0`-`W6` | 604800 s | `%Y-%m-%d` | yes, on that weekday (0 = Monday) at `atTime` |
//!
//! `interval` multiplies the unit for every `when`, `MIDNIGHT` and `W`
//! included (the code, not the docs, of CPython).
//!
//! Differences from CPython, all at load time: `interval` must be a positive
//! whole number (CPython accepts 0, negatives and floats, and then gets
//! stuck); `atTime` is given as `"HH:MM[:SS]"` (CPython's dictConfig cannot
//! express a `datetime.time`) and is refused with `S`/`M`/`H`/`D`, which
//! ignore it.

use std::fmt;
use std::time::SystemTime;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// Seconds in a day (Python's `_MIDNIGHT`).
const DAY: i64 = 86_400;

/// Python's `when`, upper-cased: what a rollover period is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum When {
    /// `S`: seconds.
    Second,
    /// `M`: minutes.
    Minute,
    /// `H`: hours.
    Hour,
    /// `D`: days, counted from the start (not aligned to midnight).
    Day,
    /// `MIDNIGHT`: days, rolling over at midnight (or `atTime`).
    Midnight,
    /// `W0`..`W6`: weeks, rolling over on that weekday (0 is Monday).
    Weekday(u8),
}

impl When {
    /// Parses `when` as CPython does: upper-cased, never trimmed.
    ///
    /// The error texts are CPython's `ValueError` messages, lower-cased at
    /// the start.
    pub(crate) fn parse(when: &str) -> Result<When, ScheduleError> {
        let upper = when.to_uppercase();
        match upper.as_str() {
            "S" => Ok(When::Second),
            "M" => Ok(When::Minute),
            "H" => Ok(When::Hour),
            "D" => Ok(When::Day),
            "MIDNIGHT" => Ok(When::Midnight),
            w if w.starts_with('W') => {
                let rest = &w['W'.len_utf8()..];
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => match c {
                        '0'..='6' => Ok(When::Weekday(c as u8 - b'0')),
                        _ => Err(ScheduleError::new(ErrorKind::BadWeekday(upper))),
                    },
                    _ => Err(ScheduleError::new(ErrorKind::MissingWeekday(upper))),
                }
            }
            _ => Err(ScheduleError::new(ErrorKind::BadWhen(upper))),
        }
    }

    /// The length of one unit in seconds (before `interval`).
    pub(crate) fn unit_secs(self) -> i64 {
        match self {
            When::Second => 1,
            When::Minute => 60,
            When::Hour => 3600,
            When::Day | When::Midnight => DAY,
            When::Weekday(_) => 7 * DAY,
        }
    }

    /// Whether rollovers fall on clock times (`MIDNIGHT`, `W0`-`W6`) rather
    /// than `interval` after the start.
    pub(crate) fn is_aligned(self) -> bool {
        matches!(self, When::Midnight | When::Weekday(_))
    }

    /// The shape of the suffix: `d` is an ASCII digit, other bytes stand
    /// for themselves (Python's `extMatch` without its look-arounds).
    pub(crate) fn suffix_shape(self) -> &'static str {
        match self {
            When::Second => "dddd-dd-dd_dd-dd-dd",
            When::Minute => "dddd-dd-dd_dd-dd",
            When::Hour => "dddd-dd-dd_dd",
            When::Day | When::Midnight | When::Weekday(_) => "dddd-dd-dd",
        }
    }

    /// Whether `suffix` is exactly one suffix of this `when` (Python's
    /// `extMatch.fullmatch(suffix)`, `re.ASCII`).
    pub(crate) fn matches_suffix(self, suffix: &[u8]) -> bool {
        let shape = self.suffix_shape().as_bytes();
        suffix.len() == shape.len()
            && shape.iter().zip(suffix).all(|(&s, &c)| match s {
                b'd' => c.is_ascii_digit(),
                other => c == other,
            })
    }

    /// The suffix of a file rolled over for the period holding `local`
    /// (`time.strftime(self.suffix, timeTuple)`).
    fn format_suffix(self, local: DateTime) -> String {
        let date = format!(
            "{:04}-{:02}-{:02}",
            local.year(),
            local.month(),
            local.day()
        );
        match self {
            When::Second => format!(
                "{date}_{:02}-{:02}-{:02}",
                local.hour(),
                local.minute(),
                local.second()
            ),
            When::Minute => format!("{date}_{:02}-{:02}", local.hour(), local.minute()),
            When::Hour => format!("{date}_{:02}", local.hour()),
            When::Day | When::Midnight | When::Weekday(_) => date,
        }
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Second => f.write_str("S"),
            When::Minute => f.write_str("M"),
            When::Hour => f.write_str("H"),
            When::Day => f.write_str("D"),
            When::Midnight => f.write_str("MIDNIGHT"),
            When::Weekday(d) => write!(f, "W{d}"),
        }
    }
}

/// `atTime`: the time of day of an aligned rollover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AtTime {
    /// 0-23.
    hour: u8,
    /// 0-59.
    minute: u8,
    /// 0-59.
    second: u8,
}

impl AtTime {
    /// A time of day; `None` unless `hour < 24`, `minute < 60`, `second < 60`
    /// (the ranges of Python's `datetime.time`).
    pub(crate) fn new(hour: u8, minute: u8, second: u8) -> Option<AtTime> {
        (hour < 24 && minute < 60 && second < 60).then_some(AtTime {
            hour,
            minute,
            second,
        })
    }

    /// Parses `"HH:MM"` or `"HH:MM:SS"` (the hour may have one digit;
    /// minutes and seconds have two).
    pub(crate) fn parse(text: &str) -> Result<AtTime, ScheduleError> {
        let bad = || ScheduleError::new(ErrorKind::BadAtTime(text.to_owned()));
        let field = |part: &str, min_len: usize| -> Option<u8> {
            let ok =
                (min_len..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
            if ok { part.parse().ok() } else { None }
        };
        let parts: Vec<&str> = text.split(':').collect();
        let (h, m, s) = match parts.as_slice() {
            [h, m] => (field(h, 1), field(m, 2), Some(0)),
            [h, m, s] => (field(h, 1), field(m, 2), field(s, 2)),
            _ => return Err(bad()),
        };
        match (h, m, s) {
            (Some(h), Some(m), Some(s)) => AtTime::new(h, m, s).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// Seconds after midnight (`rotate_ts`).
    pub(crate) fn seconds(self) -> i64 {
        i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second)
    }
}

impl fmt::Display for AtTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }
}

/// A schedule setting that cannot be used.
///
/// The message is lowercase, without a trailing period, and names the bad
/// value; the config checker adds where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScheduleError {
    /// What is wrong.
    kind: ErrorKind,
}

/// What is wrong with a schedule setting.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    /// `when` is not one of the accepted values (upper-cased).
    BadWhen(String),
    /// `W` with no day, or with more than one character after it.
    MissingWeekday(String),
    /// `W` followed by something other than 0-6.
    BadWeekday(String),
    /// `interval` is zero or negative.
    IntervalNotPositive(i64),
    /// `interval` times the unit does not fit in 64 bits of seconds.
    IntervalTooLarge(i64),
    /// `atTime` is not `HH:MM[:SS]`.
    BadAtTime(String),
    /// `atTime` given with a `when` that ignores it.
    AtTimeIgnored(When),
}

impl ScheduleError {
    /// Wraps a kind.
    fn new(kind: ErrorKind) -> ScheduleError {
        ScheduleError { kind }
    }

    /// The config key the error is about: `when`, `interval` or `atTime`.
    pub(crate) fn key(&self) -> &'static str {
        match self.kind {
            ErrorKind::BadWhen(_) | ErrorKind::MissingWeekday(_) | ErrorKind::BadWeekday(_) => {
                "when"
            }
            ErrorKind::IntervalNotPositive(_) | ErrorKind::IntervalTooLarge(_) => "interval",
            ErrorKind::BadAtTime(_) | ErrorKind::AtTimeIgnored(_) => "atTime",
        }
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::BadWhen(w) => write!(
                f,
                "invalid rollover interval specified: `{w}` (expected S, M, H, D, MIDNIGHT or W0-W6)"
            ),
            ErrorKind::MissingWeekday(w) => write!(
                f,
                "you must specify a day for weekly rollover from 0 to 6 (0 is Monday): {w}"
            ),
            ErrorKind::BadWeekday(w) => {
                write!(
                    f,
                    "invalid day specified for weekly rollover: {w} (expected W0 to W6, 0 is Monday)"
                )
            }
            ErrorKind::IntervalNotPositive(n) => {
                write!(f, "interval must be a whole number of at least 1, got {n}")
            }
            ErrorKind::IntervalTooLarge(n) => write!(f, "interval {n} is too large"),
            ErrorKind::BadAtTime(t) => write!(
                f,
                "invalid atTime `{t}`: expected \"HH:MM\" or \"HH:MM:SS\" from 00:00:00 to 23:59:59"
            ),
            ErrorKind::AtTimeIgnored(w) => write!(
                f,
                "atTime only applies to when MIDNIGHT or W0-W6, not {w}, which rolls over every interval from the start"
            ),
        }
    }
}

impl std::error::Error for ScheduleError {}

/// The rollover a handler performs once its time has come.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rollover {
    /// The suffix of the rolled-over file (`base.<suffix>`), named for the
    /// period that ended, however long ago it ended.
    pub(crate) suffix: String,
    /// The next rollover time, computed from now: one rollover after any
    /// amount of downtime, no catch-up.
    pub(crate) next_rollover_at: i64,
}

/// A checked `when` + `interval` + `utc` + `atTime`, with its time zone.
#[derive(Clone, Debug)]
pub(crate) struct Schedule {
    /// The period kind.
    when: When,
    /// `interval` times the unit, in seconds (Python's `self.interval`).
    interval_secs: i64,
    /// `utc`: break times down in UTC, with no DST adjustment.
    utc: bool,
    /// `atTime` (aligned `when` only).
    at_time: Option<AtTime>,
    /// The zone of local times: UTC when `utc`, else the injected zone.
    tz: TimeZone,
}

impl Schedule {
    /// A schedule from checked parts; `local` is the zone used when `utc` is
    /// false (the system zone in a real config, `TimeZone::system()`, which
    /// honours `TZ`).
    ///
    /// Errors: `interval < 1`, an interval whose seconds overflow, and
    /// `at_time` with `S`/`M`/`H`/`D`.
    pub(crate) fn new(
        when: When,
        interval: i64,
        utc: bool,
        at_time: Option<AtTime>,
        local: TimeZone,
    ) -> Result<Schedule, ScheduleError> {
        if interval < 1 {
            return Err(ScheduleError::new(ErrorKind::IntervalNotPositive(interval)));
        }
        let interval_secs = interval
            .checked_mul(when.unit_secs())
            .ok_or_else(|| ScheduleError::new(ErrorKind::IntervalTooLarge(interval)))?;
        if at_time.is_some() && !when.is_aligned() {
            return Err(ScheduleError::new(ErrorKind::AtTimeIgnored(when)));
        }
        let tz = if utc { TimeZone::UTC } else { local };
        Ok(Schedule {
            when,
            interval_secs,
            utc,
            at_time,
            tz,
        })
    }

    /// A schedule from the config's raw values (`when` as written, `atTime`
    /// as `"HH:MM[:SS]"`); the first error found, in the order `when`,
    /// `atTime`, `interval`.
    pub(crate) fn from_config(
        when: &str,
        interval: i64,
        utc: bool,
        at_time: Option<&str>,
        local: TimeZone,
    ) -> Result<Schedule, ScheduleError> {
        let when = When::parse(when)?;
        let at_time = at_time.map(AtTime::parse).transpose()?;
        Schedule::new(when, interval, utc, at_time, local)
    }

    /// The period kind.
    pub(crate) fn when(&self) -> When {
        self.when
    }

    /// The rollover period in seconds (`interval` times the unit).
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests"))]
    pub(crate) fn interval_secs(&self) -> i64 {
        self.interval_secs
    }

    /// Python's `time.localtime(t).tm_isdst` (never true with `utc`, which
    /// does not ask). A time outside jiff's range counts as standard time.
    fn is_dst(&self, t: i64) -> bool {
        Timestamp::from_second(t).is_ok_and(|ts| self.tz.to_offset_info(ts).dst().is_dst())
    }

    /// The broken-down time of `t` (`gmtime` with `utc`, else `localtime`);
    /// `None` outside jiff's range (years -9999 to 9999).
    fn broken_down(&self, t: i64) -> Option<DateTime> {
        Timestamp::from_second(t)
            .ok()
            .map(|ts| self.tz.to_datetime(ts))
    }

    /// `computeRollover(current_time)`: the first rollover time after
    /// `current_time`, with every DST adjustment of CPython 3.13.
    ///
    /// `S`/`M`/`H`/`D`: `current_time + interval`. `MIDNIGHT`/`W`: the next
    /// `atTime` (default 24:00) strictly after `current_time`, on the right
    /// weekday for `W`, plus `interval - 1` periods; then, in local time,
    /// a flat one-hour correction when DST differs between `current_time`
    /// and the result (none if an hour earlier is not DST either, gh-88352).
    pub(crate) fn compute_rollover(&self, current_time: i64) -> i64 {
        let plain = current_time.saturating_add(self.interval_secs);
        if !self.when.is_aligned() {
            return plain;
        }
        let Some(now) = self.broken_down(current_time) else {
            return plain;
        };
        let rotate_ts = self.at_time.map_or(DAY, AtTime::seconds);
        let mut day = i64::from(now.weekday().to_monday_zero_offset());
        let mut r = rotate_ts
            - (i64::from(now.hour()) * 3600
                + i64::from(now.minute()) * 60
                + i64::from(now.second()));
        if r <= 0 {
            r += DAY;
            day = (day + 1) % 7;
        }
        let mut result = current_time.saturating_add(r);
        if let When::Weekday(dow) = self.when {
            let dow = i64::from(dow);
            if day != dow {
                let wait = if day < dow {
                    dow - day
                } else {
                    6 - day + dow + 1
                };
                result = result.saturating_add(wait * DAY);
            }
            result = result.saturating_add(self.interval_secs - 7 * DAY);
        } else {
            result = result.saturating_add(self.interval_secs - DAY);
        }
        if !self.utc {
            let dst_now = self.is_dst(current_time);
            if dst_now != self.is_dst(result) {
                let addend = if dst_now {
                    3600
                } else if self.is_dst(result - 3600) {
                    -3600
                } else {
                    0
                };
                result = result.saturating_add(addend);
            }
        }
        result
    }

    /// The first rollover time of a handler built at `now`: from the file's
    /// modification time (whole seconds) if the file existed before the
    /// handler opened it, else from `now` (CPython `__init__`, `:279-284`).
    pub(crate) fn first_rollover(&self, existing_mtime: Option<i64>, now: i64) -> i64 {
        self.compute_rollover(existing_mtime.unwrap_or(now))
    }

    /// Whether a record emitted at `now` triggers the rollover due at
    /// `rollover_at` (`shouldRollover`, before its non-regular-file check).
    pub(crate) fn is_due(&self, rollover_at: i64, now: i64) -> bool {
        now >= rollover_at
    }

    /// The suffix of the file rolled over at `now` for the rollover that was
    /// due at `rollover_at` (`doRollover`, `:429-444`): the period start
    /// `rollover_at - interval`, broken down in UTC or local time; in local
    /// time, moved by one hour (forward if DST is in effect now, back if
    /// not) when DST differs between now and the period start.
    pub(crate) fn rollover_suffix(&self, rollover_at: i64, now: i64) -> String {
        let mut t = rollover_at.saturating_sub(self.interval_secs);
        if !self.utc {
            let dst_now = self.is_dst(now);
            if dst_now != self.is_dst(t) {
                t = t.saturating_add(if dst_now { 3600 } else { -3600 });
            }
        }
        match self.broken_down(t) {
            Some(local) => self.when.format_suffix(local),
            // Outside jiff's range: no calendar name exists; fall back to
            // the epoch seconds, which never match the backup pattern.
            None => t.to_string(),
        }
    }

    /// The whole rollover at `now` of the rollover due at `rollover_at`:
    /// the name of the stale period and the next rollover time from now.
    pub(crate) fn rollover(&self, rollover_at: i64, now: i64) -> Rollover {
        Rollover {
            suffix: self.rollover_suffix(rollover_at, now),
            next_rollover_at: self.compute_rollover(now),
        }
    }

    /// The file name a rollover gives `base_name` (`base.<suffix>`, plus
    /// `extension`, such as `".gz"`, for a compressed backup).
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests"))]
    pub(crate) fn backup_name(base_name: &str, suffix: &str, extension: &str) -> String {
        format!("{base_name}.{suffix}{extension}")
    }
}

/// Python's `int(t)` of a `SystemTime` as seconds since the epoch:
/// truncated toward zero (also before 1970). Times beyond `i64` saturate.
pub(crate) fn whole_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
