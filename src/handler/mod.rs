//! Handlers: formatted bytes to a sink (stream, file, rotating file, null).
//!
//! INTERFACE (kept stable for the rest of the crate):
//! - `HandlerKind` is what the validated config says a handler is.
//! - `build(name, &HandlerKind) -> io::Result<Box<dyn Handler>>` opens what
//!   must be opened now (a file without `delay`), creating parent folders.
//! - `Handler::emit(&self, record)` writes one whole record (terminator
//!   included) with one write; it never panics and never returns an error:
//!   a failure is reported on stderr once per handler and kind of failure.

use std::fmt;
use std::io;
use std::path::PathBuf;

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
        /// `backupCount`; 0 never rolls over.
        backup_count: u32,
    },
    /// `logging.NullHandler`.
    Null,
}

/// A sink for formatted records.
pub(crate) trait Handler: Send + Sync + fmt::Debug {
    /// Writes one whole record (terminator included) in one write.
    fn emit(&self, record: &[u8]);
    /// Flushes anything buffered.
    fn flush(&self);
}

/// Builds the handler `name` described by `kind`.
pub(crate) fn build(name: &str, kind: &HandlerKind) -> io::Result<Box<dyn Handler>> {
    let _ = (name, kind);
    Err(io::Error::other("handlers are not built yet"))
}
