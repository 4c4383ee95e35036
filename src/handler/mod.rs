//! Handlers: formatted bytes to a sink (stream, file, rotating file, null).
//!
//! INTERFACE (kept stable for the rest of the crate):
//! - `HandlerKind` is what the validated config says a handler is.
//! - `build(name, &HandlerKind) -> io::Result<Box<dyn Handler>>` opens what
//!   must be opened now (a file without `delay`), creating parent folders.
//!   A relative path is made absolute against the working directory at build
//!   time (Python's `os.path.abspath`). The error of a failed open carries
//!   the path ("cannot open /abs/app.log: Permission denied (os error 13)");
//!   the caller adds the handler's name.
//! - `Handler::emit(&self, record)` writes one whole record (terminator
//!   included: the caller appends it) with one `write_all` on an unbuffered
//!   file descriptor, so concurrent threads and processes never tear or
//!   interleave lines; it never panics and never returns an error: a failure
//!   is reported on stderr once per handler and kind of failure (see
//!   [`report`] for the exact text) and the record is dropped.
//!
//! Recovery: a file that cannot be opened (at the first record with `delay`,
//! or when reopened after a rollover) is retried on later records, at most
//! once per second ([`clock::RETRY_AFTER`]); records in between are dropped.
//! After a failed write the handle is kept and the next record tried.
//!
//! Differences from CPython 3.13, on purpose:
//! - missing parent directories are created (Python fails);
//! - files are created with `FileOptions::permissions` (default `0o640`,
//!   less the umask) rather than `0o666` less the umask;
//! - failures are reported once per kind instead of a traceback per record,
//!   and opening is retried with a back-off;
//! - a failed rollover still writes the record (see [`rotating`]).

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::level::Level;

pub(crate) mod clock;
pub(crate) mod file;
pub(crate) mod null;
pub(crate) mod report;
pub(crate) mod rotating;
pub(crate) mod stream;
#[cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "built from the handler table once it names SysLogHandler"
    )
)]
pub(crate) mod syslog;

#[cfg(test)]
mod tests;

use clock::{Clock, SystemClock};
use report::Reporter;

/// Where a stream handler writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamTarget {
    /// `ext://sys.stdout`.
    Stdout,
    /// `ext://sys.stderr` (Python's default).
    Stderr,
}

/// How a file is opened (`mode:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileMode {
    /// `a`: append (the default).
    Append,
    /// `w`: truncate when opened.
    Truncate,
}

/// logconf's `buffer:` option of a file handler: records are collected in
/// memory and written together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BufferOptions {
    /// `capacity`: bytes held before they are written (default 64 KiB).
    pub(crate) capacity: usize,
    /// `flushLevel`: a record at or above it is written at once, with
    /// everything before it (default ERROR).
    pub(crate) flush_level: Level,
    /// `flushInterval`: the longest a record waits in memory (default 1 s).
    pub(crate) flush_interval: Duration,
}

impl Default for BufferOptions {
    fn default() -> BufferOptions {
        BufferOptions {
            capacity: 64 * 1024,
            flush_level: Level::ERROR,
            flush_interval: Duration::from_secs(1),
        }
    }
}

/// The options every file handler shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileOptions {
    /// The file, as the config wrote it (relative to the working directory).
    pub(crate) path: PathBuf,
    /// `mode`.
    pub(crate) mode: FileMode,
    /// `delay`: open on the first record instead of when built.
    pub(crate) delay: bool,
    /// Unix permission bits for a file created here (default `0o640`).
    pub(crate) permissions: u32,
    /// logconf's `buffer:`: `None` writes each record at once (Python's way).
    pub(crate) buffer: Option<BufferOptions>,
}

/// What kind of handler a config entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HandlerKind {
    /// `logging.StreamHandler`.
    Stream(StreamTarget),
    /// `logging.FileHandler`.
    File(FileOptions),
    /// `logging.handlers.RotatingFileHandler`.
    RotatingFile {
        /// The file.
        file: FileOptions,
        /// `maxBytes`; 0 never rolls over.
        max_bytes: u64,
        /// `backupCount`; with 0 a rollover renames nothing: the file is
        /// closed, reopened and keeps growing (as in Python).
        backup_count: u32,
    },
    /// `logging.NullHandler`.
    Null,
}

/// A sink for formatted records.
pub(crate) trait Handler: Send + Sync + fmt::Debug {
    /// Writes one whole record (terminator included) in one write, or
    /// buffers it (`buffer:`); `level` is the record's level.
    fn emit(&self, record: &[u8], level: Level);
    /// Writes anything buffered.
    fn flush(&self);
    /// Like [`Handler::flush`], but gives up rather than wait long for the
    /// lock (used from a panic hook, which must not hang).
    fn try_flush(&self) {
        self.flush();
    }
    /// How often buffered records must be written (`None`: unbuffered).
    fn flush_interval(&self) -> Option<Duration> {
        None
    }
}

/// Builds the handler `name` described by `kind`, reporting failures on
/// stderr and timing retries with the system clock.
pub(crate) fn build(name: &str, kind: &HandlerKind) -> io::Result<Box<dyn Handler>> {
    build_with(name, kind, Arc::new(SystemClock), Arc::new(report::Stderr))
}

/// Builds the handler `name` described by `kind`, with `clock` for the
/// retry back-off and `errors` receiving failure reports.
pub(crate) fn build_with(
    name: &str,
    kind: &HandlerKind,
    clock: Arc<dyn Clock>,
    errors: Arc<dyn report::ErrorSink>,
) -> io::Result<Box<dyn Handler>> {
    let reporter = Reporter::new(name, errors);
    Ok(match kind {
        HandlerKind::Stream(target) => Box::new(stream::StreamHandler::new(*target, reporter)),
        HandlerKind::File(options) => Box::new(file::FileHandler::new(options, reporter, clock)?),
        HandlerKind::RotatingFile {
            file,
            max_bytes,
            backup_count,
        } => Box::new(rotating::RotatingFileHandler::new(
            file,
            *max_bytes,
            *backup_count,
            reporter,
            clock,
        )?),
        HandlerKind::Null => Box::new(null::NullHandler),
    })
}
