//! `logging.FileHandler`, and the shell every file handler shares.
//!
//! [`LogFile`] is the file: the absolute path, the open mode and
//! permissions, the open handle (if any), the position and the `buffer:`.
//! [`FileHandler`] is the shell around it: the lock, the reopen and
//! rollover back-offs, the write outside the lock, flushing and dropping.
//! What differs between file handlers is a [`Rule`]: whether a record must
//! go to a fresh file, and what to rename before the file is reopened. The
//! plain file's rule never rolls over; `RotatingFileHandler`'s counts bytes
//! ([`super::rotating`]); `TimedRotatingFileHandler`'s reads the clock
//! ([`super::timed::handler`]); `WatchedFileHandler`'s reopens without
//! renaming when the path holds another file ([`super::watched`]). Rules
//! may also hook the build (`start`), every open (`opened`) and work done
//! off the logging thread (`background`, waited for by
//! [`Handler::finish`] and on drop).
//!
//! Like Python, a plain handler keeps writing to the handle it has: if the
//! file is deleted or moved away (an external logrotate), records go to the
//! moved or unlinked file.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::clock::{Backoff, Clock};
use super::report::{Op, Reporter};
use super::{BufferOptions, FileMode, FileOptions, Handler};
use crate::args::Args;
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
pub(crate) struct Direct(Arc<OpenFile>);

/// An open log file alone on its cache lines. Its reference count is
/// written twice per unbuffered record (the handle is cloned for the write
/// made outside the lock, then dropped): two handlers' counts on one line
/// would make threads writing different files write the same line.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct OpenFile(File);

