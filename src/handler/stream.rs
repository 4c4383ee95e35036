//! `logging.StreamHandler`: records to stdout or stderr.
//!
//! Each record is written with one `write_all` to the locked standard handle
//! and flushed, as Python flushes after each record. A failure (EPIPE when
//! the reader of stdout went away: Rust ignores SIGPIPE) is reported once,
//! the record dropped, and the next record tried again.

use std::io::{self, Write};
use std::sync::{Mutex, PoisonError};

use super::report::{Op, Reporter};
use super::{Handler, StreamTarget};
use crate::level::Level;

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
            #[cfg(test)]
            Out::Other(_, name) => name,
        }
    }

    /// Writes `record` and flushes.
    fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        match self {
            Out::Std(StreamTarget::Stdout) => {
                let mut out = io::stdout().lock();
                out.write_all(record)?;
                out.flush()
            }
            Out::Std(StreamTarget::Stderr) => {
                let mut out = io::stderr().lock();
                out.write_all(record)?;
                out.flush()
            }
            #[cfg(test)]
            Out::Other(out, _) => {
                out.write_all(record)?;
                out.flush()
            }
        }
    }

    /// Flushes.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Std(StreamTarget::Stdout) => io::stdout().lock().flush(),
            Out::Std(StreamTarget::Stderr) => io::stderr().lock().flush(),
            #[cfg(test)]
            Out::Other(out, _) => out.flush(),
        }
    }
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
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
}

impl StreamHandler {
    /// A handler writing to `target`.
    pub(crate) fn new(target: StreamTarget, reporter: Reporter) -> StreamHandler {
        StreamHandler {
            state: Mutex::new(State {
                out: Out::Std(target),
                reporter,
            }),
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
        }
    }
}

impl Handler for StreamHandler {
    fn emit(&self, record: &[u8], _level: Level) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let State { out, reporter } = &mut *state;
        if let Err(err) = out.write_record(record) {
            reporter.report(Op::Write, &err, || {
                format!("cannot write to {}", out.name())
            });
        }
    }

    fn flush(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let State { out, reporter } = &mut *state;
        if let Err(err) = out.flush() {
            reporter.report(Op::Flush, &err, || format!("cannot flush {}", out.name()));
        }
    }
}
