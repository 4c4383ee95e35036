//! `logging.handlers.TimedRotatingFileHandler` as a [`Rule`] of the file
//! handler shell, plus its class entry: CPython 3.13's `shouldRollover`
//! and `doRollover` (`Lib/logging/handlers.py:363-458`) on the injected
//! clock.
//!
//! ```yaml
//! handlers:
//!   daily:
//!     class: logging.handlers.TimedRotatingFileHandler
//!     filename: app.log
//!     when: midnight        # S, M, H, D, MIDNIGHT, W0-W6, any case
//!     backupCount: 7
//!     atTime: "02:30"       # logconf extension: "HH:MM[:SS]"
//!     compress: gzip        # logconf extension (see `handler::compress`)
//! ```
//!
//! - Built: the first rollover time is computed from the file's
//!   modification time if the file existed before the handler opened it,
//!   else from the clock (CPython `__init__`, `:279-284`).
//! - Each record (`shouldRollover`): `now` is the clock in whole seconds.
//!   Before the rollover time: write. At or after it: if the path exists
//!   and is not a regular file (`/dev/null`), no rollover, the next time is
//!   computed from now. Else the file is rolled over to `base.<suffix>`,
//!   named for the period that ended (`rolloverAt - interval`, with the DST
//!   shift), however long ago: one rollover after any downtime.
//! - Rollover (`doRollover`): close, rename `base` to the name if `base`
//!   exists, delete the oldest backups beyond `backupCount`, reopen, next
//!   time from now.
//!
//! Differences (each in the README's compatibility table): when the name
//! already exists CPython 3.13 returns without rotating and never rotates
//! again in that process; logconf moves on to the next rollover time, and
//! either follows another writer's rollover (the path holds a new file:
//! reopen it) or reports the collision once and keeps writing to `base`. A failed rename is reported and
//! the next rollover time still advances (CPython retries on every record
//! and loses each). `mode` is refused at load (CPython: `TypeError`).

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use jiff::tz::TimeZone;

use super::backups::{backup_stamp, files_to_delete};
use super::schedule::{AtTime, Schedule, When, whole_seconds};
use crate::handler::class::{BuildContext, HandlerClass, HandlerSettings};
use crate::handler::clock::{COARSE_LAG, Clock};
use crate::handler::compress::{self, GZ, Keep, Worker, with_extension};
use crate::handler::file::{Background, Failure, FileHandler, LogFile, Rule, parse_options};
use crate::handler::report::{Op, Reporter};
use crate::handler::{FileMode, FileOptions, Handler};

/// The largest `backupCount`.
const BACKUP_COUNT_LIMIT: u64 = 100_000;
/// The largest `interval` (then checked against the unit's seconds).
const INTERVAL_LIMIT: u64 = 1 << 40;
/// Whole seconds past a coarse reading the clock cannot have reached:
/// its lag (under [`COARSE_LAG`]) plus the fraction the whole seconds
/// dropped.
const COARSE_SECONDS: i64 = COARSE_LAG.as_secs() as i64 + 1;

/// `logging.handlers.TimedRotatingFileHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.TimedRotatingFileHandler",
    keys: &[
        "filename",
        "when",
        "interval",
        "backupCount",
        "encoding",
        "delay",
        "utc",
        "atTime",
        "errors",
        "permissions",
        "buffer",
        "compress",
        "maxAgeDays",
        "maxTotalBytes",
        ".terminator",
        // Refused with its own message below.
        "mode",
    ],
    terminator: "\n",
    parse: |args| {
        if args.get("mode").is_some() {
            args.report(
                "mode",
                "no `mode` for this class: it always appends (CPython raises TypeError)".into(),
                Some("remove `mode`".into()),
            );
        }
        let file = parse_options(args);
        let when = args.string("when").unwrap_or("h");
        let interval = args
            .count("interval", INTERVAL_LIMIT)
            .map_or(Some(1), |n| i64::try_from(n).ok());
        let backup_count = args
            .count("backupCount", BACKUP_COUNT_LIMIT)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let utc = args.truthy("utc", false);
        let at_time = args.string("atTime");
        let keep = compress::parse_keep(args);
        let parts = interval.and_then(|interval| {
            match Schedule::from_config(when, interval, utc, at_time, TimeZone::UTC) {
                Ok(_) => Some((When::parse(when).ok()?, interval, at_time)),
                Err(err) => {
                    args.report(err.key(), err.to_string(), None);
                    None
                }
            }
        });
        if args.failed() {
            return None;
        }
        let (when, interval, at_time) = parts?;
        let at_time = at_time.map(AtTime::parse).transpose().ok()?;
        Some(Arc::new(TimedSettings {
            file: file?,
            when,
            interval,
            utc,
            at_time,
            backup_count,
            keep,
        }))
    },
};

