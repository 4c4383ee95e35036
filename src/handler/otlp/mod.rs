//! `logconf.OtlpHandler`: records exported over OTLP (OpenTelemetry's
//! protocol) to a collector, behind the `otlp` cargo feature.
//!
//! ```yaml
//! handlers:
//!   otel:
//!     class: logconf.OtlpHandler
//!     level: INFO
//!     endpoint: http://127.0.0.1:4318   # /v1/logs is added
//!     protocol: http/protobuf           # or grpc (port 4317)
//!     headers: {authorization: Bearer xyz}
//!     resource: {service.name: checkout, deployment.environment: prod}
//!     batch: {maxQueueSize: 2048, maxExportBatchSize: 512, scheduleDelay: 1}
//!     timeout: 10
//! ```
//!
//! The handler takes the structured record ([`Handler::emit_record`]), not
//! formatted bytes: the fields stay typed attributes, the level becomes a
//! severity, and the event time a timestamp (see [`map`] for every field).
//!
//! The logging thread only turns the record into owned data and puts it in
//! a bounded queue (`maxQueueSize`); it never waits for the network. A
//! background thread (`logconf-otlp`) exports batches of
//! `maxExportBatchSize` records, at least every `scheduleDelay` seconds,
//! with the exporter of `opentelemetry-otlp` (a single-threaded Tokio
//! runtime of its own for gRPC). When the queue is full, records are
//! dropped and counted: the first drop is reported on stderr at once, the
//! counts of dropped records and of records a failed export lost are
//! reported at each flush and when the handler is dropped; a flush that
//! runs out of time says how many records were still waiting. An export
//! failure is reported once per handler, with a note each time exports
//! succeed again. No TLS is built in: an `https://` endpoint is a config
//! error.
//!
//! The exporter's own crates never reach this handler: records whose
//! target's first segment is one of [`map::EXPORTER_TARGETS`], and records
//! made on the export thread itself, are dropped before the queue.
//!
//! [`Handler::flush`] (the guard's drop) waits until everything queued
//! before it was exported or failed, for at most `timeout`. Dropping the
//! handler (its config replaced or dropped) does the same and stops the
//! thread.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::clock::Clock;
use super::report::{Op, Reporter};
use super::{EventSpan, Handler};
use crate::format::{OwnedValue, Record};
use crate::level::Level;

pub(crate) mod class;
pub(crate) mod map;
mod worker;

#[cfg(test)]
mod tests;

pub(crate) use class::CLASS;
use map::Item;

/// How records travel to the collector (`protocol:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// `http/protobuf`: protobuf over HTTP POST to `/v1/logs` (port 4318).
    HttpProtobuf,
    /// `grpc`: the OTLP gRPC service (port 4317).
    Grpc,
}

/// The batch settings (`batch:`), as OpenTelemetry's batch processor names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BatchOptions {
    /// `maxQueueSize`: records held before new ones are dropped (default 2048).
    pub(crate) max_queue: usize,
    /// `maxExportBatchSize`: records per export (default 512).
    pub(crate) batch_size: usize,
    /// `scheduleDelay`: the longest a record waits before an export starts
    /// (default 1 s).
    pub(crate) delay: Duration,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            max_queue: 2048,
            batch_size: 512,
            delay: Duration::from_secs(1),
        }
    }
}

/// A `logconf.OtlpHandler` entry's settings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OtlpOptions {
    /// `endpoint`: the collector's base URL (`None`: the exporter's
    /// `OTEL_EXPORTER_OTLP_*` variables, then its default).
    pub(crate) endpoint: Option<String>,
    /// `protocol`.
    pub(crate) protocol: Protocol,
    /// `headers`: sent with every export (HTTP headers or gRPC metadata).
    pub(crate) headers: Vec<(String, String)>,
    /// `resource`: attributes of the process (`service.name`, ...).
    pub(crate) resource: Vec<(String, OwnedValue)>,
    /// `batch`.
    pub(crate) batch: BatchOptions,
    /// `timeout`: the longest one export, and a flush, may take (default 10 s).
    pub(crate) timeout: Duration,
}

