//! A record as OpenTelemetry's log data model has it, the way
//! `opentelemetry-sdk`'s Python `LoggingHandler` (1.45) maps a `LogRecord`:
//!
//! | OTLP field | From |
//! |---|---|
//! | `Timestamp` | the event's time |
//! | `ObservedTimestamp` | when the handler took the record |
//! | `SeverityNumber` | the level, by Python's `std_to_otel` table ([`severity`]) |
//! | `SeverityText` | the level's name, `WARNING` as `WARN` and `CRITICAL` as `FATAL` |
//! | `Body` | the message without the fields appended; the handler's `formatter:` output when it has one |
//! | `InstrumentationScope` | the target (`app::db`), Python's logger name |
//! | `Attributes` | every structured field, typed (`Int`, `Double`, `Bool`, `Str`); `code.file.path`, `code.line.number`, `code.namespace` (the module path) |
//! | `TraceId`, `SpanId`, `Flags` | the event's span, when a `tracing-opentelemetry` 0.34 layer is in the same subscriber |
//!
//! Differences from Python: levels below 10 (`TRACE` is 5) are `TRACE`
//! (Python leaves them unspecified); a level with no name of its own gets
//! the severity's name as its text (`INFO4` for 25, Python `Level 25`);
//! `code.function.name` is not sent (Rust's events do not know their
//! function).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::Key;
use opentelemetry::logs::{AnyValue, LogRecord as _, Severity};
use opentelemetry::trace::{SpanId, TraceContextExt as _, TraceFlags, TraceId};
use opentelemetry_sdk::logs::SdkLogRecord;

use crate::format::{FieldValue, Record};
use crate::handler::EventSpan;
use crate::level::Level;

/// The first segments of the targets of the exporter's own crates (a
/// trailing `*` matches any ending). Their records never reach the
/// handler: exporting them would log more of them, without end.
pub(crate) const EXPORTER_TARGETS: &[&str] = &[
    "opentelemetry",
    "opentelemetry_*",
    "tracing_opentelemetry",
    "tonic",
    "tonic_*",
    "reqwest",
    "hyper",
    "hyper_*",
    "h2",
    "http_body",
    "http_body_*",
    "tower",
    "tower_*",
    "rustls",
    "rustls_*",
    "tokio_rustls",
    "want",
    "mio",
    "tokio",
    "prost",
    "prost_*",
];

/// Whether `target` belongs to one of [`EXPORTER_TARGETS`].
pub(crate) fn is_exporter_target(target: &str) -> bool {
    let end = target.find([':', '.']).unwrap_or(target.len());
    let first = &target[..end];
    EXPORTER_TARGETS
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => first.starts_with(prefix),
            None => first == *pattern,
        })
}

/// The severity of `level`: Python's `std_to_otel`, with levels 1 to 9 as
/// `TRACE` (Python: unspecified).
pub(crate) fn severity(level: Level) -> Severity {
    match level.number() {
        0..=9 => Severity::Trace,
        10 => Severity::Debug,
        11 => Severity::Debug2,
        12 => Severity::Debug3,
        13..=19 => Severity::Debug4,
        20 => Severity::Info,
        21 => Severity::Info2,
        22 => Severity::Info3,
        23..=29 => Severity::Info4,
        30 => Severity::Warn,
        31 => Severity::Warn2,
        32 => Severity::Warn3,
        33..=39 => Severity::Warn4,
        40 => Severity::Error,
        41 => Severity::Error2,
        42 => Severity::Error3,
        43..=49 => Severity::Error4,
        50 => Severity::Fatal,
        51 => Severity::Fatal2,
        52 => Severity::Fatal3,
        _ => Severity::Fatal4,
    }
}

/// The severity text of `level`: its name, with Python's two renames.
pub(crate) fn severity_text(level: Level) -> &'static str {
    match level.static_name() {
        Some("WARNING") => "WARN",
        Some("CRITICAL") => "FATAL",
        Some(name) => name,
        None => severity(level).name(),
    }
}

