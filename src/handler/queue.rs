//! `logging.handlers.QueueHandler` in Python 3.12's dictConfig form: its
//! listener's handlers are written by one background thread.
//!
//! ```yaml
//! handlers:
//!   file: {class: logging.FileHandler, filename: app.log, formatter: plain}
//!   console: {class: logging.StreamHandler, level: WARNING}
//!   queued:
//!     class: logging.handlers.QueueHandler
//!     handlers: [file, console]      # written by the background thread, in order (required)
//!     respect_handler_level: true    # their levels apply (default false, as in Python)
//!     queue: {"()": queue.Queue, maxsize: 10000}   # default: unbounded, as in Python
//!     full: block                    # logconf: `block` (default) or `drop` when the queue is full
//! root: {level: INFO, handlers: [queued]}
//! ```
//!
//! The logging thread formats the record for each listed handler that takes
//! it (see [`super::forward`]) and pushes it on the queue; the background
//! thread hands each record to the listed handlers, in order. A record goes
//! to a listed handler when that handler's filters pass it and, with
//! `respect_handler_level`, when its level is at least the handler's level
//! (Python's `QueueListener.handle`). With a `formatter`, the queue handler's
//! rendering of the record becomes the message the listed handlers print
//! (Python's `QueueHandler.prepare`); without one, they print the record as
//! if they were attached directly.
//!
//! `queue` is `queue.Queue` or `queue.SimpleQueue`, as a name or as
//! `{"()": queue.Queue, maxsize: N}`; `maxsize` 0 (or none) is unbounded,
//! as in Python. When a bounded queue is full the logging thread waits for
//! room (`full: block`, the default: no record is lost), or with
//! `full: drop` the record is dropped, counted, and the count reported on
//! stderr (at most once a second, and when the handler closes).
//!
//! Flushing the config (`Logging::flush`) waits, at most
//! [`FLUSH_WAIT`], for the records queued so far to be written, then flushes
//! the listed handlers; a panic waits at most [`PANIC_WAIT`]. Closing (the
//! guard or the config dropped) stops the queue, waits at most
//! [`CLOSE_WAIT`] for the background thread to write what is queued and end,
//! then closes the listed handlers; records still queued after that are
//! reported, never dropped silently. Records that arrive after the queue
//! handler is closed (or if its thread is gone) are written on the logging
//! thread.
//!
//! Differences from CPython: `handlers` is required (Python's listener
//! without handlers drops every record); the listener is started when the
//! config is built (Python 3.13's dictConfig leaves `listener.start()` to
//! the program) and stopped at shutdown (3.13 never stops it, so records
//! still queued at exit are lost); a full queue makes the logging thread
//! wait (Python's `put_nowait` drops the record with a "Logging error"
//! report); `listener` may only be `logging.handlers.QueueListener`.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};
use std::thread::{JoinHandle, ThreadId};
use std::time::{Duration, Instant};

use super::Handler;
use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::forward::{self, ForwardKind, Forwarding, HandlerRef, Parcel};
use super::report::Reporter;
use crate::args::{Args, index, show};
use crate::level::Level;
use crate::tree::Value;

/// The most records the listener hands out before the handlers release
/// what they kept.
const MAX_BATCH: u64 = 1024;

/// The longest `Logging::flush` waits for the queue to be written.
pub(crate) const FLUSH_WAIT: Duration = Duration::from_secs(5);
/// The longest a panic waits for the queue to be written.
pub(crate) const PANIC_WAIT: Duration = Duration::from_secs(1);
/// The longest closing waits for the background thread to finish.
pub(crate) const CLOSE_WAIT: Duration = Duration::from_secs(5);
/// How often dropped records are reported while the queue stays full.
const DROP_REPORT_EVERY: Duration = Duration::from_secs(1);

/// The largest `maxsize`.
const MAXSIZE_LIMIT: i128 = 1 << 32;