impl Direct {
    /// Writes `record` with one `write_all` (`O_APPEND` files: never torn
    /// or interleaved with other writers).
    pub(crate) fn write(&self, record: &[u8]) -> io::Result<()> {
        (&self.0.0).write_all(record)
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
    file: Option<Arc<OpenFile>>,
    /// The back-off of failed opens.
    open_backoff: Backoff,
    /// Where the next byte goes (Python's `stream.tell()`), counting
    /// buffered bytes; `None` when unknown (after a failed write).
    pos: Option<u64>,
    /// Records not written yet (`buffer:`), and the options.
    buffer: Option<(Vec<u8>, BufferOptions)>,
    /// Without `buffer:`, records a queue's listener handed over with more
    /// to come ([`Handler::emit_batched`]), written on its
    /// [`Handler::release`] (or before anything else is written).
    held: Vec<u8>,
}

/// The most bytes of held records ([`LogFile::held`]) kept before they are
/// written.
const HELD_BYTES: usize = 64 * 1024;

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
            held: Vec::new(),
        })
    }

    /// The absolute path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The open file, if any.
    pub(crate) fn handle(&self) -> Option<&File> {
        self.file.as_deref().map(|open| &open.0)
    }

    /// The permission bits of a file created here.
    pub(crate) fn permissions(&self) -> u32 {
        self.permissions
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
        self.file = Some(Arc::new(OpenFile(file)));
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
    #[inline]
    pub(crate) fn write(
        &mut self,
        record: &[u8],
        level: Level,
        hold: bool,
        reporter: &mut Reporter,
    ) -> Option<Direct> {
        self.file.as_ref()?;
        self.pos = self.pos.map(|p| p + record.len() as u64);
        if self.buffer.is_none() {
            if hold {
                self.hold(record, reporter);
                return None;
            }
            // Held records go first: the file keeps the order of emits.
            if !self.held.is_empty() {
                self.release(reporter);
            }
            return self.file.as_ref().map(|file| Direct(Arc::clone(file)));
        }
        let (buf, options) = self.buffer.as_mut()?;
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
        if let Err(err) = (&file.0).write_all(bytes) {
            self.write_failed(&err, reporter);
        }
    }

    /// Keeps `record` with the held ones, writing those first if they would
    /// grow past [`HELD_BYTES`].
    #[inline(never)]
    fn hold(&mut self, record: &[u8], reporter: &mut Reporter) {
        if self.held.len() + record.len() > HELD_BYTES {
            self.release(reporter);
        }
        self.held.extend_from_slice(record);
    }

    /// Writes the held records ([`LogFile::held`]), if any, with one
    /// `write_all`.
    #[inline(never)]
    pub(crate) fn release(&mut self, reporter: &mut Reporter) {
        if self.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.held);
        self.write_now(&held, reporter);
        // Keep the allocation, unless a huge record grew it.
        if held.capacity() <= HELD_BYTES * 2 {
            self.held = held;
            self.held.clear();
        }
    }

    /// Writes the held and the buffered records, if any, with one
    /// `write_all` each.
    pub(crate) fn flush(&mut self, reporter: &mut Reporter) {
        if !self.held.is_empty() {
            self.release(reporter);
        }
        let Some((buf, _)) = self.buffer.as_mut() else {
            return;
        };
        if buf.is_empty() {
            return;
        }
        let bytes = std::mem::take(buf);
        self.write_now(&bytes, reporter);
        if let Some((buf, options)) = self.buffer.as_mut() {
            if bytes.capacity() > options.capacity.saturating_mul(2) {
                // A huge record grew the buffer: give the memory back.
                *buf = Vec::with_capacity(options.capacity);
            } else {
                // Keep the allocation for the next batch.
                *buf = bytes;
                buf.clear();
            }
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
        match (&file.0).stream_position() {
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

/// When and how a file handler rolls over: the part that differs between
/// file handler classes.
pub(crate) trait Rule: Send + fmt::Debug + 'static {
    /// The mode the file is opened in, given the config's `mode` (a
    /// rotating rule forces append, as Python does).
    fn mode(&self, requested: FileMode) -> FileMode {
        requested
    }

    /// Python's `shouldRollover`, the file being open: whether `record`
    /// must go to a fresh file.
    fn should_roll_over(
        &mut self,
        file: &mut LogFile,
        record: &[u8],
        clock: &dyn Clock,
        reporter: &mut Reporter,
    ) -> bool;

    /// The renames of Python's `doRollover`, the file being closed; stops
    /// at the first failure. The shell reopens the file afterwards.
    fn roll_over(&mut self, file: &LogFile, clock: &dyn Clock) -> Result<(), Failure>;

    /// Called once when the handler is built, before the file is first
    /// opened (a time rule reads the modification time of a file that
    /// already exists).
    fn start(&mut self, _file: &LogFile, _clock: &dyn Clock) {}

    /// Called after every successful open of the file: at build, the first
    /// record after a delay, after a rollover, after a failed open (a
    /// watched rule records the identity of the file actually opened).
    fn opened(&mut self, _file: &LogFile, _reporter: &mut Reporter) {}

    /// Work the rule runs off the logging thread (compression), which the
    /// shell waits for when the config finishes; taken once, at build.
    fn background(&self) -> Option<Arc<dyn Background>> {
        None
    }
}

/// Work a rule runs on a thread of its own, waited for when the config
/// finishes.
pub(crate) trait Background: Send + Sync + fmt::Debug {
    /// Returns once everything queued so far is done.
    fn wait(&self);
}

/// The plain file's rule: never roll over.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Plain;

impl Rule for Plain {
    fn should_roll_over(
        &mut self,
        _file: &mut LogFile,
        _record: &[u8],
        _clock: &dyn Clock,
        _reporter: &mut Reporter,
    ) -> bool {
        false
    }

    fn roll_over(&mut self, _file: &LogFile, _clock: &dyn Clock) -> Result<(), Failure> {
        Ok(())
    }
}

/// The state of a file handler, behind its lock.
#[derive(Debug)]
struct State<R> {
    /// The file.
    file: LogFile,
    /// Its failure reporter.
    reporter: Reporter,
    /// When and how to roll over.
    rule: R,
    /// The back-off of failed rollovers.
    rollover_backoff: Backoff,
}

/// A file handler: a [`LogFile`] behind a lock, rolled over by its [`Rule`].
///
/// Per record, under the lock: open the file if it is not (delay, or after
/// a failure, at most once per [`RETRY_AFTER`](super::clock::RETRY_AFTER));
/// ask the rule; on a rollover close the file, let the rule rename, reopen;
/// account for the record. The unbuffered write happens after the lock is
/// released, on a shared handle, so threads never wait for each other's
/// system call; a record is counted in the file it is written to, so a
/// rollover by another thread in between renames that file and the record
/// still lands in it, whole.
///
/// If a step of the rollover fails, the failure is reported, the remaining
/// renames are skipped (as Python's exception skips them), the file is
/// reopened in append mode and the record written there rather than
/// dropped; the next rollover is not attempted before the retry delay has
/// passed.
///
/// Aligned to 128 bytes (two cache lines, what adjacent-line prefetching
/// pairs): its lock and state are written by every record, and another
/// handler's on the same line would make threads logging to different
/// files share it.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct FileHandler<R: Rule> {
    /// The file, reporter, rule and back-off.
    state: Mutex<State<R>>,
    /// The clock of the back-offs and the rule.
    clock: Arc<dyn Clock>,
    /// `buffer.flushInterval`, if records are buffered.
    flush_interval: Option<std::time::Duration>,
    /// The rule's background work, waited for by [`Handler::finish`] and
    /// on drop (outside the lock, so logging threads never wait for it).
    background: Option<Arc<dyn Background>>,
}

impl<R: Rule> FileHandler<R> {
    /// A handler of the file described by `options`, rolled over by `rule`;
    /// opens the file now unless `options.delay`.
    pub(crate) fn new(
        options: &FileOptions,
        rule: R,
        reporter: Reporter,
        clock: Arc<dyn Clock>,
    ) -> io::Result<FileHandler<R>> {
        let mut rule = rule;
        let mut reporter = reporter;
        let mut file = LogFile::new(options, rule.mode(options.mode))?;
        rule.start(&file, &*clock);
        if !options.delay {
            file.open().map_err(Failure::into_io)?;
            rule.opened(&file, &mut reporter);
        }
        let background = rule.background();
        Ok(FileHandler {
            state: Mutex::new(State {
                file,
                reporter,
                rule,
                rollover_backoff: Backoff::default(),
            }),
            clock,
            flush_interval: options.buffer.map(|b| b.flush_interval),
            background,
        })
    }

    /// One record, the lock held: Python's `shouldRollover`, `doRollover`
    /// and `emit` (an unbuffered record is written by the caller, after the
    /// lock is released).
    #[inline(always)]
    fn emit_locked(
        &self,
        state: &mut State<R>,
        record: &[u8],
        level: Level,
        hold: bool,
    ) -> Option<Direct> {
        let State {
            file,
            reporter,
            rule,
            rollover_backoff,
        } = state;
        let clock = &*self.clock;
        if !Self::open_if_closed(file, rule, clock, reporter) {
            return None;
        }
        // The clock is read only while a failed rollover is backing off.
        let ready = rollover_backoff.is_clear() || rollover_backoff.ready(clock.now());
        if ready && rule.should_roll_over(file, record, clock, reporter) {
            file.close(reporter);
            match rule.roll_over(file, clock) {
                Ok(()) => rollover_backoff.succeeded(),
                Err(failure) => {
                    rollover_backoff.failed(clock.now());
                    failure.report(reporter);
                }
            }
            if !Self::open_if_closed(file, rule, clock, reporter) {
                return None;
            }
        }
        file.write(record, level, hold, reporter)
    }

    /// Opens the file if it is closed (and the back-off allows), telling
    /// the rule about a new open; whether the file is open.
    fn open_if_closed(
        file: &mut LogFile,
        rule: &mut R,
        clock: &dyn Clock,
        reporter: &mut Reporter,
    ) -> bool {
        if file.handle().is_some() {
            return true;
        }
        let opened = file.ensure_open(clock, reporter);
        if opened {
            rule.opened(file, reporter);
        }
        opened
    }

    /// Writes the buffered records. With `patient` false (a panic hook) the
    /// lock is only tried for a while.
    fn flush_with(&self, patient: bool) {
        let guard = if patient {
            Some(self.state.lock().unwrap_or_else(PoisonError::into_inner))
        } else {
            try_lock_for_a_while(&self.state)
        };
        let reports = guard.and_then(|mut state| {
            let State { file, reporter, .. } = &mut *state;
            file.flush(reporter);
            reporter.take()
        });
        if let Some(reports) = reports {
            reports.write();
        }
    }
}

#[cfg(test)]
impl<R: Rule> FileHandler<R> {
    /// Panics while holding the lock, poisoning it.
    pub(crate) fn poison(&self) {
        let _state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        panic!("poisoning the lock on purpose");
    }
}

impl<R: Rule> FileHandler<R> {
    /// [`Handler::emit`], keeping the record in memory when `hold` (and the
    /// handler has no `buffer:`).
    #[inline(always)]
    fn emit_with(&self, record: &[u8], level: Level, hold: bool) {
        let (direct, reports) = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let direct = self.emit_locked(&mut state, record, level, hold);
            (direct, state.reporter.take())
        };
        // Reports made under the lock are written after it is released.
        if let Some(reports) = reports {
            reports.write();
        }
        let Some(Err(err)) = direct.map(|d| d.write(record)) else {
            return;
        };
        let reports = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let State { file, reporter, .. } = &mut *state;
            file.write_failed(&err, reporter);
            reporter.take()
        };
        if let Some(reports) = reports {
            reports.write();
        }
    }
}

