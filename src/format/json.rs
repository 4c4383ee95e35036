//! JSON lines: one JSON object per record, in one of three shapes.
//!
//! Each formatter writes one object and no line terminator (the handler
//! adds it). Strings are always escaped (`"`, `\`, every C0 control; with
//! ASCII output also DEL and everything above it), event fields keep their
//! types (`i64`, `u64` and `f64` as numbers, `bool` as `true`/`false`), and
//! nothing is allocated per record: the formatter writes straight into the
//! output buffer, as the text [`Formatter`](super::Formatter) does (one
//! exception: an `asctime` whose `datefmt` writes a quote, a backslash or,
//! with ASCII output, non-ASCII text is escaped through a copy).
//!
//! Text reaches a record as Rust `str`, so it is valid UTF-8 by the time it
//! is escaped: the `log` bridge formats `log::Record::args` into a `String`,
//! `tracing` hands strings over as `&str`, and byte slices
//! (`Visit::record_bytes`) arrive as their `Debug` text (`[104, 105]`).
//! JSON allows U+2028 and U+2029 raw; they are written raw, except with
//! ASCII output (`\u2028`), which also suits JavaScript older than ES2019.
//!
//! The message in every shape is the event's own message
//! ([`Record::event_message`]), not the text formatter's `%(message)s`
//! (which has the fields appended): the fields are written as values.
//!
//! # `pythonjsonlogger.json.JsonFormatter`
//!
//! python-json-logger 4.2.0 on CPython 3.13, byte for byte, under both class
//! names (`pythonjsonlogger.jsonlogger.JsonFormatter` is the deprecated
//! alias of the same class). Event fields are Python's `extra` fields.
//!
//! ```yaml
//! formatters:
//!   json:
//!     (): pythonjsonlogger.json.JsonFormatter
//!     fmt: "%(asctime)s %(levelname)s %(name)s %(message)s"
//!     rename_fields: {levelname: level, asctime: time}
//!     static_fields: {service: demo}
//!     timestamp: true
//! ```
//!
//! writes, for `info!(target: "app.db", user = "alice", rows = 3, "hello
//! wörld")` (the record of the three examples), `{"time": "2025-12-04 12:27:03,406", "level": "INFO", "name":
//! "app.db", "message": "hello w\u00f6rld", "service": "demo", "user":
//! "alice", "rows": 3, "timestamp": "2025-12-04T12:27:03.406676+00:00"}`.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `fmt` (`format`) | `%(message)s` | the fields written first: the names a `%`, `{` or `$` format mentions (python-json-logger's regular expressions, so `{levelname:>8}` names `levelname:>8`), a comma-separated list with `style: ","`, or a list of names |
//! | `style` | `%` | `%`, `{`, `$` or `,` |
//! | `validate` | `true` | the format must name at least one field |
//! | `datefmt` | none | `asctime`'s format, as in the text formatter |
//! | `rename_fields` | `{}` | output key for a field name (applies to every field) |
//! | `rename_fields_keep_missing` | `false` | renamed fields the record lacks are written as `null` |
//! | `static_fields` | `{}` | constant members, after the `fmt` fields |
//! | `defaults` | `{}` | constant members written first (a `fmt` field of the same name replaces the value, even with `null`) |
//! | `reserved_attrs` | python-json-logger's `RESERVED_ATTRS` | names never written as extras; record attributes left out of it are written as extras (`msg`, `args: []`, `exc_info: null`, ...) |
//! | `timestamp` | `false` | `true` adds `"timestamp"`, a string adds that key: the UTC ISO time with microseconds |
//! | `prefix` | `""` | text before the `{` |
//! | `json_ensure_ascii` | `true` | `\uXXXX` for every non-ASCII character |
//! | `exc_info_as_array`, `stack_info_as_array` | `false` | accepted; records carry no exception or stack |
//!
//! Members come in python-json-logger's order: `defaults`, the `fmt`
//! fields, `static_fields`, the extras (record attributes not reserved, then
//! event fields, whose names starting with `_` or listed in `reserved_attrs`
//! or `fmt` are skipped), then `timestamp`. A key written twice keeps its
//! first place and its last value, as in a Python `dict`. A `fmt` name that
//! is neither an attribute nor an event field is `null`. Separators are
//! `", "` and `": "`; floats are Python's `repr` (`1e+16`), non-finite ones
//! `NaN`, `Infinity`, `-Infinity` (Python's `allow_nan`).
//! [`PYTHON_JSON_UNSUPPORTED`] lists the options that take Python callables.
//!
//! # `ecs_logging.StdlibFormatter`
//!
//! ecs-logging 2.3.0 (ECS `1.6.0`), byte for byte:
//!
//! ```yaml
//! formatters:
//!   ecs:
//!     (): ecs_logging.StdlibFormatter
//!     exclude_fields: [log.original, process.thread]
//!     extra: {service.name: checkout, labels: {team: core}}
//! ```
//!
//! writes `{"@timestamp":"2025-12-04T12:27:03.406Z","log.level":"info",
//! "message":"hello w\u00f6rld","ecs.version":"1.6.0","labels":{"team":"core"},
//! "log":{"logger":"app.db","origin":{"file":{"line":42,"name":"conn.rs"},
//! "function":"connect"}},"process":{"name":"MainProcess","pid":7071},
//! "rows":3,"service":{"name":"checkout"},"user":"alice"}`.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `exclude_fields` | `[]` | dotted paths left out, with everything under them (`process` drops `process.*`) |
//! | `extra` | `{}` | constant fields, dotted keys nested (`service.name`) |
//! | `ensure_ascii` | `true` | `\uXXXX` for every non-ASCII character |
//! | `fmt` (`format`), `datefmt`, `style`, `validate` | | accepted and unused, as in ecs-logging |
//! | `stack_trace_limit` | none | accepted (a non-negative integer); records carry no exception |
//!
//! `@timestamp` (UTC, milliseconds), `log.level` (lowercase) and `message`
//! come first, then every other member sorted by key at every depth, in
//! compact form. Event fields with dotted names are nested
//! (`http.request.method`). Fields named like a `LogRecord` attribute
//! (`name`, `module`, ...) are left out, as ecs-logging leaves record
//! attributes out of its extras.
//!
//! # `logconf.JsonFormatter`
//!
//! The shape of tracing-subscriber 0.3's `fmt().json()`, byte for byte for
//! events outside spans:
//!
//! ```yaml
//! formatters:
//!   json:
//!     class: logconf.JsonFormatter
//!     flatten_event: false
//!     with_file: true
//!     with_line_number: true
//!     static_fields: {service: checkout}
//! ```
//!
//! writes `{"timestamp":"2025-12-04T12:27:03.406676Z","level":"INFO",
//! "fields":{"message":"hello wörld","user":"alice","rows":3},
//! "target":"app.db","filename":"src/net/conn.rs","line_number":42,
//! "service":"checkout"}`.
//!
//! | key | default | meaning (tracing-subscriber's builder method) |
//! |---|---|---|
//! | `flatten_event` | `false` | event fields at the top level instead of under `fields` (`flatten_event`) |
//! | `with_timestamp` | `true` | `timestamp`: RFC 3339 UTC with microseconds |
//! | `with_level` | `true` | `level`: `TRACE` … `ERROR`, `WARN` for 30; other levels by Python name |
//! | `with_target` | `true` | `target`: the record's name |
//! | `with_file` | `false` | `filename`: the source path (`with_file`) |
//! | `with_line_number` | `false` | `line_number` |
//! | `with_thread_names` | `false` | `threadName` |
//! | `with_thread_ids` | `false` | `threadId`: `ThreadId(N)` |
//! | `rename_fields` | `{}` | output key for a top-level key (`timestamp: "@t"`) or an event field |
//! | `exclude_fields` | `[]` | top-level keys or event fields left out |
//! | `static_fields` | `{}` | constant members, written last |
//! | `ensure_ascii` | `false` | `\uXXXX` for every non-ASCII character |
//!
//! The output is compact with raw UTF-8, floats as `serde_json` writes them
//! (`1e16`, non-finite as `null`). tracing-subscriber's `span` and `spans`
//! members are written once records carry their span chain; an event
//! inside spans lacks them until then.
//!
//! # Differences from the Python libraries
//!
//! - Records carry no exception or stack, so `exc_info`, `stack_info` and
//!   ECS `error.*` never appear.
//! - python-json-logger: `json_indent`, `json_default`, `json_encoder` and
//!   `json_serializer` are not supported (see [`PYTHON_JSON_UNSUPPORTED`]);
//!   a `dict` message does not exist in Rust; `taskName` is always `null`.
//!   Both class names follow python-json-logger 3 and 4 (3.3.0 and 4.2.0
//!   write the same bytes for the research example); 2.x differed: it wrote
//!   `"taskName": null` as an extra on Python 3.12+ and moved renamed keys
//!   to the end of the object.
//! - ecs-logging: where Python raises on merging fields whose paths
//!   collide (an event field `log.logger`, or `http` beside `http.method`)
//!   and loses the record, logconf keeps the record and drops the later
//!   field (ECS fields first, then `extra`, then event fields in order);
//!   an `extra` that collides with an ECS field is a load error.
//!   `process.thread.id` is logconf's thread number, not an OS thread id.
//!   The `elasticapm_*` extras are not renamed to `trace.id` etc.
//! - tracing-subscriber: an event with an empty message has no `message`
//!   member (tracing-subscriber writes one only when the event has a
//!   message field); an unnamed thread's `threadName` is `Thread-N`
//!   (tracing-subscriber: `ThreadId(N)`); 128-bit integers are strings.