/// Python's queue classes a config may name: each is a FIFO queue.
const QUEUE_CLASSES: &[&str] = &["queue.Queue", "queue.SimpleQueue"];

/// `logging.handlers.QueueHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.QueueHandler",
    keys: &[
        "handlers",
        "respect_handler_level",
        "queue",
        "listener",
        "full",
    ],
    terminator: "\n",
    parse: |args| Some(Arc::new(parse(args)?)),
};

/// What the logging thread does when a bounded queue is full (`full:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// Wait for room (the default).
    Block,
    /// Drop the record, count it and report the count.
    Drop,
}

/// A QueueHandler's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueueSettings {
    /// `queue.maxsize`: `None` is unbounded.
    pub(crate) maxsize: Option<usize>,
    /// `full:`.
    pub(crate) full: Full,
    /// `handlers` and `respect_handler_level`.
    pub(crate) forwarding: Forwarding,
}

/// Reads a QueueHandler entry's keys.
fn parse(args: &mut Args<'_, '_>) -> Option<QueueSettings> {
    let handlers = parse_handlers(args);
    let respect_level = args.truthy("respect_handler_level", false);
    let maxsize = parse_queue(args);
    if let Some(e) = args.get("listener") {
        match &e.value.value {
            Value::Str(s) if s == "logging.handlers.QueueListener" => {}
            _ => args.report(
                "listener",
                "custom listeners are not supported".into(),
                Some("remove `listener` (the default is `logging.handlers.QueueListener`)".into()),
            ),
        }
    }
    let full = args
        .choice(
            "full",
            "unknown policy",
            &[("block", Full::Block), ("drop", Full::Drop)],
        )
        .unwrap_or(Full::Block);
    if args.failed() {
        return None;
    }
    Some(QueueSettings {
        maxsize: maxsize?,
        full,
        forwarding: Forwarding {
            kind: ForwardKind::Fan { respect_level },
            handlers: handlers?,
        },
    })
}