impl<R: Rule> Handler for FileHandler<R> {
    fn emit(&self, record: &[u8], level: Level) {
        self.emit_with(record, level, false);
    }

    fn emit_batched(&self, record: &[u8], level: Level) {
        self.emit_with(record, level, true);
    }

    fn release(&self) {
        let reports = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let State { file, reporter, .. } = &mut *state;
            file.release(reporter);
            reporter.take()
        };
        if let Some(reports) = reports {
            reports.write();
        }
    }

    fn flush(&self) {
        self.flush_with(true);
    }

    fn try_flush(&self) {
        self.flush_with(false);
    }

    fn flush_interval(&self) -> Option<std::time::Duration> {
        self.flush_interval
    }

    fn finish(&self) {
        self.flush_with(true);
        if let Some(background) = &self.background {
            background.wait();
        }
    }
}

impl<R: Rule> Drop for FileHandler<R> {
    fn drop(&mut self) {
        // Write what is buffered, as `BufWriter` does.
        let State { file, reporter, .. } =
            self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        file.flush(reporter);
        if let Some(reports) = reporter.take() {
            reports.write();
        }
        // A config being dropped waits for its compressions.
        if let Some(background) = &self.background {
            background.wait();
        }
    }
}

/// The keys every file handler accepts.
pub(crate) const FILE_KEYS: &[&str] = &[
    "filename",
    "mode",
    "encoding",
    "delay",
    "errors",
    "permissions",
    "buffer",
    ".terminator",
];

