//! Building a [`Record`] from a `tracing` event, into per-thread buffers
//! that are reused from one event to the next.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::sync::LazyLock;
use std::time::SystemTime;

use tracing_core::field::{Field, Visit};
use tracing_core::{Event, Metadata};

use super::Output;
use crate::format::{FieldValue, Fields, Needs, Record};
use crate::handler::clock::{Clock, epoch_ns};
use crate::level::Level;

/// When logconf was first used, in nanoseconds since the epoch:
/// `relativeCreated` counts from here (wall clock, as Python's `_startTime`).
pub(crate) static START: LazyLock<i128> = LazyLock::new(now_ns);

/// Wall-clock nanoseconds since the Unix epoch (negative before it).
fn now_ns() -> i128 {
    epoch_ns(SystemTime::now())
}

/// `%(processName)s`: the executable's file name without extension.
static PROCESS_NAME: LazyLock<String> = LazyLock::new(|| {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "MainProcess".to_owned())
});

/// `%(funcName)s` outside any span.
const NO_FUNCTION: &str = "<module>";

/// The most bytes a per-thread buffer keeps between records.
const KEEP_BYTES: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static THREAD: (u64, String) = thread_identity();
}

/// The number the next thread to log gets.
static NEXT_THREAD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// This thread's number and name. Threads are numbered 1, 2, ... in the
/// order they first log a record whose format prints `thread` or
/// `threadName` (std has no stable number of its own for a thread).
fn thread_identity() -> (u64, String) {
    let current = std::thread::current();
    let id = NEXT_THREAD.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = match current.name() {
        Some(name) => name.to_owned(),
        None => format!("Thread-{id}"),
    };
    (id, name)
}

/// Runs `f` with the current thread's number and name when `wanted` (and
/// thread-locals still work), else with `None`.
pub(crate) fn with_thread<R>(wanted: bool, mut f: impl FnMut(Option<(u64, &str)>) -> R) -> R {
    if wanted && let Ok(r) = THREAD.try_with(|(id, name)| f(Some((*id, name)))) {
        return r;
    }
    f(None)
}

/// Per-thread buffers for one event at a time.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    message: String,
    extra: String,
    /// Each field in `extra`: name and byte range.
    spans: Vec<(&'static str, usize, usize)>,
    fields: Fields,
    /// `%(spans)s` of the current event.
    span_text: String,
    /// The fields of the current event's spans, outermost first.
    span_fields: Fields,
    out: Output,
}

impl Scratch {
    /// Runs `f` with this thread's scratch buffers, or with fresh ones if
    /// they are in use (an event logged while formatting another) or gone
    /// (thread exit).
    pub(crate) fn with<R>(mut f: impl FnMut(&mut ScratchParts<'_>) -> R) -> R {
        let reused = SCRATCH.try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                let r = f(&mut scratch.parts());
                scratch.release_large();
                Some(r)
            }
            Err(_) => None,
        });
        match reused {
            Ok(Some(r)) => r,
            _ => f(&mut Scratch::default().parts()),
        }
    }

    /// Frees the buffers a huge record grew beyond [`KEEP_BYTES`], so one
    /// 16 MiB record does not keep 16 MiB per thread for the thread's life.
    /// Ordinary records never reach the bound: they keep their buffers and
    /// allocate nothing.
    #[inline]
    fn release_large(&mut self) {
        let spans_bytes = self.spans.capacity() * std::mem::size_of::<(&str, usize, usize)>();
        let large = (self.message.capacity() > KEEP_BYTES)
            | (self.extra.capacity() > KEEP_BYTES)
            | (self.span_text.capacity() > KEEP_BYTES)
            | (spans_bytes > KEEP_BYTES)
            | self.fields.is_large(KEEP_BYTES)
            | self.span_fields.is_large(KEEP_BYTES)
            | self.out.is_large(KEEP_BYTES);
        if large {
            self.release_each();
        }
    }

    /// [`Scratch::release_large`]'s work, once a buffer is known to be large.
    #[cold]
    #[inline(never)]
    fn release_each(&mut self) {
        fn release(s: &mut String) {
            if s.capacity() > KEEP_BYTES {
                *s = String::new();
            }
        }
        release(&mut self.message);
        release(&mut self.extra);
        release(&mut self.span_text);
        if self.spans.capacity() * std::mem::size_of::<(&str, usize, usize)>() > KEEP_BYTES {
            self.spans = Vec::new();
        }
        self.fields.release_large(KEEP_BYTES);
        self.span_fields.release_large(KEEP_BYTES);
        self.out.release_large(KEEP_BYTES);
    }

    fn parts(&mut self) -> ScratchParts<'_> {
        self.message.clear();
        self.extra.clear();
        self.spans.clear();
        self.fields.clear();
        self.span_text.clear();
        self.span_fields.clear();
        self.out.clear();
        ScratchParts {
            message: &mut self.message,
            extra: &mut self.extra,
            spans: &mut self.spans,
            fields: &mut self.fields,
            span_text: &mut self.span_text,
            span_fields: &mut self.span_fields,
            out: &mut self.out,
        }
    }
}

