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
//! cookbook namer): `base` is renamed to `base.1` under the lock and
//! compressed to `base.1.gz` on the handler's worker thread
//! ([`super::compress`]). The cascade shifts plain and compressed backups
//! alike; a rollover that comes while the previous backup of the same
//! handler is still being compressed waits for it, so the names it shifts
//! are final. `maxAgeDays` and `maxTotalBytes` then delete the oldest
//! backups over the limits.
//!
//! Threads sharing one handler are serialized by its lock. Several processes
//! rotating the same file race exactly as they do in Python (each renames on
//! its own); their lines are still never torn, each being one `O_APPEND`
//! write.

use std::fs;
use std::io;
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
        // Characters never outnumber bytes: only count them near the limit.
        if pos.saturating_add(record.len() as u64) < max_bytes
            || pos.saturating_add(char_len(record)) < max_bytes
        {
            return false;
        }
        !fs::metadata(file.path()).is_ok_and(|meta| !meta.is_file())
    }

    fn roll_over(&mut self, file: &LogFile, clock: &dyn Clock) -> Result<(), Failure> {
        let SizeRule {
            backup_count, keep, ..
        } = self.size;
        if backup_count == 0 {
            return Ok(());
        }
        // The names shifted below must be final: the last backup's
        // compression, if still running, is waited for.
        if keep.gzip
            && let Some(worker) = &self.worker
        {
            worker.wait();
        }
        let forms: &[&str] = if keep.gzip { &["", GZ] } else { &[""] };
        let named = |i: u32, ext: &str| with_extension(&file.backup(i), ext);
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
        let first = file.backup(1);
        // Issue 18940: with delay the base may never have been created.
        let renamed = file.path().exists();
        if renamed {
            rename(file.path(), &first)?;
        }
        let Some(worker) = &self.worker else {
            return Ok(());
        };
        let backups: Vec<std::path::PathBuf> = (1..=backup_count)
            .flat_map(|i| forms.iter().map(move |ext| (i, *ext)))
            .map(|(i, ext)| named(i, ext))
            .collect();
        let permissions = file.permissions();
        let now = clock.now();
        worker.run(Box::new(move |reporter: &mut Reporter| {
            if keep.gzip
                && renamed
                && let Err(err) = compress::gzip_file(&first, permissions)
            {
                reporter.report(Op::Compress, &err, || {
                    format!("cannot compress {}", first.display())
                });
            }
            if keep.has_retention() {
                let over = compress::over_limits(&compress::sized(backups), &keep, now);
                if let Err(failure) = compress::remove_all(&over) {
                    failure.report(reporter);
                }
            }
        }));
        Ok(())
    }

    fn start(&mut self, file: &LogFile, _clock: &dyn Clock) {
        if self.size.keep.gzip
            && let (Some(dir), Some(base)) = (file.path().parent(), file.path().file_name())
        {
            let base = base.as_encoded_bytes().to_vec();
            compress::remove_stale_temps(dir, |stem| {
                stem.strip_prefix(base.as_slice())
                    .and_then(|rest| rest.strip_prefix(b"."))
                    .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
            });
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