/// The default permissions of a created log file.
const DEFAULT_PERMISSIONS: u32 = 0o640;

/// `logging.FileHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.FileHandler",
    keys: FILE_KEYS,
    terminator: "\n",
    parse: |args| Some(Arc::new(parse_options(args)?)),
};

impl HandlerSettings for FileOptions {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let handler = FileHandler::new(self, Plain, ctx.reporter(), Arc::clone(&ctx.clock))?;
        Ok(Box::new(handler))
    }

    fn file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        super::class::same_settings(self, other)
    }
}

/// Reads the keys every file handler has ([`FILE_KEYS`]).
pub(crate) fn parse_options(args: &mut Args<'_, '_>) -> Option<FileOptions> {
    let filename = match args.string("filename") {
        None if args.get("filename").is_none() => {
            args.missing("filename", None);
            None
        }
        Some("") => {
            args.report("filename", "the file name is empty".into(), None);
            None
        }
        other => other,
    };
    let mode = args
        .choice(
            "mode",
            "unsupported mode",
            &[("a", FileMode::Append), ("w", FileMode::Truncate)],
        )
        .unwrap_or(FileMode::Append);
    if let Some(encoding) = args.string("encoding") {
        let normal = encoding.to_ascii_lowercase().replace('-', "_");
        if normal != "utf_8" && normal != "utf8" {
            args.report(
                "encoding",
                format!("unsupported encoding `{}`", crate::args::show(encoding)),
                Some("logconf writes UTF-8 only; use `utf-8` or remove `encoding`".into()),
            );
        }
    }
    if let Some(errors) = args.string("errors")
        && errors != "strict"
    {
        args.report(
            "errors",
            format!("unsupported error handler `{}`", crate::args::show(errors)),
            Some("logconf writes valid UTF-8 only; use `strict` or remove `errors`".into()),
        );
    }
    let delay = args.truthy("delay", false);
    let permissions = match args.get("permissions") {
        None => Some(DEFAULT_PERMISSIONS),
        Some(_) => parse_permissions(args),
    };
    let buffer = match args.mapping("buffer") {
        None => None,
        Some(mut buffer) => Some(parse_buffer(&mut buffer)?),
    };
    if args.failed() {
        return None;
    }
    Some(FileOptions {
        path: PathBuf::from(filename?),
        mode,
        delay,
        permissions: permissions?,
        buffer,
    })
}

