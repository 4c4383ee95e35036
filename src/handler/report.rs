//! Python's `Handler.handleError`, improved: an I/O failure is reported on
//! the error sink (stderr) once per handler and kind of failure, then the
//! handler carries on.
//!
//! A report is exactly three lines, written with one `write_all`:
//!
//! ```text
//! --- Logging error ---
//! logconf: handler `logfile`: cannot write to /abs/path/app.log: No space left on device (os error 28)
//! logconf: further errors of this kind from handler `logfile` are not reported
//! ```
//!
//! The "kind of failure" is the operation ([`Op`]) together with the
//! [`io::ErrorKind`]: a second ENOSPC on write is silent, a later EACCES on
//! open is reported. A failure to write the report itself is ignored.
//!
//! The record whose write failed (or that arrived while the file could not
//! be opened) is dropped, not kept for later; the handler tries again with
//! the next record.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};

/// The operation that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// Creating the file's missing parent directories.
    CreateDir,
    /// Opening the file.
    Open,
    /// Writing a record (and, for streams, flushing it).
    Write,
    /// Flushing on request.
    Flush,
    /// Reading the file position (Python's `stream.tell()`).
    Position,
    /// Removing an old backup during rollover.
    Remove,
    /// Renaming a file during rollover.
    Rename,
}

/// Reports failures of one handler, each kind once.
pub(crate) struct Reporter {
    /// The handler's name (its key under `handlers:`).
    handler: String,
    /// Where reports go: stderr unless a test injects something else.
    sink: Box<dyn Write + Send>,
    /// The kinds of failure already reported.
    seen: HashSet<(Op, io::ErrorKind)>,
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporter")
            .field("handler", &self.handler)
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

impl Reporter {
    /// A reporter for handler `handler` writing to `sink`.
    pub(crate) fn new(handler: &str, sink: Box<dyn Write + Send>) -> Reporter {
        Reporter {
            handler: handler.to_owned(),
            sink,
            seen: HashSet::new(),
        }
    }

    /// Reports `err` from `op`, unless this kind was reported before.
    /// `what` describes the attempt ("cannot write to /abs/app.log"); it is
    /// only called when a report is written.
    pub(crate) fn report(&mut self, op: Op, err: &io::Error, what: impl FnOnce() -> String) {
        if !self.seen.insert((op, err.kind())) {
            return;
        }
        let text = report_text(&self.handler, &what(), err);
        // Nowhere left to complain to if the error sink fails too.
        let _ = self.sink.write_all(text.as_bytes());
        let _ = self.sink.flush();
    }
}

/// The text of one report.
pub(crate) fn report_text(handler: &str, what: &str, err: &io::Error) -> String {
    format!(
        "--- Logging error ---\nlogconf: handler `{handler}`: {what}: {err}\n\
         logconf: further errors of this kind from handler `{handler}` are not reported\n"
    )
}

/// A report sink tests can read back.
#[cfg(test)]
#[derive(Clone, Debug, Default)]
pub(crate) struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(test)]
impl Captured {
    /// Everything written so far, as text.
    pub(crate) fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_kind_once() {
        let captured = Captured::default();
        let mut reporter = Reporter::new("logfile", Box::new(captured.clone()));
        let full = io::Error::from_raw_os_error(28);
        reporter.report(Op::Write, &full, || {
            "cannot write to /abs/path/app.log".into()
        });
        reporter.report(Op::Write, &full, || unreachable!("already reported"));
        let expected = "--- Logging error ---\n\
            logconf: handler `logfile`: cannot write to /abs/path/app.log: No space left on device (os error 28)\n\
            logconf: further errors of this kind from handler `logfile` are not reported\n";
        assert_eq!(captured.text(), expected);
        // Another operation, or another error kind, is a new kind of failure.
        reporter.report(Op::Open, &full, || "cannot open /abs/path/app.log".into());
        let denied = io::Error::from_raw_os_error(13);
        reporter.report(Op::Write, &denied, || {
            "cannot write to /abs/path/app.log".into()
        });
        assert_eq!(
            captured.text().matches("--- Logging error ---\n").count(),
            3
        );
    }

    #[derive(Debug)]
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    #[test]
    fn a_failing_error_sink_is_ignored() {
        let mut reporter = Reporter::new("h", Box::new(Broken));
        reporter.report(Op::Write, &io::Error::other("x"), || {
            "cannot write to stdout".into()
        });
    }
}