/// `handlers:`, a non-empty list of handler names.
fn parse_handlers(args: &mut Args<'_, '_>) -> Option<Vec<HandlerRef>> {
    let help = "name the handlers its listener writes to, e.g. `handlers: [file]`";
    let Some(e) = args.get("handlers") else {
        args.missing("handlers", Some(help.into()));
        return None;
    };
    let path = args.key_path("handlers");
    let items = match &e.value.value {
        Value::Seq(items) if !items.is_empty() => items,
        Value::Seq(_) => {
            args.report(
                "handlers",
                "a queue handler needs at least one handler".into(),
                Some(help.into()),
            );
            return None;
        }
        Value::Str(s) => {
            args.report(
                "handlers",
                "expected a list of handler names, found a string".into(),
                Some(format!("write `[{}]`", show(s))),
            );
            return None;
        }
        other => {
            let message = format!("expected a list of handler names, found {}", other.kind());
            args.report("handlers", message, None);
            return None;
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match &item.value {
            Value::Str(name) => out.push(HandlerRef {
                name: name.clone(),
                path: index(&path, i),
                pos: item.pos,
            }),
            other => {
                let message = format!("expected a handler name, found {}", other.kind());
                args.report_at(item.pos, "handlers", message, None);
            }
        }
    }
    Some(out)
}

/// `queue:`: `None` on a problem, `Some(None)` for an unbounded queue.
fn parse_queue(args: &mut Args<'_, '_>) -> Option<Option<usize>> {
    let Some(e) = args.get("queue") else {
        return Some(None);
    };
    let class_help = || {
        format!(
            "use `{}`, or `{{\"()\": queue.Queue, maxsize: N}}`",
            QUEUE_CLASSES[0]
        )
    };
    match &e.value.value {
        Value::Str(name) if QUEUE_CLASSES.contains(&name.as_str()) => Some(None),
        Value::Str(name) => {
            args.report(
                "queue",
                format!("unsupported queue `{}`", show(name)),
                Some(class_help()),
            );
            None
        }
        Value::Map(_) => {
            let mut queue = args.mapping("queue")?;
            queue.unknown_keys(&["()", "maxsize"], " in `queue`");
            match queue.string("()") {
                Some(name) if QUEUE_CLASSES.contains(&name) => {}
                Some(name) => {
                    let message = format!("unsupported queue `{}`", show(name));
                    queue.report("()", message, Some(class_help()));
                }
                None if queue.get("()").is_none() => {
                    queue.missing("()", Some(class_help()));
                }
                None => {}
            }
            let maxsize = match queue.get("maxsize").map(|e| &e.value.value) {
                None => None,
                Some(Value::Int(n)) if *n <= 0 => None,
                Some(Value::Int(n)) if *n <= MAXSIZE_LIMIT => usize::try_from(*n).ok(),
                Some(Value::Int(n)) => {
                    let message = format!("`{n}` is too large (at most {MAXSIZE_LIMIT})");
                    queue.report("maxsize", message, None);
                    None
                }
                Some(other) => {
                    let message = format!("expected an integer, found {}", other.kind());
                    queue.report("maxsize", message, None);
                    None
                }
            };
            (!queue.failed()).then_some(maxsize)
        }
        other => {
            let message = format!(
                "expected a queue class name or a mapping, found {}",
                other.kind()
            );
            args.report("queue", message, Some(class_help()));
            None
        }
    }
}

impl HandlerSettings for QueueSettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let children: Arc<[Arc<dyn Handler>]> = ctx.downstream.iter().cloned().collect();
        let (tx, rx) = match self.maxsize {
            Some(n) => {
                let (tx, rx) = mpsc::sync_channel(n);
                (Tx::Bounded(tx), rx)
            }
            None => {
                let (tx, rx) = mpsc::channel();
                (Tx::Unbounded(tx), rx)
            }
        };
        let progress = Arc::new(Progress::default());
        let worker = {
            let children = Arc::clone(&children);
            let progress = Arc::clone(&progress);
            let reporter = ctx.reporter();
            std::thread::Builder::new()
                .name("logconf-queue".to_owned())
                .spawn(move || listen(rx, children, &progress, reporter))
                .map_err(|err| {
                    io::Error::new(err.kind(), format!("cannot start its thread: {err}"))
                })?
        };
        Ok(Box::new(QueueHandler {
            worker_id: worker.thread().id(),
            tx: RwLock::new(Some(tx)),
            children,
            progress,
            drop_when_full: self.full == Full::Drop,
            worker: Mutex::new(Some(worker)),
            reporter: Mutex::new(ctx.reporter()),
        }))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn forwarding(&self) -> Option<&Forwarding> {
        Some(&self.forwarding)
    }
}

/// A record on the queue: its parcel and level.
type Item = (Parcel, Level);

/// The sending end of the queue.
#[derive(Debug)]
enum Tx {
    /// `maxsize` records at most.
    Bounded(SyncSender<Item>),
    /// No bound (`maxsize` 0 or none).
    Unbounded(Sender<Item>),
}

/// What the logging threads and the background thread tell each other.
#[derive(Debug, Default)]
struct Progress {
    /// Records put on the queue.
    pushed: AtomicU64,
    /// Records the background thread has written.
    done: AtomicU64,
    /// Records dropped (`full: drop`) and not reported yet.
    dropped: AtomicU64,
    /// Threads waiting in [`Progress::wait`].
    waiters: AtomicUsize,
    /// Whether the background thread has ended.
    finished: Mutex<bool>,
    /// Signalled when a record is written or the thread ends.
    changed: Condvar,
}

