//! `logging.handlers.RotatingFileHandler`, byte for byte as CPython 3.13.
//!
//! Before each record (Python's `shouldRollover`): the file is opened if it
//! is not (delay); then, if `max_bytes > 0`, with `pos` the position in the
//! file (its size at an append open plus what was written since) and `len`
//! the record's length in characters (Python's `len(msg)`, terminator
//! included):
//! - `pos == 0`: no rollover (3.13 never rolls over an empty file,
//!   gh-116263), so a record bigger than `max_bytes` still lands in a file;
//! - `pos + len >= max_bytes`: rollover, unless the path exists and is not a
//!   regular file (bpo-45401: `/dev/null` is never renamed).
//!
//! Rollover (Python's `doRollover`): close; if `backup_count > 0`, shift
//! `base.{i}` to `base.{i+1}` for `i` from `backup_count - 1` down to 1
//! (removing the target first), remove `base.1`, rename `base` to `base.1`;
//! then reopen `base` in append mode. With `backup_count == 0` nothing is
//! renamed: the file is closed and reopened and keeps growing, as in Python.
//!
//! A failed rollover is handled by the shell ([`FileHandler`]): reported,
//! the record written to the reopened base, the next attempt after the
//! retry delay (the file grows past `max_bytes` meanwhile).
//!
//! With logconf's `compress: gzip` every backup name gains `.gz` (CPython's
//! cookbook namer). Under the lock `base` is only renamed aside
//! (`base.rolling.PID.N`) and reopened; the handler's worker thread
//! ([`super::compress`]) then shifts the backups (plain and compressed
//! alike), renames the set-aside file to `base.1` and compresses it to
//! `base.1.gz`. Jobs run in order, so each shift sees final names, and no
//! logging thread ever waits for a compression. A file set aside by a
//! process that died before its job ran is finished at the next start.
//! `maxAgeDays` and `maxTotalBytes` then delete the oldest backups over the
//! limits.
//!
//! Threads sharing one handler are serialized by its lock. Several processes
//! rotating the same file race exactly as they do in Python (each renames on
//! its own); their lines are still never torn, each being one `O_APPEND`
//! write.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::clock::Clock;
use super::compress::{self, GZ, Keep, Worker, with_extension};
use super::file::{Background, Failure, FileHandler, LogFile, Rule, parse_options};
use super::report::{Op, Reporter};
use super::{FileMode, FileOptions, Handler};

/// The length of `record` in characters, as Python's `len(str)`: the bytes
/// that are not UTF-8 continuation bytes.
pub(crate) fn char_len(record: &[u8]) -> u64 {
    record.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// The largest `maxBytes`.
const MAX_BYTES_LIMIT: u64 = i64::MAX as u64;
/// The largest `backupCount`: each rollover renames every backup.
const BACKUP_COUNT_LIMIT: u64 = 10_000;

/// `logging.handlers.RotatingFileHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.RotatingFileHandler",
    keys: &[
        "filename",
        "mode",
        "encoding",
        "delay",
        "errors",
        "permissions",
        "buffer",
        "maxBytes",
        "backupCount",
        "compress",
        "maxAgeDays",
        "maxTotalBytes",
        ".terminator",
    ],
    terminator: "\n",
    parse: |args| {
        let file = parse_options(args);
        let max_bytes = args.count("maxBytes", MAX_BYTES_LIMIT).unwrap_or(0);
        let backup_count = args
            .count("backupCount", BACKUP_COUNT_LIMIT)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0);
        let keep = compress::parse_keep(args);
        if args.failed() {
            return None;
        }
        Some(Arc::new(RotatingSettings {
            file: file?,
            rule: SizeRule {
                max_bytes,
                backup_count,
                keep,
            },
        }))
    },
};

/// A rotating handler's settings: the file and the size rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RotatingSettings {
    /// The file.
    pub(crate) file: FileOptions,
    /// `maxBytes` and `backupCount`.
    pub(crate) rule: SizeRule,
}

impl HandlerSettings for RotatingSettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let keep = self.rule.keep;
        let worker = (keep.gzip || keep.has_retention())
            .then(|| Arc::new(Worker::new(ctx.name, ctx.reporter())));
        let rule = SizeRotation {
            size: self.rule,
            worker,
            terminator: ctx.terminator.as_bytes().to_vec(),
            next_staged: 0,
        };
        let handler = FileHandler::new(&self.file, rule, ctx.reporter(), Arc::clone(&ctx.clock))?;
        Ok(Box::new(handler))
    }

    fn file(&self) -> Option<&std::path::Path> {
        Some(&self.file.path)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        super::class::same_settings(self, other)
    }
}

