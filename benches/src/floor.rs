//! The floor of any `tracing` layer on the benches' workload: the least a
//! layer can do to write `LEVEL target message\n` for an event. It gets
//! the event through `tracing`'s dispatch like every layer, renders the
//! message with `core::fmt` (a layer receives `format_args!` only as
//! `&dyn Debug`), copies level, target and message into a per-thread
//! buffer, and writes the line: one `write(2)` per record, or into a
//! shared 64 KiB buffer written when full. No filter, no levels, no
//! escaping, no rotation, no time: what is left is what no logger built
//! on `tracing` can avoid, so a logger's distance to it is its own cost.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Bytes the buffered floor collects before it writes.
const BUFFER: usize = 64 * 1024;

/// See the module documentation.
#[derive(Debug)]
pub struct FloorLayer {
    file: Arc<File>,
    /// `Some`: records are collected here and written 64 KiB at a time.
    buffer: Option<Mutex<Vec<u8>>>,
}

impl FloorLayer {
    /// One `write` per record to `file`.
    pub fn per_record(file: Arc<File>) -> FloorLayer {
        FloorLayer { file, buffer: None }
    }

    /// Records collected and written to `file` 64 KiB at a time.
    pub fn buffered(file: Arc<File>) -> FloorLayer {
        FloorLayer {
            file,
            buffer: Some(Mutex::new(Vec::with_capacity(BUFFER * 2))),
        }
    }
}

impl Drop for FloorLayer {
    fn drop(&mut self) {
        if let Some(buffer) = &self.buffer {
            let buffer = buffer.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = (&*self.file).write_all(&buffer);
        }
    }
}

thread_local! {
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Writes the `message` field.
struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for FloorLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let _ = LINE.try_with(|line| {
            let Ok(mut line) = line.try_borrow_mut() else {
                return;
            };
            line.clear();
            let meta = event.metadata();
            line.push_str(meta.level().as_str());
            line.push(' ');
            line.push_str(meta.target());
            line.push(' ');
            event.record(&mut Message(&mut line));
            line.push('\n');
            match &self.buffer {
                None => {
                    let _ = (&*self.file).write_all(line.as_bytes());
                }
                Some(buffer) => {
                    let mut buffer = buffer.lock().unwrap_or_else(PoisonError::into_inner);
                    buffer.extend_from_slice(line.as_bytes());
                    if buffer.len() >= BUFFER {
                        let _ = (&*self.file).write_all(&buffer);
                        buffer.clear();
                    }
                }
            }
        });
    }
}
