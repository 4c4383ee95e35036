//! `logging.handlers.MemoryHandler`, with CPython 3.13's flush rules.
//!
//! ```yaml
//! handlers:
//!   file: {class: logging.FileHandler, filename: app.log, formatter: plain}
//!   mem:
//!     class: logging.handlers.MemoryHandler
//!     capacity: 100        # records held before they are passed on (required)
//!     flushLevel: ERROR    # a record at or above it passes everything on (default ERROR)
//!     target: file         # the handler they are passed on to (required)
//!     flushOnClose: true   # pass what is held on at shutdown (default true)
//! ```
//!
//! Each record is added to the buffer; then, if the records not yet passed
//! on number `capacity` or more, or the record's level is `flushLevel` or
//! above, every held record is passed on to the target, in order (Python's
//! `shouldFlush` and `flush`). The target's filters apply as they are passed
//! on; its level does not (Python calls `target.handle`, which does not
//! check it). At shutdown (the guard or the config dropped) the held records
//! are passed on only with `flushOnClose` (else they are discarded, as
//! Python discards them), then the target is closed. Flushing the config
//! (`Logging::flush`, the periodic flush) does not release held records.
//!
//! The MemoryHandler's own `level` and `filters` decide what is held; a
//! `formatter` on it is accepted and unused, as in Python.
//!
//! Records are held already formatted as the target writes them (see
//! [`super::forward`]): byte for byte what Python's target writes when it
//! formats the `LogRecord` later.
//!
//! Differences from CPython: `capacity` and `target` are required (Python
//! accepts a MemoryHandler without a target, which then keeps every record
//! in memory for good); a thread whose record makes the buffer due while
//! another thread is passing records on leaves them to that thread, so no
//! thread waits on another's target.

use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use super::Handler;
use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::forward::{self, ForwardKind, Forwarding, HandlerRef, Parcel};
use crate::args::Args;
use crate::level::Level;

/// The largest `capacity`.
const CAPACITY_LIMIT: u64 = 1 << 32;

/// `logging.handlers.MemoryHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.MemoryHandler",
    keys: &["capacity", "flushLevel", "target", "flushOnClose"],
    terminator: "\n",
    parse: |args| Some(Arc::new(parse(args)?)),
};

/// A MemoryHandler's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MemorySettings {
    /// `capacity`: records held before they are passed on.
    pub(crate) capacity: usize,
    /// `flushLevel` (default ERROR).
    pub(crate) flush_level: Level,
    /// `flushOnClose` (default true).
    pub(crate) flush_on_close: bool,
    /// `target`, as a reference to resolve.
    pub(crate) forwarding: Forwarding,
}

/// Reads a MemoryHandler entry's keys.
fn parse(args: &mut Args<'_, '_>) -> Option<MemorySettings> {
    let capacity = match args.get("capacity") {
        None => {
            args.missing(
                "capacity",
                Some(
                    "the number of records held before they are passed on, e.g. `capacity: 100`"
                        .into(),
                ),
            );
            None
        }
        Some(_) => args.count("capacity", CAPACITY_LIMIT),
    };
    let flush_level = match args.get("flushLevel") {
        None => Some(Level::ERROR),
        Some(_) => args.level("flushLevel"),
    };
    let target = match args.get("target") {
        None => {
            args.missing(
                "target",
                Some("the handler the records are passed on to, e.g. `target: file`".into()),
            );
            None
        }
        Some(e) => args.string("target").map(|name| HandlerRef {
            name: name.to_owned(),
            path: args.key_path("target"),
            pos: e.value.pos,
        }),
    };
    let flush_on_close = args.truthy("flushOnClose", true);
    if args.failed() {
        return None;
    }
    Some(MemorySettings {
        capacity: usize::try_from(capacity?).unwrap_or(usize::MAX),
        flush_level: flush_level?,
        flush_on_close,
        forwarding: Forwarding {
            kind: ForwardKind::Hold,
            handlers: vec![target?],
        },
    })
}

impl HandlerSettings for MemorySettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let Some(target) = ctx.downstream.first() else {
            return Err(io::Error::other("its target was not built"));
        };
        Ok(Box::new(MemoryHandler {
            target: Arc::clone(target),
            capacity: self.capacity,
            flush_level: self.flush_level,
            flush_on_close: self.flush_on_close,
            held: Mutex::new(Held::default()),
            passing: Mutex::new(()),
        }))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn forwarding(&self) -> Option<&Forwarding> {
        Some(&self.forwarding)
    }
}

/// The records held, oldest first.
#[derive(Debug, Default)]
struct Held {
    /// Each record's parcel for the target (`None`: the target's filters
    /// reject it) and its level.
    records: VecDeque<(Option<Box<Parcel>>, Level)>,
    /// How many of the oldest records are due to be passed on.
    due: usize,
}

/// A built MemoryHandler.
#[derive(Debug)]
pub(crate) struct MemoryHandler {
    target: Arc<dyn Handler>,
    capacity: usize,
    flush_level: Level,
    flush_on_close: bool,
    held: Mutex<Held>,
    /// Held by the one thread passing records on, so they reach the target
    /// in order.
    passing: Mutex<()>,
}

impl MemoryHandler {
    fn held(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a record; passes every held record on if a flush rule says so.
    fn hold(&self, parcel: Option<Box<Parcel>>, level: Level) {
        {
            let mut held = self.held();
            held.records.push_back((parcel, level));
            let waiting = held.records.len().saturating_sub(held.due);
            if waiting < self.capacity && level < self.flush_level {
                return;
            }
            held.due = held.records.len();
        }
        self.pass_on(false);
    }

    /// Passes the due records on to the target. Unless `wait`, a thread
    /// that finds another one passing records on leaves its records to it.
    fn pass_on(&self, wait: bool) {
        loop {
            let guard = if wait {
                self.passing.lock().unwrap_or_else(PoisonError::into_inner)
            } else {
                match self.passing.try_lock() {
                    Ok(guard) => guard,
                    Err(TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(TryLockError::WouldBlock) => return,
                }
            };
            loop {
                let batch: Vec<_> = {
                    let mut held = self.held();
                    let due = std::mem::take(&mut held.due).min(held.records.len());
                    held.records.drain(..due).collect()
                };
                if batch.is_empty() {
                    break;
                }
                for (parcel, level) in batch {
                    if let Some(parcel) = parcel {
                        forward::deliver(&*self.target, *parcel, level);
                    }
                }
            }
            drop(guard);
            // Records made due after the last batch, by a thread that
            // found this one passing records on.
            if self.held().due == 0 {
                return;
            }
        }
    }
}

impl Handler for MemoryHandler {
    fn emit(&self, record: &[u8], level: Level) {
        self.hold(Some(Box::new(Parcel::Text(record.into()))), level);
    }

    fn forward(&self, parcel: Parcel, level: Level) {
        match parcel {
            Parcel::Held(parcel) => self.hold(parcel, level),
            other => self.hold(Some(Box::new(other)), level),
        }
    }

    /// Held records wait for their flush rules.
    fn flush(&self) {}

    fn close(&self) {
        if self.flush_on_close {
            {
                let mut held = self.held();
                held.due = held.records.len();
            }
            self.pass_on(true);
        } else {
            // Records already due are being passed on by another thread.
            let mut held = self.held();
            let due = held.due;
            held.records.truncate(due);
        }
        self.target.close();
    }
}

impl Drop for MemoryHandler {
    fn drop(&mut self) {
        self.close();
    }
}