/// The buffers, borrowed separately so a record can borrow the text while
/// the output buffer is written.
#[derive(Debug)]
pub(crate) struct ScratchParts<'a> {
    message: &'a mut String,
    extra: &'a mut String,
    spans: &'a mut Vec<(&'static str, usize, usize)>,
    fields: &'a mut Fields,
    span_text: &'a mut String,
    span_fields: &'a mut Fields,
    out: &'a mut Output,
}

impl ScratchParts<'_> {
    /// Adds one span the event is in (call from the outermost to the
    /// innermost): its `name{fields}` to `%(spans)s` when `text`, its
    /// fields to the ones formats look names up in when `fields`.
    pub(crate) fn add_span(
        &mut self,
        name: &'static str,
        data: Option<&SpanData>,
        text: bool,
        fields: bool,
    ) {
        if text {
            if !self.span_text.is_empty() {
                self.span_text.push(':');
            }
            self.span_text.push_str(name);
            if let Some(data) = data
                && !data.text.is_empty()
            {
                self.span_text.push('{');
                self.span_text.push_str(data.text.trim_start());
                self.span_text.push('}');
            }
        }
        if fields {
            self.span_fields
                .push_span(name, data.map(|data| &data.fields));
        }
    }

    /// Records the event's message and fields; with `field_text`, also the
    /// fields as ` key=value` text after the message ([`Needs::FIELD_TEXT`]).
    pub(crate) fn visit(&mut self, event: &Event<'_>, field_text: bool) {
        let mut visitor = Visitor {
            message: self.message,
            extra: self.extra,
            spans: self.spans,
            fields: self.fields,
            field_text,
        };
        event.record(&mut visitor);
        let body_len = self.message.len();
        if !self.extra.is_empty() {
            let kept = if self.message.is_empty() {
                self.extra.trim_start()
            } else {
                self.extra.as_str()
            };
            let trimmed = self.extra.len() - kept.len();
            self.message.push_str(kept);
            // Where each field landed, so a formatter that prints a field
            // by name can leave its ` key=value` out of the message.
            self.fields
                .set_message_layout(body_len, body_len, trimmed, self.spans);
        } else {
            self.fields.set_message_layout(body_len, body_len, 0, &[]);
        }
    }

    /// The record for this event, stamped by `clock` (`None`: the system
    /// clock, read directly).
    #[allow(
        clippy::too_many_arguments,
        reason = "one call site; the parts of a record"
    )]
    pub(crate) fn record<'b>(
        &'b mut self,
        meta: &'b Metadata<'_>,
        level: Level,
        func_name: Option<&'static str>,
        thread: Option<(u64, &'b str)>,
        needs: Needs,
        clock: Option<&dyn Clock>,
    ) -> (Record<'b>, &'b mut Output) {
        let (created_ns, relative_ns) = if needs.contains(Needs::TIME) {
            let created_ns = match clock {
                None => now_ns(),
                Some(clock) => epoch_ns(clock.now()),
            };
            // A clock stepped back before the start gives 0, not a negative age.
            (created_ns, u64::try_from(created_ns - *START).unwrap_or(0))
        } else {
            (0, 0)
        };
        let (thread_id, thread_name) = thread.unwrap_or((0, ""));
        // `visit` appended the ` key=value` text to the message (or made it
        // the message when there was none): the event's own message is
        // what precedes it.
        let event_message = if self.extra.is_empty() {
            self.message.as_str()
        } else {
            self.message.strip_suffix(self.extra.as_str()).unwrap_or("")
        };
        let record = Record {
            name: meta.target(),
            level,
            message: self.message,
            event_message,
            fields: self.fields,
            span_fields: self.span_fields,
            spans: self.span_text,
            pathname: meta.file().unwrap_or(""),
            module_path: meta.module_path().unwrap_or(""),
            lineno: meta.line().unwrap_or(0),
            func_name: func_name.unwrap_or(NO_FUNCTION),
            created_ns,
            relative_ns,
            thread_id,
            thread_name,
            process_id: if needs.contains(Needs::PROCESS) {
                std::process::id()
            } else {
                0
            },
            process_name: &PROCESS_NAME,
        };
        (record, self.out)
    }
}