impl Progress {
    fn finished(&self) -> MutexGuard<'_, bool> {
        self.finished.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the waiters, if any.
    fn wake(&self) {
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _finished = self.finished();
            self.changed.notify_all();
        }
    }

    /// Waits until `until` says yes or `limit` passes; whether it said yes.
    fn wait(&self, limit: Duration, until: impl Fn(&Progress, bool) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut finished = self.finished();
        let ok = loop {
            if until(self, *finished) {
                break true;
            }
            let now = Instant::now();
            if now >= deadline {
                break false;
            }
            // Short slices: a missed wake-up costs at most one of them.
            let slice = (deadline - now).min(Duration::from_millis(50));
            finished = match self.changed.wait_timeout(finished, slice) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        };
        drop(finished);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        ok
    }

    /// Waits, at most `limit`, until the records pushed so far are written.
    fn drained(&self, limit: Duration) -> bool {
        let target = self.pushed.load(Ordering::SeqCst);
        self.wait(limit, |p, finished| {
            finished || p.done.load(Ordering::SeqCst) >= target
        })
    }

    /// Records pushed but not written.
    fn pending(&self) -> u64 {
        self.pushed
            .load(Ordering::SeqCst)
            .saturating_sub(self.done.load(Ordering::SeqCst))
    }
}

/// Hands `parcel` to the listed handlers it is for, in order.
fn hand_out(children: &[Arc<dyn Handler>], parcel: Parcel, level: Level) {
    match parcel {
        Parcel::Fan(items) => {
            for (i, parcel) in items {
                if let Some(child) = children.get(i) {
                    // A handler never panics; if one did, the others still
                    // get the record and the thread goes on.
                    let _ = catch_unwind(AssertUnwindSafe(|| {
                        forward::deliver_batched(&**child, parcel, level);
                    }));
                }
            }
        }
        Parcel::Text(text) => {
            for child in children {
                let _ = catch_unwind(AssertUnwindSafe(|| child.emit_batched(&text, level)));
            }
        }
        Parcel::Held(Some(parcel)) => hand_out(children, *parcel, level),
        Parcel::Held(None) => {}
    }
}

/// Has each handler write what [`hand_out`] let it keep.
fn release(children: &[Arc<dyn Handler>]) {
    for child in children {
        let _ = catch_unwind(AssertUnwindSafe(|| child.release()));
    }
}