/// A time-rotating handler's checked settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimedSettings {
    /// The file (always appended to).
    pub(crate) file: FileOptions,
    /// `when`.
    pub(crate) when: When,
    /// `interval`, at least 1.
    pub(crate) interval: i64,
    /// `utc`.
    pub(crate) utc: bool,
    /// `atTime` (aligned `when` only).
    pub(crate) at_time: Option<AtTime>,
    /// `backupCount` (0 keeps every backup).
    pub(crate) backup_count: usize,
    /// `compress`, `maxAgeDays`, `maxTotalBytes`.
    pub(crate) keep: Keep,
}

impl TimedSettings {
    /// The rule these settings describe, local times in `local`.
    pub(crate) fn rule(
        &self,
        local: TimeZone,
        name: &str,
        reporter: Reporter,
    ) -> io::Result<TimeRule> {
        let schedule = Schedule::new(self.when, self.interval, self.utc, self.at_time, local)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let worker = (self.keep.gzip || self.keep.has_retention())
            .then(|| Arc::new(Worker::new(name, reporter)));
        Ok(TimeRule {
            schedule,
            backup_count: self.backup_count,
            keep: self.keep,
            rollover_at: 0,
            deadline: (0, SystemTime::UNIX_EPOCH),
            due: None,
            worker,
        })
    }
}

impl HandlerSettings for TimedSettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let rule = self.rule(TimeZone::system(), ctx.name, ctx.reporter())?;
        let handler = FileHandler::new(&self.file, rule, ctx.reporter(), Arc::clone(&ctx.clock))?;
        Ok(Box::new(handler))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// When a time-rotating file rolls over, and what it is renamed to.
#[derive(Debug)]
pub(crate) struct TimeRule {
    /// `when`, `interval`, `utc`, `atTime` and the zone.
    schedule: Schedule,
    /// `backupCount`.
    backup_count: usize,
    /// Compression and retention.
    keep: Keep,
    /// Python's `rolloverAt`: whole seconds since the epoch.
    rollover_at: i64,
    /// `rollover_at` as a clock time, kept for the `rollover_at` it was
    /// made from: a record compares the clock with it directly (no
    /// conversion to seconds while no rollover is due).
    deadline: (i64, SystemTime),
    /// The rollover decided by `should_roll_over`: the name, the next
    /// rollover time and the clock's time.
    due: Option<(PathBuf, i64, SystemTime)>,
    /// Runs compression and retention off the logging thread.
    worker: Option<Arc<Worker>>,
}

impl Rule for TimeRule {
    /// Always append, as CPython's handler (which has no `mode`).
    fn mode(&self, _requested: FileMode) -> FileMode {
        FileMode::Append
    }

    fn start(&mut self, file: &LogFile, clock: &dyn Clock) {
        let now = whole_seconds(clock.now());
        let mtime = fs::metadata(file.path())
            .and_then(|m| m.modified())
            .ok()
            .map(whole_seconds);
        self.rollover_at = self.schedule.first_rollover(mtime, now);
        if self.keep.gzip
            && let (Some(dir), Some(base)) = (file.path().parent(), file.path().file_name())
        {
            let (base, when) = (base.as_encoded_bytes().to_vec(), self.schedule.when());
            compress::remove_stale_temps(dir, |stem| {
                backup_stamp(stem, &base, when, &[]).is_some()
            });
        }
    }

