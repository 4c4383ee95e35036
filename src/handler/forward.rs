//! Handlers that pass records on to other handlers: Python's
//! `MemoryHandler` (to its `target`) and `QueueHandler` (to the `handlers`
//! of its listener).
//!
//! A `tracing` event cannot outlive the call that logs it, so a record is
//! made ready for every handler it may reach while it is logged: a
//! [`Parcel`] holds the bytes each plain handler further down will write
//! (its own formatter's text and terminator), computed once on the calling
//! thread. Formatting later or now gives the same bytes: every attribute a
//! formatter prints (`asctime`, `msecs`, `relativeCreated`, `thread`, ...)
//! comes from the record, fixed when it was made, as in Python, where a
//! `LogRecord` is formatted when a target handles it.
//!
//! Which handlers a parcel reaches is decided as Python decides it when the
//! record is passed on: a `MemoryHandler` calls `target.handle(record)` (the
//! target's filters apply, its level does not); a `QueueListener` calls
//! `handler.handle(record)` for each handler (filters apply; the level only
//! with `respect_handler_level`).

use crate::level::Level;
use crate::tree::Pos;

/// A record made ready for a handler that passes it on.
#[derive(Debug)]
pub(crate) enum Parcel {
    /// What a plain handler writes: its formatter's text and terminator.
    Text(Box<[u8]>),
    /// What a `MemoryHandler` keeps for its target: `None` when the
    /// target's filters reject the record (it still counts towards the
    /// capacity, as in Python).
    Held(Option<Box<Parcel>>),
    /// What a `QueueHandler` hands to its listener: the parcel of each of
    /// its handlers that takes the record, by position in its `handlers`.
    Fan(Vec<(usize, Parcel)>),
}

/// How a handler passes records on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ForwardKind {
    /// `MemoryHandler`: to one target, when a flush rule says so.
    Hold,
    /// `QueueHandler`: to each listed handler, through a background thread;
    /// `respect_level`: a handler's level applies (`respect_handler_level`).
    Fan {
        /// Python's `respect_handler_level`.
        respect_level: bool,
    },
}

/// A handler named by another handler (`target: file`, `handlers: [file]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HandlerRef {
    /// The name, a key under `handlers:`.
    pub(crate) name: String,
    /// The key path of the reference (`handlers.mem.target`).
    pub(crate) path: String,
    /// Where the name is written.
    pub(crate) pos: Pos,
}

/// The handlers a handler passes records on to, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Forwarding {
    /// How.
    pub(crate) kind: ForwardKind,
    /// To whom, in order.
    pub(crate) handlers: Vec<HandlerRef>,
}

/// Delivers `parcel` at `level` to `handler`, as a plain handler's text or
/// to a forwarding handler.
pub(crate) fn deliver(handler: &dyn super::Handler, parcel: Parcel, level: Level) {
    match parcel {
        Parcel::Text(text) => handler.emit(&text, level),
        other => handler.forward(other, level),
    }
}

/// [`deliver`] from a queue's listener with more records at hand: text goes
/// to [`super::Handler::emit_batched`].
pub(crate) fn deliver_batched(handler: &dyn super::Handler, parcel: Parcel, level: Level) {
    match parcel {
        Parcel::Text(text) => handler.emit_batched(&text, level),
        other => handler.forward(other, level),
    }
}