/// One record on its way to the collector: owned, so the logging thread
/// can return at once.
#[derive(Debug)]
pub(crate) struct Item {
    target: String,
    level: Level,
    body: String,
    time: SystemTime,
    observed: SystemTime,
    attributes: Vec<(Key, AnyValue)>,
    trace: Option<(TraceId, SpanId, TraceFlags)>,
}

impl Item {
    /// The record as data, taken at `observed`. `formatted` replaces the
    /// message as the body; `span` gives the trace context.
    pub(crate) fn new(
        record: &Record<'_>,
        formatted: Option<&[u8]>,
        span: Option<EventSpan<'_>>,
        observed: SystemTime,
    ) -> Item {
        let body = match formatted {
            Some(text) => String::from_utf8_lossy(text).into_owned(),
            None => record.event_message.to_owned(),
        };
        // `created_ns` is 0 when no formatter asked for the time.
        let time = if record.created_ns == 0 {
            observed
        } else {
            time_of(record.created_ns)
        };
        let fields = record.fields;
        let mut attributes = Vec::with_capacity(fields.len() + 3);
        for i in 0..fields.len() {
            if let Some((name, value)) = fields.at(i) {
                attributes.push((Key::from_static_str(name), any_value(value)));
            }
        }
        if !record.pathname.is_empty() {
            attributes.push((
                Key::from_static_str("code.file.path"),
                AnyValue::from(record.pathname.to_owned()),
            ));
        }
        if record.lineno != 0 {
            attributes.push((
                Key::from_static_str("code.line.number"),
                AnyValue::Int(i64::from(record.lineno)),
            ));
        }
        if !record.module_path.is_empty() {
            attributes.push((
                Key::from_static_str("code.namespace"),
                AnyValue::from(record.module_path.to_owned()),
            ));
        }
        Item {
            target: record.name.to_owned(),
            level: record.level,
            body,
            time,
            observed,
            attributes,
            trace: span.and_then(trace_context),
        }
    }

    /// Fills `out` (a fresh record of the SDK) with this record.
    pub(crate) fn fill(self, out: &mut SdkLogRecord) {
        out.set_target(self.target);
        out.set_timestamp(self.time);
        out.set_observed_timestamp(self.observed);
        out.set_severity_number(severity(self.level));
        out.set_severity_text(severity_text(self.level));
        out.set_body(AnyValue::from(self.body));
        out.add_attributes(self.attributes);
        if let Some((trace_id, span_id, flags)) = self.trace {
            out.set_trace_context(trace_id, span_id, Some(flags));
        }
    }
}

/// A field's value as an attribute value: numbers stay numbers (a `u64`
/// beyond `i64` becomes its decimal text, as OpenTelemetry has no
/// unsigned integers).
fn any_value(value: FieldValue<'_>) -> AnyValue {
    match value {
        FieldValue::Str(s) | FieldValue::Raw(s) => AnyValue::from(s.to_owned()),
        FieldValue::I64(v) => AnyValue::Int(v),
        FieldValue::U64(v) => match i64::try_from(v) {
            Ok(v) => AnyValue::Int(v),
            Err(_) => AnyValue::from(v.to_string()),
        },
        FieldValue::F64(v) => AnyValue::Double(v),
        FieldValue::Bool(v) => AnyValue::Boolean(v),
    }
}

/// Nanoseconds since the epoch as a time.
fn time_of(ns: i128) -> SystemTime {
    let magnitude = u64::try_from(ns.unsigned_abs()).unwrap_or(u64::MAX);
    let offset = Duration::from_nanos(magnitude);
    if ns >= 0 {
        UNIX_EPOCH.checked_add(offset).unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH.checked_sub(offset).unwrap_or(UNIX_EPOCH)
    }
}

/// The trace context of `span` as the `tracing-opentelemetry` layer of the
/// same subscriber knows it (`None` without such a layer).
fn trace_context(span: EventSpan<'_>) -> Option<(TraceId, SpanId, TraceFlags)> {
    let cx = tracing_opentelemetry::get_otel_context(span.id, span.dispatch)?;
    let otel_span = cx.span();
    let sc = otel_span.span_context();
    sc.is_valid()
        .then(|| (sc.trace_id(), sc.span_id(), sc.trace_flags()))
}