/// When a size-rotating file rolls over, and the `.1` ... `.N` cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SizeRule {
    /// `maxBytes`; 0 never rolls over.
    pub(crate) max_bytes: u64,
    /// `backupCount`; with 0 a rollover renames nothing: the file is closed,
    /// reopened and keeps growing (as in Python).
    pub(crate) backup_count: u32,
    /// `compress`, `maxAgeDays`, `maxTotalBytes`.
    pub(crate) keep: Keep,
}

impl SizeRule {
    /// The mode the file is opened in: rolling over needs append, as in
    /// Python's `RotatingFileHandler`.
    pub(crate) fn mode(&self, requested: FileMode) -> FileMode {
        if self.max_bytes > 0 {
            FileMode::Append
        } else {
            requested
        }
    }
}

/// The size rule at work, with the worker that compresses and prunes.
#[derive(Debug)]
pub(crate) struct SizeRotation {
    /// The settings.
    size: SizeRule,
    /// Compression and retention, off the logging thread.
    worker: Option<Arc<Worker>>,
    /// The handler's terminator, at the end of every record: Python's
    /// `shouldRollover` measures `"%s\n" % self.format(record)` whatever the
    /// terminator, so a record is measured with `\n` in its place.
    terminator: Vec<u8>,
    /// The number of the next base file set aside for the worker
    /// (`compress: gzip`).
    next_staged: u64,
}

impl SizeRotation {
    /// Files a process that has died set aside (`base.rolling.PID.N`) but
    /// whose rollover its worker never finished: finished now, oldest
    /// first, so no logged record is left outside the backups.
    fn finish_orphans(&self, file: &LogFile, clock: &dyn Clock) {
        let (Some(worker), Some(dir), Some(name)) = (
            &self.worker,
            file.path().parent(),
            file.path().file_name().and_then(|n| n.to_str()),
        ) else {
            return;
        };
        let prefix = format!("{name}.rolling.");
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut orphans: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let file_name = entry.file_name();
                let rest = file_name.to_str()?.strip_prefix(&prefix)?;
                let pid = rest.split('.').next()?;
                // A live process finishes its own.
                if pid == std::process::id().to_string() || Path::new("/proc").join(pid).exists() {
                    return None;
                }
                let modified = entry.metadata().ok()?.modified().ok()?;
                Some((modified, entry.path()))
            })
            .collect();
        orphans.sort();
        let base = file.path().to_path_buf();
        let (rule, permissions, now) = (self.size, file.permissions(), clock.now());
        for (_, set_aside) in orphans {
            let base = base.clone();
            worker.run(Box::new(move |reporter: &mut Reporter| {
                finish_compressed_rollover(&base, &set_aside, rule, permissions, now, reporter);
            }));
        }
    }
}