#![cfg_attr(not(test), allow(dead_code, unused_imports))]

mod ecs;
mod native;
mod python;
#[cfg(test)]
mod tests;
mod write;

use std::fmt;

pub(crate) use ecs::EcsOptions;
pub(crate) use native::NativeOptions;
pub(crate) use python::{PYTHON_JSON_UNSUPPORTED, PyFmt, PyStyle, PyTimestamp, PythonJsonOptions};

use super::{Needs, Record};

/// A constant value from the config (`static_fields`, `defaults`,
/// `extra`): any JSON value, object members in the config's order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum StaticValue {
    /// `null` (YAML `~` or `null`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits `i64`.
    Int(i64),
    /// A larger non-negative integer.
    UInt(u64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<StaticValue>),
    /// A mapping, in the config's order.
    Map(Vec<(String, StaticValue)>),
}

/// A JSON formatter option that cannot be used, found when the config is
/// loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JsonError {
    /// The option at fault, as the YAML names it (`rename_fields`).
    pub(crate) option: &'static str,
    /// The entry inside that option, when one is at fault (a key of
    /// `rename_fields`, an item of `exclude_fields`).
    pub(crate) entry: Option<String>,
    /// Lowercase, no trailing period.
    pub(crate) message: String,
    /// A suggestion, if there is one.
    pub(crate) help: Option<String>,
}

