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
//!
//! A report is written after the handler has released its own lock
//! ([`Reporter::take`]): an application thread holding `io::stderr().lock()`
//! while it logs must never wait on a handler whose holder waits on stderr.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

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
    /// Renaming a file during rollover (also: the rollover's target name
    /// already exists).
    Rename,
    /// Checking what the path holds now (`WatchedFileHandler`).
    Stat,
    /// Compressing a rotated file (`compress: gzip`).
    Compress,
    /// Deleting old backups for `maxAgeDays` / `maxTotalBytes`, or listing
    /// the directory to find them.
    Retention,
}

/// Where reports go.
pub(crate) trait ErrorSink: Send + Sync + fmt::Debug {
    /// Writes one report; a failure has nowhere to go and is ignored.
    fn write_report(&self, text: &[u8]);
}

/// The process's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stderr;

impl ErrorSink for Stderr {
    fn write_report(&self, text: &[u8]) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text);
        let _ = err.flush();
    }
}

/// Reports failures of one handler, each kind once.
#[derive(Debug)]
pub(crate) struct Reporter {
    /// The handler's name (its key under `handlers:`).
    handler: String,
    /// Where reports go: stderr unless a test injects something else.
    sink: Arc<dyn ErrorSink>,
    /// The kinds of failure already reported.
    seen: HashSet<(Op, io::ErrorKind)>,
    /// Reports not written yet (see [`Reporter::take`]).
    pending: Vec<u8>,
}

/// Reports taken out of a handler's lock, to be written after it is released.
#[derive(Debug)]
#[must_use = "reports are lost unless written"]
pub(crate) struct Reports {
    text: Vec<u8>,
    sink: Arc<dyn ErrorSink>,
}

impl Reports {
    /// Writes the reports.
    pub(crate) fn write(self) {
        self.sink.write_report(&self.text);
    }
}

impl Reporter {
    /// A reporter for handler `handler` writing to `sink`.
    pub(crate) fn new(handler: &str, sink: Arc<dyn ErrorSink>) -> Reporter {
        Reporter {
            handler: handler.to_owned(),
            sink,
            seen: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// Records a report of `err` from `op`, unless this kind was reported
    /// before. `what` describes the attempt ("cannot write to
    /// /abs/app.log"); it is only called when a report is made. The report
    /// is written by [`Reporter::take`]'s caller.
    pub(crate) fn report(&mut self, op: Op, err: &io::Error, what: impl FnOnce() -> String) {
        if !self.seen.insert((op, err.kind())) {
            return;
        }
        let text = report_text(&self.handler, &what(), err);
        self.pending.extend_from_slice(text.as_bytes());
    }

    /// Records a line of information that is not a failure (a syslog
    /// handler reconnected and says how many records it dropped meanwhile):
    /// `logconf: handler `NAME`: LINE`, written by [`Reporter::take`]'s
    /// caller, every time.
    pub(crate) fn note(&mut self, line: &str) {
        let text = format!("logconf: handler `{}`: {line}\n", self.handler);
        self.pending.extend_from_slice(text.as_bytes());
    }

    /// The reports made since the last call, if any: write them once the
    /// handler's lock is released.
    pub(crate) fn take(&mut self) -> Option<Reports> {
        if self.pending.is_empty() {
            return None;
        }
        Some(Reports {
            text: std::mem::take(&mut self.pending),
            sink: Arc::clone(&self.sink),
        })
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
impl ErrorSink for Captured {
    fn write_report(&self, text: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_kind_once() {
        let captured = Captured::default();
        let mut reporter = Reporter::new("logfile", Arc::new(captured.clone()));
        let full = io::Error::from_raw_os_error(28);
        reporter.report(Op::Write, &full, || {
            "cannot write to /abs/path/app.log".into()
        });
        reporter.report(Op::Write, &full, || unreachable!("already reported"));
        assert_eq!(
            captured.text(),
            "",
            "nothing is written while the lock is held"
        );
        reporter.take().expect("one report").write();
        assert!(reporter.take().is_none());
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
        reporter.take().expect("two reports").write();
        assert_eq!(
            captured.text().matches("--- Logging error ---\n").count(),
            3
        );
    }

    /// The sink handlers get unless a test injects another one
    /// (`handler::build`) writes each report to the process's stderr, byte
    /// for byte. Checked in a child: this test binary re-run with
    /// `CHILD` set writes one report, and the parent reads its stderr.
    #[test]
    fn reports_go_to_stderr_by_default() {
        const CHILD: &str = "LOGCONF_REPORT_STDERR_CHILD";
        let full = io::Error::from_raw_os_error(28);
        if std::env::var_os(CHILD).is_some() {
            let mut reporter = Reporter::new("h", Arc::new(Stderr));
            reporter.report(Op::Write, &full, || "cannot write to stdout".into());
            reporter.take().expect("a report").write();
            return;
        }
        let module = module_path!()
            .split_once("::")
            .map_or(module_path!(), |(_, rest)| rest);
        let this = format!("{module}::reports_go_to_stderr_by_default");
        let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--exact", &this, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run the test binary again");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "the child failed:\n{stdout}");
        assert!(
            stdout.contains("1 passed"),
            "the child ran no test:\n{stdout}"
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "--- Logging error ---\n\
             logconf: handler `h`: cannot write to stdout: No space left on device (os error 28)\n\
             logconf: further errors of this kind from handler `h` are not reported\n"
        );
    }
}