/// The background thread: writes each queued record until the queue is
/// closed and empty.
fn listen(
    rx: Receiver<Item>,
    children: Arc<[Arc<dyn Handler>]>,
    progress: &Progress,
    mut reporter: Reporter,
) {
    let mut last_report: Option<Instant> = None;
    while let Ok(first) = rx.recv() {
        // Every record already queued is handed out before the handlers
        // release what they kept ([`Handler::emit_batched`]): one write for
        // many records while the loggers outpace the listener, one per
        // record otherwise. The records count as written after it.
        let mut next = Some(first);
        let mut handed: u64 = 0;
        while let Some((parcel, level)) = next.take() {
            hand_out(&children, parcel, level);
            handed += 1;
            if handed < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        release(&children);
        progress.done.fetch_add(handed, Ordering::SeqCst);
        if progress.dropped.load(Ordering::Relaxed) > 0
            && last_report.is_none_or(|at| at.elapsed() >= DROP_REPORT_EVERY)
        {
            report_drops(progress, &mut reporter);
            last_report = Some(Instant::now());
        }
        progress.wake();
    }
    report_drops(progress, &mut reporter);
    drop(children);
    *progress.finished() = true;
    progress.changed.notify_all();
}

/// Reports the records dropped since the last report, if any.
fn report_drops(progress: &Progress, reporter: &mut Reporter) {
    let dropped = progress.dropped.swap(0, Ordering::Relaxed);
    if dropped > 0 {
        let s = if dropped == 1 { "" } else { "s" };
        reporter.note(&format!("{dropped} record{s} dropped: the queue was full"));
        if let Some(reports) = reporter.take() {
            reports.write();
        }
    }
}

/// A built QueueHandler.
#[derive(Debug)]
pub(crate) struct QueueHandler {
    /// `None` once closed.
    tx: RwLock<Option<Tx>>,
    /// The listed handlers.
    children: Arc<[Arc<dyn Handler>]>,
    progress: Arc<Progress>,
    drop_when_full: bool,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// The background thread, which must never wait for itself (a panic
    /// hook running on it).
    worker_id: ThreadId,
    /// Reports of closing.
    reporter: Mutex<Reporter>,
}

impl QueueHandler {
    /// Puts `item` on the queue; gives it back when there is no queue (closed)
    /// or no thread to read it.
    fn push(&self, item: Item) -> Option<Item> {
        let tx = self.tx.read().unwrap_or_else(PoisonError::into_inner);
        let sent = match &*tx {
            None => return Some(item),
            Some(Tx::Unbounded(tx)) => tx.send(item).map_err(|e| e.0),
            Some(Tx::Bounded(tx)) if self.drop_when_full => match tx.try_send(item) {
                Ok(()) => Ok(()),
                Err(TrySendError::Full(_)) => {
                    self.progress.dropped.fetch_add(1, Ordering::Relaxed);
                    return None;
                }
                Err(TrySendError::Disconnected(item)) => Err(item),
            },
            Some(Tx::Bounded(tx)) => tx.send(item).map_err(|e| e.0),
        };
        match sent {
            Ok(()) => {
                self.progress.pushed.fetch_add(1, Ordering::SeqCst);
                None
            }
            Err(item) => Some(item),
        }
    }

    /// Whether this is the background thread.
    fn on_worker(&self) -> bool {
        std::thread::current().id() == self.worker_id
    }

    fn report(&self, line: &str) {
        let reports = {
            let mut reporter = self.reporter.lock().unwrap_or_else(PoisonError::into_inner);
            reporter.note(line);
            reporter.take()
        };
        if let Some(reports) = reports {
            reports.write();
        }
    }

    /// Closes the queue (at most [`CLOSE_WAIT`] for logging threads still
    /// pushing), then waits, at most [`CLOSE_WAIT`], for the thread to end.
    fn stop(&self) {
        if self.on_worker() {
            return;
        }
        let deadline = Instant::now() + CLOSE_WAIT;
        let tx = loop {
            match self.tx.try_write() {
                Ok(mut tx) => break tx.take(),
                Err(TryLockError::Poisoned(p)) => break p.into_inner().take(),
                Err(TryLockError::WouldBlock) if Instant::now() >= deadline => {
                    let pending = self.progress.pending();
                    self.report(&format!(
                        "the queue could not be closed within {}s; {pending} queued records may not be written",
                        CLOSE_WAIT.as_secs()
                    ));
                    return;
                }
                Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(1)),
            }
        };
        let Some(tx) = tx else {
            return;
        };
        drop(tx);
        let ended = self.progress.wait(
            deadline.saturating_duration_since(Instant::now()),
            |_, finished| finished,
        );
        let worker = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if ended {
            if let Some(worker) = worker {
                let _ = worker.join();
            }
        } else {
            let pending = self.progress.pending();
            self.report(&format!(
                "{pending} queued records were not written within {}s of closing",
                CLOSE_WAIT.as_secs()
            ));
        }
    }
}

impl Handler for QueueHandler {
    fn emit(&self, record: &[u8], level: Level) {
        self.forward(Parcel::Text(record.into()), level);
    }

    fn forward(&self, parcel: Parcel, level: Level) {
        if let Some((parcel, level)) = self.push((parcel, level)) {
            hand_out(&self.children, parcel, level);
            release(&self.children);
        }
    }

    fn flush(&self) {
        if !self.on_worker() {
            self.progress.drained(FLUSH_WAIT);
        }
        for child in self.children.iter() {
            child.flush();
        }
    }

    fn try_flush(&self) {
        if !self.on_worker() {
            self.progress.drained(PANIC_WAIT);
        }
        for child in self.children.iter() {
            child.try_flush();
        }
    }

    fn close(&self) {
        self.stop();
        for child in self.children.iter() {
            child.close();
        }
    }
}

impl Drop for QueueHandler {
    fn drop(&mut self) {
        self.stop();
    }
}