/// logconf's `buffer:` of a file handler: a mapping (`{}` for the defaults).
fn parse_buffer(args: &mut Args<'_, '_>) -> Option<BufferOptions> {
    args.unknown_keys(&["capacity", "flushLevel", "flushInterval"], " in `buffer`");
    let mut out = BufferOptions::default();
    match args.count("capacity", 1 << 30) {
        Some(0) => args.report("capacity", "capacity must be at least 1 byte".into(), None),
        Some(n) => out.capacity = usize::try_from(n).unwrap_or(usize::MAX),
        None => {}
    }
    if let Some(level) = args.level("flushLevel") {
        out.flush_level = level;
    }
    if let Some(interval) = args.seconds("flushInterval", 3600.0) {
        out.flush_interval = interval;
    }
    (!args.failed()).then_some(out)
}

/// `permissions:` as an octal string (`"0640"`) or an integer.
fn parse_permissions(args: &mut Args<'_, '_>) -> Option<u32> {
    use crate::tree::Value;
    const HELP: &str = "write octal permission bits as a string, like `\"0640\"`";
    let node = args.get("permissions")?.value;
    let value = match &node.value {
        Value::Str(s) => {
            let digits = s.strip_prefix("0o").unwrap_or(s);
            match u32::from_str_radix(digits, 8) {
                Ok(v) if !digits.is_empty() && digits.len() <= 4 && !digits.starts_with('+') => v,
                _ => {
                    let message = format!("invalid permissions `{}`", crate::args::show(s));
                    args.report("permissions", message, Some(HELP.into()));
                    return None;
                }
            }
        }
        Value::Int(n) => u32::try_from(*n).unwrap_or(0o7777 + 1),
        other => {
            let message = format!(
                "expected permissions like `\"0640\"`, found {}",
                other.kind()
            );
            args.report("permissions", message, None);
            return None;
        }
    };
    if value > 0o777 {
        let message = "permissions out of range: only the bits `0777` can be set".into();
        args.report("permissions", message, Some(HELP.into()));
        return None;
    }
    if value & 0o002 != 0 {
        let message = format!("permissions `0{value:03o}` make the log file world-writable");
        let help = format!("use `\"0{:03o}\"`", value & !0o002);
        args.report("permissions", message, Some(help));
        return None;
    }
    Some(value)
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