impl JsonError {
    /// An error in `option`.
    pub(crate) fn new(option: &'static str, message: impl Into<String>) -> JsonError {
        JsonError {
            option,
            entry: None,
            message: message.into(),
            help: None,
        }
    }

    /// The entry of the option at fault.
    pub(crate) fn entry(mut self, entry: impl Into<String>) -> JsonError {
        self.entry = Some(entry.into());
        self
    }

    /// Adds a suggestion.
    pub(crate) fn help(mut self, help: impl Into<String>) -> JsonError {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

/// Which shape to write, with its options.
#[derive(Clone, Debug)]
pub(crate) enum JsonOptions<'a> {
    /// `pythonjsonlogger.json.JsonFormatter` and
    /// `pythonjsonlogger.jsonlogger.JsonFormatter`.
    PythonJson(PythonJsonOptions<'a>),
    /// `ecs_logging.StdlibFormatter`.
    Ecs(EcsOptions),
    /// `logconf.JsonFormatter`: tracing-subscriber's JSON shape.
    Native(NativeOptions),
}

/// The compiled shape.
#[derive(Debug)]
enum Shape {
    PythonJson(python::Python),
    Ecs(ecs::Ecs),
    Native(native::Native),
}

/// A compiled JSON formatter.
#[derive(Debug)]
pub(crate) struct JsonFormatter {
    shape: Shape,
}

impl JsonFormatter {
    /// Compiles a formatter from its options.
    pub(crate) fn new(options: JsonOptions<'_>) -> Result<JsonFormatter, JsonError> {
        let shape = match options {
            JsonOptions::PythonJson(o) => Shape::PythonJson(python::Python::new(o)?),
            JsonOptions::Ecs(o) => Shape::Ecs(ecs::Ecs::new(o)?),
            JsonOptions::Native(o) => Shape::Native(native::Native::new(o)?),
        };
        Ok(JsonFormatter { shape })
    }

    /// Appends the record as one JSON object (no line terminator) to `out`.
    pub(crate) fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        match &self.shape {
            Shape::PythonJson(f) => f.format(record, out),
            Shape::Ecs(f) => f.format(record, out),
            Shape::Native(f) => f.format(record, out),
        }
    }

    /// What this formatter needs computed.
    pub(crate) fn needs(&self) -> Needs {
        match &self.shape {
            Shape::PythonJson(f) => f.needs(),
            Shape::Ecs(f) => f.needs(),
            Shape::Native(f) => f.needs(),
        }
    }

    /// Replaces the time zone `asctime` is shown in (the system's by
    /// default); the other timestamps are always UTC.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn set_time_zone(&mut self, tz: jiff::tz::TimeZone) {
        if let Shape::PythonJson(f) = &mut self.shape {
            f.set_time_zone(tz);
        }
    }
}