impl Default for OtlpOptions {
    fn default() -> OtlpOptions {
        OtlpOptions {
            endpoint: None,
            protocol: Protocol::HttpProtobuf,
            headers: Vec::new(),
            resource: Vec::new(),
            batch: BatchOptions::default(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// What the logging threads and the export thread share.
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<State>,
    /// Wakes the export thread: a full batch, a flush, a stop.
    work: Condvar,
    /// Wakes flushers: a flush done, the thread gone.
    done: Condvar,
    /// `maxQueueSize`.
    capacity: usize,
    /// `maxExportBatchSize`.
    batch_size: usize,
    /// Records dropped because the queue was full (or the thread gone).
    dropped: AtomicU64,
    /// Records an export failed to deliver.
    lost: AtomicU64,
    /// Records of the export under way.
    in_flight: AtomicU64,
    /// Whether the first drop was reported.
    drop_reported: AtomicBool,
}

/// The queue's contents, under its lock.
#[derive(Debug, Default)]
struct State {
    items: VecDeque<Item>,
    /// Flushes asked for, counted.
    flush_asked: u64,
    /// The last flush the export thread finished.
    flush_done: u64,
    /// Export what is left and end.
    stop: bool,
    /// Give up on what is left (the stop's time limit passed).
    abandon: bool,
    /// The export thread ended (or never started).
    gone: bool,
}

impl Queue {
    fn new(batch: &BatchOptions) -> Queue {
        Queue {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            done: Condvar::new(),
            capacity: batch.max_queue,
            batch_size: batch.batch_size,
            dropped: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            drop_reported: AtomicBool::new(false),
        }
    }

    /// The state, recovered if a thread panicked while holding it.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item`; `false` when it was dropped instead.
    fn push(&self, item: Item) -> bool {
        let mut state = self.lock();
        if state.items.len() >= self.capacity || state.stop || state.gone {
            drop(state);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        state.items.push_back(item);
        let full = state.items.len() >= self.batch_size;
        drop(state);
        if full {
            self.work.notify_one();
        }
        true
    }

    /// Asks for everything queued now to be exported and waits until it
    /// was (or failed), the thread ended, or `limit` passed. `true` when
    /// the flush finished.
    fn flush(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.lock();
        if state.gone {
            return true;
        }
        state.flush_asked += 1;
        let asked = state.flush_asked;
        self.work.notify_one();
        while state.flush_done < asked && !state.gone {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .done
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }
}

/// `logconf.OtlpHandler`.
pub(crate) struct OtlpHandler {
    queue: Arc<Queue>,
    /// Shared with the export thread.
    reporter: Arc<Mutex<Reporter>>,
    /// The counts last reported: (dropped, lost).
    reported: Mutex<(u64, u64)>,
    /// `timeout`: the limit of a flush and of the stop.
    timeout: Duration,
    /// When records are observed (the config's injected clock).
    clock: Arc<dyn Clock>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for OtlpHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpHandler")
            .field("queue", &self.queue.capacity)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OtlpHandler {
    /// Starts the export thread and builds the exporter on it; an endpoint
    /// or header the exporter refuses is an error here.
    pub(crate) fn new(
        options: &OtlpOptions,
        reporter: Reporter,
        clock: Arc<dyn Clock>,
    ) -> io::Result<OtlpHandler> {
        let queue = Arc::new(Queue::new(&options.batch));
        let reporter = Arc::new(Mutex::new(reporter));
        let thread = worker::start(options, Arc::clone(&queue), Arc::clone(&reporter))?;
        Ok(OtlpHandler {
            queue,
            reporter,
            reported: Mutex::new((0, 0)),
            timeout: options.timeout,
            clock,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Reports the first dropped record (once in the handler's life).
    fn report_first_drop(&self) {
        if self.queue.drop_reported.swap(true, Ordering::Relaxed) {
            return;
        }
        let line = format!(
            "queue full ({} records): records are dropped until the collector catches up; \
             the count is reported at the next flush",
            self.queue.capacity
        );
        note(&self.reporter, &line);
    }

    /// Flushes, waiting at most `limit`; when that was not enough, says
    /// how many records were still waiting.
    fn flush_within(&self, limit: Duration) {
        if worker::on_export_thread() || self.queue.flush(limit) {
            return;
        }
        let waiting =
            self.queue.lock().items.len() as u64 + self.queue.in_flight.load(Ordering::Relaxed);
        let line = format!(
            "flush gave up after {limit:?}: {waiting} {} not exported yet",
            if waiting == 1 { "record" } else { "records" }
        );
        note(&self.reporter, &line);
    }

    /// Reports the records dropped or lost since the last report, if any.
    fn report_counts(&self) {
        let dropped = self.queue.dropped.load(Ordering::Relaxed);
        let lost = self.queue.lost.load(Ordering::Relaxed);
        let mut reported = self.reported.lock().unwrap_or_else(PoisonError::into_inner);
        let (new_dropped, new_lost) = (
            dropped - reported.0.min(dropped),
            lost - reported.1.min(lost),
        );
        *reported = (dropped, lost);
        drop(reported);
        if let Some(line) = counts_line(new_dropped, new_lost) {
            note(&self.reporter, &line);
        }
    }
}

/// The report of `dropped` and `lost` records, or `None` when both are 0.
pub(crate) fn counts_line(dropped: u64, lost: u64) -> Option<String> {
    let plural = |n: u64| if n == 1 { "record" } else { "records" };
    match (dropped, lost) {
        (0, 0) => None,
        (d, 0) => Some(format!("{d} {} dropped (queue full)", plural(d))),
        (0, l) => Some(format!("{l} {} lost (export failed)", plural(l))),
        (d, l) => Some(format!(
            "{d} {} dropped (queue full), {l} {} lost (export failed)",
            plural(d),
            plural(l)
        )),
    }
}

/// Writes one line of information through `reporter`, outside its lock.
pub(crate) fn note(reporter: &Mutex<Reporter>, line: &str) {
    let reports = {
        let mut reporter = reporter.lock().unwrap_or_else(PoisonError::into_inner);
        reporter.note(line);
        reporter.take()
    };
    if let Some(reports) = reports {
        reports.write();
    }
}

/// Reports `err` from exporting, once per handler and kind.
pub(crate) fn report_error(reporter: &Mutex<Reporter>, err: &io::Error, what: &str) {
    let reports = {
        let mut reporter = reporter.lock().unwrap_or_else(PoisonError::into_inner);
        reporter.report(Op::Write, err, || what.to_owned());
        reporter.take()
    };
    if let Some(reports) = reports {
        reports.write();
    }
}

impl Handler for OtlpHandler {
    /// Never called: the handler takes records.
    fn emit(&self, _record: &[u8], _level: Level) {}

    fn takes_records(&self) -> bool {
        true
    }

    fn emit_record(
        &self,
        record: &Record<'_>,
        formatted: Option<&[u8]>,
        span: Option<EventSpan<'_>>,
    ) {
        if worker::on_export_thread() || map::is_exporter_target(record.name) {
            return;
        }
        let observed = self.clock.now();
        let item = Item::new(record, formatted, span, observed);
        if !self.queue.push(item) {
            self.report_first_drop();
        }
    }

    fn flush(&self) {
        self.flush_within(self.timeout);
        self.report_counts();
    }

    fn try_flush(&self) {
        // From a panic hook: a short wait, never the whole timeout.
        self.flush_within(self.timeout.min(Duration::from_secs(1)));
        self.report_counts();
    }
}

impl Drop for OtlpHandler {
    fn drop(&mut self) {
        let deadline = Instant::now() + self.timeout;
        {
            let mut state = self.queue.lock();
            state.stop = true;
            self.queue.work.notify_one();
            while !state.gone {
                let now = Instant::now();
                if now >= deadline {
                    // The thread ends at its next look at the queue,
                    // counting what is left as lost.
                    state.abandon = true;
                    break;
                }
                state = self
                    .queue
                    .done
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread
            && self.queue.lock().gone
        {
            let _ = thread.join();
        }
        self.report_counts();
    }
}
