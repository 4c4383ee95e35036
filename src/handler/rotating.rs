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
//! Differences from Python, in failures only: if a step of the rollover
//! fails, the failure is reported, the remaining renames are skipped (as
//! Python's exception skips them), `base` is reopened in append mode and the
//! record is written there rather than dropped; the next rollover is then
//! not attempted before the retry delay has passed, so a persistent failure
//! does not cost a rename attempt per record (the file grows past
//! `max_bytes` meanwhile).
//!
//! Threads sharing one handler are serialized by its lock. Several processes
//! rotating the same file race exactly as they do in Python (each renames on
//! its own); their lines are still never torn, each being one `O_APPEND`
//! write.

use std::fs;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use super::clock::{Backoff, Clock};
use super::file::{Direct, Failure, FileState, LogFile, finish_emit, flush_on_drop, flush_state};
use super::report::{Op, Reporter};
use super::{FileMode, FileOptions, Handler};
use crate::level::Level;

/// The length of `record` in characters, as Python's `len(str)`: the bytes
/// that are not UTF-8 continuation bytes.
pub(crate) fn char_len(record: &[u8]) -> u64 {
    record.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// The state of a rotating handler, behind its lock.
#[derive(Debug)]
struct State {
    /// The base file.
    file: LogFile,
    /// Its failure reporter.
    reporter: Reporter,
    /// The back-off of failed rollovers.
    rollover_backoff: Backoff,
}

/// `logging.handlers.RotatingFileHandler`.
#[derive(Debug)]
pub(crate) struct RotatingFileHandler {
    /// The file, reporter and back-off.
    state: Mutex<State>,
    /// `maxBytes`; 0 never rolls over.
    max_bytes: u64,
    /// `backupCount`.
    backup_count: u32,
    /// The clock of the back-offs.
    clock: Arc<dyn Clock>,
    /// `buffer.flushInterval`, if records are buffered.
    flush_interval: Option<std::time::Duration>,
}

impl RotatingFileHandler {
    /// A rotating handler; opens the file now unless `options.delay`. The
    /// mode is forced to append when `max_bytes > 0`, as in Python.
    pub(crate) fn new(
        options: &FileOptions,
        max_bytes: u64,
        backup_count: u32,
        reporter: Reporter,
        clock: Arc<dyn Clock>,
    ) -> io::Result<RotatingFileHandler> {
        let mode = if max_bytes > 0 {
            FileMode::Append
        } else {
            options.mode
        };
        let mut file = LogFile::new(options, mode)?;
        if !options.delay {
            file.open().map_err(Failure::into_io)?;
        }
        Ok(RotatingFileHandler {
            state: Mutex::new(State {
                file,
                reporter,
                rollover_backoff: Backoff::default(),
            }),
            max_bytes,
            backup_count,
            clock,
            flush_interval: options.buffer.map(|b| b.flush_interval),
        })
    }

    /// Python's `shouldRollover`, the file being open.
    fn should_roll_over(&self, state: &mut State, record: &[u8]) -> bool {
        if self.max_bytes == 0 {
            return false;
        }
        let Some(pos) = state.file.position(&mut state.reporter) else {
            return false;
        };
        if pos == 0 {
            return false;
        }
        // Characters never outnumber bytes: only count them near the limit.
        if pos.saturating_add(record.len() as u64) < self.max_bytes
            || pos.saturating_add(char_len(record)) < self.max_bytes
        {
            return false;
        }
        !fs::metadata(state.file.path()).is_ok_and(|meta| !meta.is_file())
    }

    /// One record, the lock held: Python's `shouldRollover`, `doRollover`
    /// and `emit` (an unbuffered record is written by the caller, after
    /// the lock is released).
    fn emit_locked(&self, state: &mut State, record: &[u8], level: Level) -> Option<Direct> {
        if !state.file.ensure_open(&*self.clock, &mut state.reporter) {
            return None;
        }
        // The clock is read only while a failed rollover is backing off.
        let ready =
            state.rollover_backoff.is_clear() || state.rollover_backoff.ready(self.clock.now());
        if ready && self.should_roll_over(state, record) {
            let now = self.clock.now();
            state.file.close(&mut state.reporter);
            match self.shift_backups(&state.file) {
                Ok(()) => state.rollover_backoff.succeeded(),
                Err(failure) => {
                    state.rollover_backoff.failed(now);
                    failure.report(&mut state.reporter);
                }
            }
            if !state.file.ensure_open(&*self.clock, &mut state.reporter) {
                return None;
            }
        }
        state.file.write(record, level, &mut state.reporter)
    }

    /// The renames of Python's `doRollover` (the file being closed); stops
    /// at the first failure.
    fn shift_backups(&self, file: &LogFile) -> Result<(), Failure> {
        if self.backup_count == 0 {
            return Ok(());
        }
        for i in (1..self.backup_count).rev() {
            let source = file.backup(i);
            if source.exists() {
                let dest = file.backup(i + 1);
                remove_if_exists(&dest)?;
                rename(&source, &dest)?;
            }
        }
        let first = file.backup(1);
        remove_if_exists(&first)?;
        // Issue 18940: with delay the base may never have been created.
        if file.path().exists() {
            rename(file.path(), &first)?;
        }
        Ok(())
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

impl FileState for State {
    fn parts(&mut self) -> (&mut LogFile, &mut Reporter) {
        (&mut self.file, &mut self.reporter)
    }
}

impl Handler for RotatingFileHandler {
    fn emit(&self, record: &[u8], level: Level) {
        let (direct, reports) = {
            let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let direct = self.emit_locked(&mut guard, record, level);
            (direct, guard.reporter.take())
        };
        // An unbuffered record was counted in the file it goes to; a rollover
        // by another thread meanwhile renames that file, and the record still
        // lands in it, whole.
        finish_emit(&self.state, reports, direct, record);
    }

    fn flush(&self) {
        flush_state(&self.state, true);
    }

    fn try_flush(&self) {
        flush_state(&self.state, false);
    }

    fn flush_interval(&self) -> Option<std::time::Duration> {
        self.flush_interval
    }
}

impl Drop for RotatingFileHandler {
    fn drop(&mut self) {
        flush_on_drop(&mut self.state);
    }
}