/// `base` with `.{suffix}` appended.
fn suffixed(base: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(base.as_os_str());
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The name a rolled-over base file waits under, `n`th of this process,
/// until the worker shifts the backups and makes it `base.1`.
fn staged(base: &Path, n: u64) -> PathBuf {
    suffixed(base, &format!("rolling.{}.{n}", std::process::id()))
}

/// Python's cascade: `base.{i}` to `base.{i+1}` for `i` from
/// `backup_count - 1` down to 1, in every form (plain, `.gz`), the target
/// removed first; then `base.1` removed. Stops at the first failure.
fn cascade(base: &Path, backup_count: u32, forms: &[&str]) -> Result<(), Failure> {
    let named = |i: u32, ext: &str| with_extension(&suffixed(base, &i.to_string()), ext);
    for i in (1..backup_count).rev() {
        let present: Vec<&str> = forms
            .iter()
            .copied()
            .filter(|ext| named(i, ext).exists())
            .collect();
        if present.is_empty() {
            continue;
        }
        for ext in forms {
            remove_if_exists(&named(i + 1, ext))?;
        }
        for ext in present {
            rename(&named(i, ext), &named(i + 1, ext))?;
        }
    }
    for ext in forms {
        remove_if_exists(&named(1, ext))?;
    }
    Ok(())
}

/// The worker's part of a compressed rollover: shift the backups, make the
/// set-aside base `base.1`, compress it, apply retention. The logging
/// thread only renamed the base aside, so it never waits for compression;
/// jobs run in order, so each shift sees final names.
fn finish_compressed_rollover(
    base: &Path,
    set_aside: &Path,
    rule: SizeRule,
    permissions: u32,
    now: std::time::SystemTime,
    reporter: &mut Reporter,
) {
    let first = suffixed(base, "1");
    let moved =
        cascade(base, rule.backup_count, &["", GZ]).and_then(|()| rename(set_aside, &first));
    if let Err(failure) = moved {
        failure.report(reporter);
        return;
    }
    if let Err(err) = compress::gzip_file(&first, permissions) {
        reporter.report(Op::Compress, &err, || {
            format!("cannot compress {}", first.display())
        });
    }
    if rule.keep.has_retention() {
        let backups: Vec<PathBuf> = (1..=rule.backup_count)
            .flat_map(|i| ["", GZ].map(|ext| with_extension(&suffixed(base, &i.to_string()), ext)))
            .collect();
        let over = compress::over_limits(&compress::sized(backups), &rule.keep, now);
        if let Err(failure) = compress::remove_all(&over) {
            failure.report(reporter);
        }
    }
}

impl Rule for SizeRotation {
    fn mode(&self, requested: FileMode) -> FileMode {
        self.size.mode(requested)
    }

    fn should_roll_over(
        &mut self,
        file: &mut LogFile,
        record: &[u8],
        _clock: &dyn Clock,
        reporter: &mut Reporter,
    ) -> bool {
        let max_bytes = self.size.max_bytes;
        if max_bytes == 0 {
            return false;
        }
        let Some(pos) = file.position(reporter) else {
            return false;
        };
        if pos == 0 {
            return false;
        }
        // Measured with `\n` as its terminator (the common case: itself).
        let body = record
            .strip_suffix(self.terminator.as_slice())
            .unwrap_or(record);
        // Characters never outnumber bytes: only count them near the limit.
        if pos.saturating_add(body.len() as u64 + 1) < max_bytes
            || pos.saturating_add(char_len(body) + 1) < max_bytes
        {
            return false;
        }
        !fs::metadata(file.path()).is_ok_and(|meta| !meta.is_file())
    }

    fn roll_over(&mut self, file: &LogFile, clock: &dyn Clock) -> Result<(), Failure> {
        let rule = self.size;
        if rule.backup_count == 0 {
            return Ok(());
        }
        let base = file.path().to_path_buf();
        // Issue 18940: with delay the base may never have been created.
        let renamed = base.exists();
        if rule.keep.gzip
            && let Some(worker) = &self.worker
        {
            // Compressed: the base is set aside under a name of its own and
            // the worker shifts, renames and compresses, in order.
            if !renamed {
                return Ok(());
            }
            let set_aside = staged(&base, self.next_staged);
            self.next_staged += 1;
            rename(&base, &set_aside)?;
            let permissions = file.permissions();
            let now = clock.now();
            worker.run(Box::new(move |reporter: &mut Reporter| {
                finish_compressed_rollover(&base, &set_aside, rule, permissions, now, reporter);
            }));
            return Ok(());
        }
        cascade(&base, rule.backup_count, &[""])?;
        let first = file.backup(1);
        if renamed {
            rename(&base, &first)?;
        }
        let Some(worker) = &self.worker else {
            return Ok(());
        };
        // Retention only (no compression), off the logging thread.
        let backups: Vec<PathBuf> = (1..=rule.backup_count).map(|i| file.backup(i)).collect();
        let now = clock.now();
        worker.run(Box::new(move |reporter: &mut Reporter| {
            let over = compress::over_limits(&compress::sized(backups), &rule.keep, now);
            if let Err(failure) = compress::remove_all(&over) {
                failure.report(reporter);
            }
        }));
        Ok(())
    }

    fn start(&mut self, file: &LogFile, clock: &dyn Clock) {
        if self.size.keep.gzip
            && let (Some(dir), Some(base)) = (file.path().parent(), file.path().file_name())
        {
            let base = base.as_encoded_bytes().to_vec();
            compress::remove_stale_temps(dir, |stem| {
                stem.strip_prefix(base.as_slice())
                    .and_then(|rest| rest.strip_prefix(b"."))
                    .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
            });
            self.finish_orphans(file, clock);
        }
    }

    fn background(&self) -> Option<Arc<dyn Background>> {
        self.worker
            .as_ref()
            .map(|w| Arc::clone(w) as Arc<dyn Background>)
    }
}

/// Removes `path` if it exists (Python's `if exists: os.remove`).
fn remove_if_exists(path: &std::path::Path) -> Result<(), Failure> {
    if path.exists() {
        fs::remove_file(path).map_err(|err| {
            Failure::new(Op::Remove, format!("cannot remove {}", path.display()), err)
        })?;
    }
    Ok(())
}

/// Renames `from` to `to`.
fn rename(from: &std::path::Path, to: &std::path::Path) -> Result<(), Failure> {
    fs::rename(from, to).map_err(|err| {
        Failure::new(
            Op::Rename,
            format!("cannot rename {} to {}", from.display(), to.display()),
            err,
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

    use std::io::Read as _;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::handler::clock::SystemClock;
    use crate::handler::report::Captured;
    use crate::level::Level;

    fn gunzip(path: &Path) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// A rollover while the previous compression still runs does not wait
    /// for it: the worker is held busy on purpose while records roll the
    /// file over three times; every emit returns at once, and once the
    /// worker goes on the backups are CPython's names and contents.
    #[test]
    fn a_compressed_rollover_never_waits_for_the_worker() {
        let dir = tempfile::tempdir().unwrap();
        let options = FileOptions {
            path: dir.path().join("app.log"),
            mode: FileMode::Append,
            delay: false,
            permissions: 0o640,
            buffer: None,
        };
        let errors = Captured::default();
        let reporter = || Reporter::new("r", Arc::new(errors.clone()));
        let worker = Arc::new(Worker::new("r", reporter()));
        let (release, held) = mpsc::channel::<()>();
        worker.run(Box::new(move |_| {
            let _ = held.recv_timeout(Duration::from_secs(30));
        }));
        let rule = SizeRotation {
            size: SizeRule {
                max_bytes: 10,
                backup_count: 2,
                keep: Keep {
                    gzip: true,
                    max_age: None,
                    max_total_bytes: None,
                },
            },
            worker: Some(Arc::clone(&worker)),
            terminator: b"\n".to_vec(),
            next_staged: 0,
        };
        let handler = FileHandler::new(&options, rule, reporter(), Arc::new(SystemClock)).unwrap();
        // Each record fills the file: records 1 to 4 roll over three times.
        let (done, finished) = mpsc::channel::<()>();
        let writer = std::thread::spawn(move || {
            for n in 1..=4 {
                handler.emit(format!("record {n}\n").as_bytes(), Level::INFO);
            }
            let _ = done.send(());
            handler
        });
        // The worker is still held: the emits must not be waiting on it.
        assert!(
            finished.recv_timeout(Duration::from_secs(10)).is_ok(),
            "an emit waited for the compression worker"
        );
        let handler = writer.join().unwrap();
        release.send(()).unwrap();
        handler.finish();
        let read = |name: &str| fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("app.log"), "record 4\n");
        assert_eq!(gunzip(&dir.path().join("app.log.1.gz")), "record 3\n");
        assert_eq!(gunzip(&dir.path().join("app.log.2.gz")), "record 2\n");
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["app.log", "app.log.1.gz", "app.log.2.gz"]);
        assert_eq!(errors.text(), "");
    }

    /// A file a dead process set aside before its worker finished the
    /// rollover becomes the newest backup at the next start.
    #[test]
    fn an_orphaned_rollover_is_finished_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("app.log");
        fs::write(suffixed(&base, "1.gz"), b"not gzip: the older backup").unwrap();
        // No process has this id (ids stay far below it on Linux).
        fs::write(suffixed(&base, "rolling.4194999.0"), "set aside\n").unwrap();
        let settings = RotatingSettings {
            file: FileOptions {
                path: base.clone(),
                mode: FileMode::Append,
                delay: false,
                permissions: 0o640,
                buffer: None,
            },
            rule: SizeRule {
                max_bytes: 1000,
                backup_count: 3,
                keep: Keep {
                    gzip: true,
                    max_age: None,
                    max_total_bytes: None,
                },
            },
        };
        let errors = Captured::default();
        let handler = settings
            .build(&BuildContext {
                name: "r",
                clock: Arc::new(SystemClock),
                errors: Arc::new(errors.clone()),
                downstream: &[],
                terminator: "\n",
            })
            .unwrap();
        handler.finish();
        assert_eq!(gunzip(&suffixed(&base, "1.gz")), "set aside\n");
        assert_eq!(
            fs::read(suffixed(&base, "2.gz")).unwrap(),
            b"not gzip: the older backup"
        );
        assert!(!suffixed(&base, "rolling.4194999.0").exists());
        assert_eq!(errors.text(), "");
    }
}