    fn should_roll_over(
        &mut self,
        file: &mut LogFile,
        _record: &[u8],
        clock: &dyn Clock,
        reporter: &mut Reporter,
    ) -> bool {
        // The coarse clock lags the clock by less than `COARSE_LAG` (one
        // second), so the clock is before `coarse + 2` whole seconds: at or
        // before the rollover, CPython's `int(time.time()) >= rolloverAt`
        // is false, for a third of the clock's read.
        if clock
            .coarse_seconds()
            .is_some_and(|coarse| coarse.saturating_add(COARSE_SECONDS) <= self.rollover_at)
        {
            return false;
        }
        let wall = clock.now();
        // For a positive `rollover_at`, `whole_seconds(wall) >= rollover_at`
        // exactly when `wall` is at or past it (whole seconds truncate).
        if let Ok(secs) = u64::try_from(self.rollover_at)
            && secs > 0
        {
            if self.deadline.0 != self.rollover_at {
                let at = SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs));
                self.deadline = (self.rollover_at, at.unwrap_or(SystemTime::UNIX_EPOCH));
            }
            if self.deadline.1 > SystemTime::UNIX_EPOCH && wall < self.deadline.1 {
                return false;
            }
        }
        let now = whole_seconds(wall);
        if !self.schedule.is_due(self.rollover_at, now) {
            return false;
        }
        // bpo-45401: `/dev/null` and the like are never renamed.
        if fs::metadata(file.path()).is_ok_and(|m| !m.is_file()) {
            self.rollover_at = self.schedule.compute_rollover(now);
            return false;
        }
        let rollover = self.schedule.rollover(self.rollover_at, now);
        let mut name = OsString::from(file.path().as_os_str());
        name.push(".");
        name.push(&rollover.suffix);
        let dest = PathBuf::from(name);
        let taken = dest.exists() || (self.keep.gzip && with_extension(&dest, GZ).exists());
        if taken {
            self.rollover_at = rollover.next_rollover_at;
            if replaced(file) {
                // Another writer (a second handler or process on this
                // file) rolled it over first: follow it to the new file
                // instead of writing on into its backup.
                self.due = None;
                return true;
            }
            // CPython 3.13 returns here for good (`:445-447`); logconf
            // says so once, keeps writing and waits for the next period.
            let err = io::Error::from(io::ErrorKind::AlreadyExists);
            reporter.report(Op::Rename, &err, || {
                format!(
                    "cannot roll {} over to {}, which exists; writing on to the same file until the next rollover",
                    file.path().display(),
                    dest.display()
                )
            });
            return false;
        }
        self.due = Some((dest, rollover.next_rollover_at, wall));
        true
    }

    fn roll_over(&mut self, file: &LogFile, _clock: &dyn Clock) -> Result<(), Failure> {
        let Some((dest, next, wall)) = self.due.take() else {
            return Ok(());
        };
        // Advanced first: a failure below is reported, never retried on
        // every record.
        self.rollover_at = next;
        let renamed = file.path().exists();
        if renamed {
            fs::rename(file.path(), &dest).map_err(|err| {
                Failure::new(
                    Op::Rename,
                    format!(
                        "cannot rename {} to {}",
                        file.path().display(),
                        dest.display()
                    ),
                    err,
                )
            })?;
        }
        let prune = Prune {
            base: file.path().to_path_buf(),
            when: self.schedule.when(),
            backup_count: self.backup_count,
            keep: self.keep,
            now: wall,
        };
        match &self.worker {
            Some(worker) => {
                let permissions = file.permissions();
                let gzip = self.keep.gzip && renamed;
                worker.run(Box::new(move |reporter: &mut Reporter| {
                    if gzip && let Err(err) = compress::gzip_file(&dest, permissions) {
                        reporter.report(Op::Compress, &err, || {
                            format!("cannot compress {}", dest.display())
                        });
                    }
                    if let Err(failure) = prune.run() {
                        failure.report(reporter);
                    }
                }));
                Ok(())
            }
            None => prune.run(),
        }
    }

    fn background(&self) -> Option<Arc<dyn Background>> {
        self.worker
            .as_ref()
            .map(|w| Arc::clone(w) as Arc<dyn Background>)
    }
}

/// Whether the path no longer holds the file `file` has open (renamed
/// away, replaced): another writer rolled it over.
#[cfg(unix)]
fn replaced(file: &LogFile) -> bool {
    use crate::handler::watched::WatchedCheck;
    file.handle()
        .and_then(|handle| WatchedCheck::of_file(handle).ok())
        .and_then(|identity| identity.check(file.path()).ok())
        .is_some_and(|change| change.needs_reopen())
}

/// Whether another writer rolled the file over: not known off Unix.
#[cfg(not(unix))]
fn replaced(_file: &LogFile) -> bool {
    false
}

/// The deletions after a rollover: `backupCount`, then retention.
#[derive(Debug)]
struct Prune {
    /// The live file.
    base: PathBuf,
    /// Which suffixes are backups.
    when: When,
    /// `backupCount`.
    backup_count: usize,
    /// Retention and compression.
    keep: Keep,
    /// The rollover's time, for `maxAgeDays`.
    now: SystemTime,
}

impl Prune {
    /// Deletes what `backupCount` (CPython's `getFilesToDelete`) and the
    /// retention limits condemn; stops at the first failure.
    fn run(&self) -> Result<(), Failure> {
        if self.backup_count == 0 && !self.keep.has_retention() {
            return Ok(());
        }
        let dir = self.base.parent().unwrap_or(Path::new("/"));
        let Some(base) = self.base.file_name() else {
            return Ok(());
        };
        let names: Vec<OsString> = fs::read_dir(dir)
            .map_err(|err| Failure::new(Op::Remove, format!("cannot list {}", dir.display()), err))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        let extensions = self.keep.extensions();
        let doomed = files_to_delete(&names, base, self.when, self.backup_count, extensions);
        for name in &doomed {
            let path = dir.join(name);
            fs::remove_file(&path).map_err(|err| {
                Failure::new(Op::Remove, format!("cannot remove {}", path.display()), err)
            })?;
        }
        if !self.keep.has_retention() {
            return Ok(());
        }
        let base = base.as_encoded_bytes();
        let mut left: Vec<(Vec<u8>, &OsString)> = names
            .iter()
            .filter(|n| !doomed.contains(n))
            .filter_map(|n| {
                let stamp = backup_stamp(n.as_encoded_bytes(), base, self.when, extensions)?;
                Some((stamp.to_vec(), n))
            })
            .collect();
        // Newest first; within a period, the `.gz` after the plain name.
        left.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let paths = left.into_iter().map(|(_, n)| dir.join(n)).collect();
        let over = compress::over_limits(&compress::sized(paths), &self.keep, self.now);
        compress::remove_all(&over)
    }
}
