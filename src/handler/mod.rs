//! Handlers: formatted bytes to a sink (stream, file, size- and
//! time-rotating file, watched file, null, syslog), and the handlers that
//! pass records on to others (memory, queue: see [`forward`]).
//!
//! Each class is an entry of [`class::CLASSES`]: its parse step turns the
//! config's keys into settings ([`class::HandlerSettings`]), and building
//! the settings opens what must be opened now (a file without `delay`,
//! creating parent folders; a relative path is made absolute against the
//! working directory at build time, as Python's `os.path.abspath`).
//!
//! `Handler::emit(&self, record, level)` writes one whole record, its
//! terminator included (each handler has its own: `\n` for streams and
//! files), with one `write_all` on an unbuffered file descriptor, so
//! concurrent threads and processes never tear or interleave lines. It never
//! panics and never returns an error: a failure is reported on stderr once
//! per handler and kind of failure (see [`report`] for the exact text) and
//! the record is dropped.
//!
//! Recovery: a file that cannot be opened (at the first record with `delay`,
//! or when reopened after a rollover) is retried on later records, at most
//! once per second ([`clock::RETRY_AFTER`]); records in between are dropped.
//! After a failed write the handle is kept and the next record tried.
//!
//! The deliberate differences from CPython are listed in the README's
//! compatibility table.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::format::Record;
use crate::level::Level;

pub(crate) mod class;
pub(crate) mod clock;
pub(crate) mod compress;
pub(crate) mod file;
pub(crate) mod forward;
pub(crate) mod memory;
pub(crate) mod null;
#[cfg(feature = "otlp")]
pub(crate) mod otlp;
pub(crate) mod queue;
pub(crate) mod report;
pub(crate) mod rotating;
pub(crate) mod stream;
pub(crate) mod syslog;
pub(crate) mod timed;
#[cfg(unix)]
pub(crate) mod watched;

#[cfg(test)]
mod forward_tests;
#[cfg(test)]
mod tests;

/// Where a stream handler writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamTarget {
    /// `ext://sys.stdout`.
    Stdout,
    /// `ext://sys.stderr` (Python's default).
    Stderr,
    /// `ext://test` (logconf's): through `print!`, which the standard test
    /// harness captures per test, as tracing-subscriber's `TestWriter`.
    Test,
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

/// A sink for formatted records.
pub(crate) trait Handler: Send + Sync + fmt::Debug {
    /// Writes one whole record (its terminator included) in one write, or
    /// buffers it (`buffer:`); `level` is the record's level.
    fn emit(&self, record: &[u8], level: Level);
    /// Like [`Handler::emit`], from a queue's listener that has more
    /// records at hand: a handler that writes each record at once may keep
    /// this one in memory until [`Handler::release`], which the listener
    /// calls before it waits for the next record (and before it counts the
    /// records as written). Default: [`Handler::emit`].
    fn emit_batched(&self, record: &[u8], level: Level) {
        self.emit(record, level);
    }
    /// Writes what [`Handler::emit_batched`] kept (also done by
    /// [`Handler::flush`]).
    fn release(&self) {}
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
    /// Takes a record made ready for a handler that passes records on
    /// (`MemoryHandler`, `QueueHandler`; see [`forward`]). A plain handler
    /// writes the parcel's text, if it is one.
    fn forward(&self, parcel: forward::Parcel, level: Level) {
        if let forward::Parcel::Text(text) = parcel {
            self.emit(&text, level);
        }
    }
    /// Python's `close` at shutdown (the guard dropped, or the config):
    /// a handler that holds records back releases them by its own rules
    /// and closes the handlers it passes them on to. Others flush.
    fn close(&self) {
        self.finish();
    }

    /// Like [`Handler::flush`], then waits for the handler's background
    /// work (compression) queued so far: what a guard's drop calls.
    fn finish(&self) {
        self.flush();
    }
    /// Whether this handler takes the structured record
    /// ([`Handler::emit_record`]) instead of formatted bytes. Only asked
    /// when the config is built and, per record, when some handler of the
    /// config said yes: handlers that take bytes cost nothing more.
    fn takes_records(&self) -> bool {
        false
    }
    /// Takes one record as fields (an exporter that keeps them typed),
    /// instead of [`Handler::emit`]. `formatted` is the text of the
    /// handler's own `formatter:` when it has one; `span` is the span the
    /// event happened in, when the handler can read its context.
    fn emit_record(
        &self,
        _record: &Record<'_>,
        _formatted: Option<&[u8]>,
        _span: Option<EventSpan<'_>>,
    ) {
    }
}

/// The span an event happened in, with the subscriber that knows it: what a
/// record-taking handler needs to read the span's trace context.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(
    not(feature = "otlp"),
    allow(dead_code, reason = "read by the OTLP handler")
)]
pub(crate) struct EventSpan<'a> {
    /// The span's id in `dispatch`.
    pub(crate) id: &'a tracing_core::span::Id,
    /// The subscriber the layer is part of.
    pub(crate) dispatch: &'a tracing_core::Dispatch,
}