/// What logconf keeps of a span (in its extensions) when a format prints
/// spans or names fields: its fields as ` key=value` text, as
/// tracing-subscriber's `fmt` renders them, and by name.
#[derive(Debug, Default)]
pub(crate) struct SpanData {
    /// ` key=value` for each field, in the order recorded.
    text: String,
    /// The fields by name.
    fields: Fields,
}

impl SpanData {
    /// Records the values `record` visits (a new span's attributes, or
    /// values recorded on it later) after the ones already kept.
    pub(crate) fn record(&mut self, record: impl FnOnce(&mut dyn Visit)) {
        let mut message = String::new();
        let mut ranges = Vec::new();
        let mut visitor = Visitor {
            message: &mut message,
            extra: &mut self.text,
            spans: &mut ranges,
            fields: &mut self.fields,
            field_text: true,
        };
        record(&mut visitor);
        // A span's `message` field is a field like any other.
        if !message.is_empty() {
            let _ = write!(self.text, " message={message:?}");
            self.fields.push_str("message", &message);
        }
    }
}

/// Collects `message` and the other fields. The message is followed by
/// ` key=value` for every other field, as `tracing-subscriber`'s default
/// formatter writes them (strings quoted, `%display` and `?debug` values as
/// rendered); each field is also kept by name for `%(key)s`, and where its
/// ` key=value` is (`spans`), for formatters that name it.
struct Visitor<'a> {
    message: &'a mut String,
    extra: &'a mut String,
    spans: &'a mut Vec<(&'static str, usize, usize)>,
    fields: &'a mut Fields,
    /// Whether the fields are also rendered as ` key=value` text.
    field_text: bool,
}

impl Visitor<'_> {
    fn skip(field: &Field) -> bool {
        // `tracing-log` puts the `log` record's metadata in fields.
        field.name().starts_with("log.")
    }

    fn extra(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !self.field_text {
            return;
        }
        let start = self.extra.len();
        let _ = write!(self.extra, " {}={:?}", field.name(), value);
        self.spans.push((field.name(), start, self.extra.len()));
    }
}

impl Visit for Visitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else if !Self::skip(field) {
            self.extra(field, &value);
            self.fields.push_str(field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if !Self::skip(field) {
            self.fields.push_str_with(field.name(), |buf| {
                let _ = write!(buf, "{value:?}");
            });
            if self.field_text {
                let rendered = self.fields.last_str();
                let start = self.extra.len();
                let _ = write!(self.extra, " {}={rendered}", field.name());
                self.spans.push((field.name(), start, self.extra.len()));
            }
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if !Self::skip(field) {
            self.extra(field, &value);
            self.fields.push(field.name(), FieldValue::I64(value));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if !Self::skip(field) {
            self.extra(field, &value);
            self.fields.push(field.name(), FieldValue::U64(value));
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if !Self::skip(field) {
            self.extra(field, &value);
            self.fields.push(field.name(), FieldValue::F64(value));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if !Self::skip(field) {
            self.extra(field, &value);
            self.fields.push(field.name(), FieldValue::Bool(value));
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value}");
        } else if !Self::skip(field) {
            if self.field_text {
                let start = self.extra.len();
                let _ = write!(self.extra, " {}={}", field.name(), value);
                self.spans.push((field.name(), start, self.extra.len()));
            }
            self.fields.push_str_with(field.name(), |buf| {
                let _ = write!(buf, "{value}");
            });
        }
    }
}
