//! `logging.FileHandler`: records appended to (or written over) a file.
//!
//! [`LogFile`] is the file part shared with the rotating handler: the
//! absolute path, the open mode and permissions, the open handle (if any) and
//! the reopen back-off.
//!
//! Like Python, a handler keeps writing to the handle it has: if the file is
//! deleted or moved away (an external logrotate), records go to the moved or
//! unlinked file. Reopening when the path no longer names the open file
//! (Python's `WatchedFileHandler`) is future work.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::clock::{Backoff, Clock};
use super::report::{Op, Reporter, Reports};
use super::{BufferOptions, FileMode, FileOptions, Handler};
use crate::level::Level;

/// Python's `os.path.abspath`: `path` joined to the working directory when
/// relative, then `.` and `..` removed lexically (symlinks not resolved).
pub(crate) fn absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`, as in `posixpath.normpath`.
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// An open file handed out of the handler's lock for one record.
#[derive(Debug)]
pub(crate) struct Direct(Arc<File>);

impl Direct {
    /// Writes `record` with one `write_all` (`O_APPEND` files: never torn
    /// or interleaved with other writers).
    pub(crate) fn write(&self, record: &[u8]) -> io::Result<()> {
        (&*self.0).write_all(record)
    }
}

/// The state behind a file handler's lock: its file and its reporter (the
/// rotating handler adds its rollover back-off).
pub(crate) trait FileState {
    /// The file and the reporter.
    fn parts(&mut self) -> (&mut LogFile, &mut Reporter);
}

/// After the lock is released: writes the reports made under it, then the
/// unbuffered record through `direct`; a failure of that write takes the
/// lock again to be reported.
pub(crate) fn finish_emit<S: FileState>(
    state: &Mutex<S>,
    reports: Option<Reports>,
    direct: Option<Direct>,
    record: &[u8],
) {
    if let Some(reports) = reports {
        reports.write();
    }
    let Some(Err(err)) = direct.map(|d| d.write(record)) else {
        return;
    };
    let reports = {
        let mut guard = state.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, reporter) = guard.parts();
        file.write_failed(&err, reporter);
        reporter.take()
    };
    if let Some(reports) = reports {
        reports.write();
    }
}

/// Writes the buffered records of the handler whose state is `state`.
/// With `patient` false (a panic hook) the lock is only tried for a while.
pub(crate) fn flush_state<S: FileState>(state: &Mutex<S>, patient: bool) {
    let guard = if patient {
        Some(state.lock().unwrap_or_else(PoisonError::into_inner))
    } else {
        try_lock_for_a_while(state)
    };
    let reports = guard.and_then(|mut guard| {
        let (file, reporter) = guard.parts();
        file.flush(reporter);
        reporter.take()
    });
    if let Some(reports) = reports {
        reports.write();
    }
}

/// Writes the buffered records of a handler being dropped, as `BufWriter`
/// does.
pub(crate) fn flush_on_drop<S: FileState>(state: &mut Mutex<S>) {
    let (file, reporter) = state
        .get_mut()
        .unwrap_or_else(PoisonError::into_inner)
        .parts();
    file.flush(reporter);
    if let Some(reports) = reporter.take() {
        reports.write();
    }
}

/// Creates `dir` and its missing parents. On Unix they get the file's
/// permissions with an execute bit wherever a read bit is set (0750 for
/// 0640), less the umask: never world-writable, whatever the umask.
fn create_dirs(dir: &Path, file_permissions: u32) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let read = file_permissions & 0o444;
        builder.mode((file_permissions | (read >> 2)) & 0o775);
    }
    #[cfg(not(unix))]
    let _ = file_permissions;
    builder.create(dir)
}

/// A failed file operation: what was attempted, on which path, and the error.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The operation.
    pub(crate) op: Op,
    /// The description used in the report ("cannot open /abs/app.log").
    pub(crate) what: String,
    /// The error.
    pub(crate) err: io::Error,
}

impl Failure {
    /// A failure of `op`, described by `what`.
    pub(crate) fn new(op: Op, what: String, err: io::Error) -> Failure {
        Failure { op, what, err }
    }

    /// Reports this failure (once per kind) through `reporter`.
    pub(crate) fn report(self, reporter: &mut Reporter) {
        reporter.report(self.op, &self.err, || self.what);
    }

    /// This failure as an `io::Error` of the same kind, with the description.
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::new(self.err.kind(), format!("{}: {}", self.what, self.err))
    }
}

/// A log file: where it is, how it is opened, and the handle once open.
#[derive(Debug)]
pub(crate) struct LogFile {
    /// The absolute path.
    path: PathBuf,
    /// How to open it.
    mode: FileMode,
    /// Permission bits for a file created here.
    permissions: u32,
    /// The open file; `None` before the first open (delay), after a failed
    /// open, or between the close and the reopen of a rollover.
    file: Option<Arc<File>>,
    /// The back-off of failed opens.
    open_backoff: Backoff,
    /// Where the next byte goes (Python's `stream.tell()`), counting
    /// buffered bytes; `None` when unknown (after a failed write).
    pos: Option<u64>,
    /// Records not written yet (`buffer:`), and the options.
    buffer: Option<(Vec<u8>, BufferOptions)>,
}

impl LogFile {
    /// The file described by `options`, opened with `mode` (which may differ
    /// from `options.mode`: a rotating handler forces append). Not opened yet.
    pub(crate) fn new(options: &FileOptions, mode: FileMode) -> io::Result<LogFile> {
        Ok(LogFile {
            path: absolute(&options.path)?,
            mode,
            permissions: options.permissions,
            file: None,
            open_backoff: Backoff::default(),
            pos: None,
            buffer: options.buffer.map(|b| (Vec::with_capacity(b.capacity), b)),
        })
    }

    /// The absolute path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The path with `.{n}` appended (the `n`th backup).
    pub(crate) fn backup(&self, n: u32) -> PathBuf {
        let mut name = OsString::from(self.path.as_os_str());
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// Opens the file now, creating missing parent directories. An append
    /// open starts at the end of the file, as Python's does, so the position
    /// is the file's size.
    pub(crate) fn open(&mut self) -> Result<(), Failure> {
        if let Some(parent) = self.path.parent() {
            create_dirs(parent, self.permissions).map_err(|err| {
                Failure::new(
                    Op::CreateDir,
                    format!("cannot create the directory {}", parent.display()),
                    err,
                )
            })?;
        }
        let mut options = OpenOptions::new();
        match self.mode {
            FileMode::Append => options.append(true).create(true),
            FileMode::Truncate => options.write(true).create(true).truncate(true),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(self.permissions);
        }
        let cannot_open = |err| {
            Failure::new(
                Op::Open,
                format!("cannot open {}", self.path.display()),
                err,
            )
        };
        let mut file = options.open(&self.path).map_err(cannot_open)?;
        let pos = if self.mode == FileMode::Append {
            file.seek(SeekFrom::End(0)).map_err(cannot_open)?
        } else {
            0
        };
        self.file = Some(Arc::new(file));
        self.pos = Some(pos);
        Ok(())
    }

    /// Makes sure the file is open, opening it if it is not and the back-off
    /// allows. A failure is reported. Returns whether the file is open.
    pub(crate) fn ensure_open(&mut self, clock: &dyn Clock, reporter: &mut Reporter) -> bool {
        if self.file.is_some() {
            return true;
        }
        let now = clock.now();
        if !self.open_backoff.ready(now) {
            return false;
        }
        match self.open() {
            Ok(()) => {
                self.open_backoff.succeeded();
                true
            }
            Err(failure) => {
                self.open_backoff.failed(now);
                failure.report(reporter);
                false
            }
        }
    }

    /// Accounts for `record` and buffers it (written when full, at
    /// `flush_level`, or by [`LogFile::flush`]), or, unbuffered, returns the
    /// file for the caller to write `record` to with one `write_all` once
    /// the handler's lock is released ([`Direct::write`]), so threads do not
    /// wait for each other's system calls. A failure is reported, the bytes
    /// dropped and the handle kept for the next record.
    #[must_use = "an unbuffered record is written by the caller"]
    pub(crate) fn write(
        &mut self,
        record: &[u8],
        level: Level,
        reporter: &mut Reporter,
    ) -> Option<Direct> {
        let file = self.file.as_ref()?;
        self.pos = self.pos.map(|p| p + record.len() as u64);
        let Some((buf, options)) = self.buffer.as_mut() else {
            return Some(Direct(Arc::clone(file)));
        };
        if !buf.is_empty() && buf.len() + record.len() > options.capacity {
            self.flush(reporter);
        }
        let (buf, options) = self.buffer.as_mut()?;
        buf.extend_from_slice(record);
        if level >= options.flush_level || buf.len() >= options.capacity {
            self.flush(reporter);
        }
        None
    }

    /// A write made outside the lock failed: the position is no longer
    /// known, and the failure is reported.
    pub(crate) fn write_failed(&mut self, err: &io::Error, reporter: &mut Reporter) {
        self.pos = None;
        reporter.report(Op::Write, err, || {
            format!("cannot write to {}", self.path.display())
        });
    }

    /// One `write_all` of `bytes` to the open file.
    fn write_now(&mut self, bytes: &[u8], reporter: &mut Reporter) {
        let Some(file) = self.file.as_ref() else {
            return;
        };
        if let Err(err) = (&**file).write_all(bytes) {
            self.write_failed(&err, reporter);
        }
    }

    /// Writes the buffered records, if any, with one `write_all`.
    pub(crate) fn flush(&mut self, reporter: &mut Reporter) {
        let Some((buf, _)) = self.buffer.as_mut() else {
            return;
        };
        if buf.is_empty() {
            return;
        }
        let bytes = std::mem::take(buf);
        self.write_now(&bytes, reporter);
        if let Some((buf, _)) = self.buffer.as_mut() {
            // Keep the allocation for the next batch.
            *buf = bytes;
            buf.clear();
        }
    }

    /// The current position in the open file (Python's `stream.tell()`):
    /// where the next record goes, buffered records counted. Kept in memory
    /// (no system call per record); asked of the file only after a failed
    /// write. `None` if not open or on failure (reported).
    pub(crate) fn position(&mut self, reporter: &mut Reporter) -> Option<u64> {
        if let Some(pos) = self.pos {
            return Some(pos);
        }
        self.flush(reporter);
        let file = self.file.as_ref()?;
        match (&**file).stream_position() {
            Ok(pos) => {
                self.pos = Some(pos);
                Some(pos)
            }
            Err(err) => {
                reporter.report(Op::Position, &err, || {
                    format!("cannot read the position in {}", self.path.display())
                });
                None
            }
        }
    }

    /// Writes what is buffered, then closes the file (rollover).
    pub(crate) fn close(&mut self, reporter: &mut Reporter) {
        self.flush(reporter);
        self.file = None;
        self.pos = None;
    }
}

/// The state of a file handler, behind its lock.
#[derive(Debug)]
struct State {
    /// The file.
    file: LogFile,
    /// Its failure reporter.
    reporter: Reporter,
}

/// `logging.FileHandler`.
#[derive(Debug)]
pub(crate) struct FileHandler {
    /// The file and reporter.
    state: Mutex<State>,
    /// The clock of the reopen back-off.
    clock: Arc<dyn Clock>,
    /// `buffer.flushInterval`, if records are buffered.
    flush_interval: Option<std::time::Duration>,
}

impl FileHandler {
    /// A file handler; opens the file now unless `options.delay`.
    pub(crate) fn new(
        options: &FileOptions,
        reporter: Reporter,
        clock: Arc<dyn Clock>,
    ) -> io::Result<FileHandler> {
        let mut file = LogFile::new(options, options.mode)?;
        if !options.delay {
            file.open().map_err(Failure::into_io)?;
        }
        Ok(FileHandler {
            state: Mutex::new(State { file, reporter }),
            clock,
            flush_interval: options.buffer.map(|b| b.flush_interval),
        })
    }
}

#[cfg(test)]
impl FileHandler {
    /// Panics while holding the lock, poisoning it.
    pub(crate) fn poison(&self) {
        let _state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        panic!("poisoning the lock on purpose");
    }
}

impl FileState for State {
    fn parts(&mut self) -> (&mut LogFile, &mut Reporter) {
        (&mut self.file, &mut self.reporter)
    }
}

impl Handler for FileHandler {
    fn emit(&self, record: &[u8], level: Level) {
        let (direct, reports) = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let State { file, reporter } = &mut *state;
            let direct = if file.ensure_open(&*self.clock, reporter) {
                file.write(record, level, reporter)
            } else {
                None
            };
            (direct, reporter.take())
        };
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

impl Drop for FileHandler {
    fn drop(&mut self) {
        flush_on_drop(&mut self.state);
    }
}

/// Takes `lock`, retrying for up to about 200 ms; a poisoned lock is
/// recovered. `None` if it stayed busy (its holder may be the very thread
/// that panicked).
pub(crate) fn try_lock_for_a_while<T>(lock: &Mutex<T>) -> Option<std::sync::MutexGuard<'_, T>> {
    for _ in 0..200 {
        match lock.try_lock() {
            Ok(guard) => return Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    None
}
