//! Records for handlers that pass them on (`MemoryHandler`,
//! `QueueHandler`): each is made into a [`Parcel`] on the logging thread,
//! holding the bytes of every plain handler it may reach (see
//! [`crate::handler::forward`]).

use crate::format::{Fields, Record};
use crate::handler::forward::{ForwardKind, Parcel};
use crate::level::Level;

use super::{Output, Shared, Slot};

/// How a slot's handler passes records on.
#[derive(Debug)]
pub(crate) struct Forward {
    /// Hold (MemoryHandler) or fan out (QueueHandler).
    pub(crate) kind: ForwardKind,
    /// The handlers it passes records on to (indexes into the slots), each
    /// with its level, in the order the config lists them.
    pub(crate) downstream: Vec<(usize, Level)>,
    /// The formatter whose rendering becomes the message the downstream
    /// handlers print (a QueueHandler's own `formatter`, Python's
    /// `QueueHandler.prepare`); `None` leaves the record as it is.
    pub(crate) message: Option<usize>,
}

impl Shared {
    /// The parcel of `record` for the handler of `slot`.
    pub(super) fn parcel(
        &self,
        slot: &Slot,
        out: &mut Output,
        record: &Record<'_>,
        level: Level,
    ) -> Parcel {
        let Some(forward) = &slot.forward else {
            return Parcel::Text(self.text(slot, out, record).into());
        };
        match forward.kind {
            ForwardKind::Hold => {
                let held = forward
                    .downstream
                    .first()
                    .filter(|(target, _)| self.router().handler_passes(*target, record.name))
                    .and_then(|&(target, _)| self.handlers.get(target))
                    .map(|target| Box::new(self.parcel(target, out, record, level)));
                Parcel::Held(held)
            }
            ForwardKind::Fan { respect_level } => match forward.message {
                None => self.fan(forward, respect_level, out, record, level),
                Some(formatter) => {
                    let mut text = Vec::new();
                    if let Some(f) = self.formatters.get(formatter) {
                        f.format(record, &mut text);
                    }
                    let message = String::from_utf8(text)
                        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                    // The prepared record's message is final: nothing is
                    // appended to it again.
                    let mut fields: Fields = record.fields.clone();
                    fields.set_message_layout(message.len(), message.len(), 0, &[]);
                    let prepared = Record {
                        message: &message,
                        // What formatters that print the bare message (the
                        // JSON shapes, OTLP's body) read: Python's
                        // `prepare` sets `msg` too.
                        event_message: &message,
                        fields: &fields,
                        ..*record
                    };
                    let mut out = Output::default();
                    self.fan(forward, respect_level, &mut out, &prepared, level)
                }
            },
        }
    }

    /// The parcel for a QueueHandler: one for each listed handler that
    /// takes the record (Python's `QueueListener.handle`).
    fn fan(
        &self,
        forward: &Forward,
        respect_level: bool,
        out: &mut Output,
        record: &Record<'_>,
        level: Level,
    ) -> Parcel {
        let mut parcels = Vec::with_capacity(forward.downstream.len());
        for (i, &(h, handler_level)) in forward.downstream.iter().enumerate() {
            if respect_level && level < handler_level {
                continue;
            }
            if !self.router().handler_passes(h, record.name) {
                continue;
            }
            if let Some(slot) = self.handlers.get(h) {
                parcels.push((i, self.parcel(slot, out, record, level)));
            }
        }
        Parcel::Fan(parcels)
    }
}
