//! `logging.StreamHandler`: records to stdout or stderr.
//!
//! Each record is written with one `write_all` to the locked standard handle
//! and flushed, as Python flushes after each record. A failure (EPIPE when
//! the reader of stdout went away: Rust ignores SIGPIPE) is reported once,
//! the record dropped, and the next record tried again.
//!
//! Lock order: the standard stream's lock first, then the handler's state.
//! An application may hold `io::stdout().lock()` while it logs (the std
//! docs suggest it for speed); that lock is reentrant, so its thread goes
//! on, and no thread ever holds the handler's state while waiting for the
//! stream, so two threads (or the flush thread) cannot deadlock.

use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};

use std::sync::Arc;

use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::report::{Op, Reporter};
use super::{Handler, StreamTarget};
use crate::level::Level;

/// `logging.StreamHandler`: `stream` is `ext://sys.stderr` (the default),
/// `ext://sys.stdout`, or logconf's `ext://test` (stdout through `print!`,
/// captured by `cargo test`).
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.StreamHandler",
    keys: &["stream"],
    terminator: "\n",
    parse: |args| {
        let target = args.choice(
            "stream",
            "unsupported stream",
            &[
                ("ext://sys.stdout", StreamTarget::Stdout),
                ("ext://sys.stderr", StreamTarget::Stderr),
                ("ext://test", StreamTarget::Test),
            ],
        );
        (!args.failed()).then(|| Arc::new(target.unwrap_or(StreamTarget::Stderr)) as _)
    },
};

impl HandlerSettings for StreamTarget {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        Ok(Box::new(StreamHandler::new(*self, ctx.reporter())))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        super::class::same_settings(self, other)
    }
}

/// A standard stream, locked.
enum StdLock {
    /// `io::stdout().lock()`.
    Out(io::StdoutLock<'static>),
    /// `io::stderr().lock()`.
    Err(io::StderrLock<'static>),
}

impl StdLock {
    /// Locks the standard stream `target` (`None` for `ext://test`, which
    /// `print!` locks itself).
    fn of(target: StreamTarget) -> Option<StdLock> {
        match target {
            StreamTarget::Stdout => Some(StdLock::Out(io::stdout().lock())),
            StreamTarget::Stderr => Some(StdLock::Err(io::stderr().lock())),
            StreamTarget::Test => None,
        }
    }

    fn stream(&mut self) -> &mut dyn Write {
        match self {
            StdLock::Out(out) => out,
            StdLock::Err(err) => err,
        }
    }
}

/// Where the bytes go.
enum Out {
    /// A standard stream.
    Std(StreamTarget),
    /// Anything else (tests).
    #[cfg(test)]
    Other(Box<dyn Write + Send>, &'static str),
}

impl Out {
    /// The stream's name in reports.
    fn name(&self) -> &'static str {
        match self {
            Out::Std(StreamTarget::Stdout) => "stdout",
            Out::Std(StreamTarget::Stderr) => "stderr",
            Out::Std(StreamTarget::Test) => "the test output",
            #[cfg(test)]
            Out::Other(_, name) => name,
        }
    }

    /// Writes `record` and flushes; `std` is the locked standard stream.
    fn write_record(&mut self, std: Option<&mut StdLock>, record: &[u8]) -> io::Result<()> {
        let out: &mut dyn Write = match (std, self) {
            (Some(lock), _) => lock.stream(),
            #[cfg(test)]
            (None, Out::Other(out, _)) => out,
            (None, Out::Std(_)) => return Ok(()),
        };
        out.write_all(record)?;
        out.flush()
    }

    /// Flushes; `std` is the locked standard stream.
    fn flush(&mut self, std: Option<&mut StdLock>) -> io::Result<()> {
        match (std, self) {
            (Some(lock), _) => lock.stream().flush(),
            #[cfg(test)]
            (None, Out::Other(out, _)) => out.flush(),
            (None, Out::Std(_)) => Ok(()),
        }
    }
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Writes `record` with `print!`, the one way into the standard test
/// harness's per-test capture (it is not public otherwise). `print!` panics
/// when stdout cannot be written (outside a captured test, a closed pipe):
/// that panic is caught and returned as an error, so logging never panics.
fn print_captured(record: &[u8]) -> io::Result<()> {
    let text = String::from_utf8_lossy(record);
    std::panic::catch_unwind(|| print!("{text}"))
        .map_err(|_| io::Error::other("print! failed (stdout is closed)"))
}

/// The state of a stream handler, behind its lock.
#[derive(Debug)]
struct State {
    /// The stream.
    out: Out,
    /// Its failure reporter.
    reporter: Reporter,
}

/// `logging.StreamHandler`.
#[derive(Debug)]
pub(crate) struct StreamHandler {
    /// The stream and reporter.
    state: Mutex<State>,
    /// The standard stream written to (`None` in tests writing elsewhere).
    std: Option<StreamTarget>,
}

impl StreamHandler {
    /// A handler writing to `target`.
    pub(crate) fn new(target: StreamTarget, reporter: Reporter) -> StreamHandler {
        StreamHandler {
            state: Mutex::new(State {
                out: Out::Std(target),
                reporter,
            }),
            std: Some(target),
        }
    }

    /// A handler writing to `out`, called `name` in reports.
    #[cfg(test)]
    pub(crate) fn to_writer(
        out: Box<dyn Write + Send>,
        name: &'static str,
        reporter: Reporter,
    ) -> StreamHandler {
        StreamHandler {
            state: Mutex::new(State {
                out: Out::Other(out, name),
                reporter,
            }),
            std: None,
        }
    }
}

impl Handler for StreamHandler {
    fn emit(&self, record: &[u8], _level: Level) {
        // `print!` outside every lock: if it panics, the panic hook flushes
        // handlers, this one included.
        let printed = (self.std == Some(StreamTarget::Test)).then(|| print_captured(record));
        // The stream first, then the state: see the module docs.
        let reports = {
            let mut std = self.std.and_then(StdLock::of);
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let State { out, reporter } = &mut *state;
            let written = printed.unwrap_or_else(|| out.write_record(std.as_mut(), record));
            if let Err(err) = written {
                reporter.report(Op::Write, &err, || {
                    format!("cannot write to {}", out.name())
                });
            }
            reporter.take()
        };
        // Both locks are released before a report goes to stderr.
        if let Some(reports) = reports {
            reports.write();
        }
    }

    fn flush(&self) {
        let reports = {
            let mut std = self.std.and_then(StdLock::of);
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let State { out, reporter } = &mut *state;
            if let Err(err) = out.flush(std.as_mut()) {
                reporter.report(Op::Flush, &err, || format!("cannot flush {}", out.name()));
            }
            reporter.take()
        };
        if let Some(reports) = reports {
            reports.write();
        }
    }
}
