//! Custom factories: an application's own handler, formatter and filter
//! classes, registered under dotted names and reached from a config by
//! `class:` or `()`, as Python's `dictConfig` imports them.
//!
//! logconf's own classes (the tables in `handler/class.rs` and
//! `format/class.rs`) are the built-in registry; a [`Registry`] adds the
//! application's. A name registered here shadows a built-in class of the
//! same name.
//!
//! When each factory runs:
//!
//! | kind | runs | its problems are reported by |
//! |---|---|---|
//! | formatter | when the config is loaded | `Config::from_*_with` |
//! | filter | when the config is loaded | `Config::from_*_with` |
//! | handler | when the config is built (it may open things) | [`Config::build`](crate::Config::build) |
//!
//! Every call into application code (a factory when the config is loaded
//! or built, and [`Handler::emit`], [`Format::format`] and
//! [`Filter::filter`] per record) runs under `catch_unwind`: a factory's
//! panic becomes a located problem; a panic per record is reported once on
//! stderr and the record is dropped by that handler or filter (a formatter
//! that panics writes the bare message).

pub(crate) mod args;
pub(crate) mod user;

use std::fmt;
use std::sync::Arc;

pub use args::{FactoryArgs, FactoryError};
pub(crate) use user::{UserFilter, UserFormat, UserHandlerSettings};

use crate::format::{FieldValue, Formatter, FormatterOptions, Record};
use crate::level::Level;

/// A sink for formatted records: what a handler factory returns.
///
/// `record` is one whole record as its formatter rendered it, with the
/// handler's terminator (`\n`) at the end; `level` is the record's level
/// (the handler's own `level:` has already been applied). `emit` is called
/// from the thread that logged, possibly from many threads at once.
///
/// ```
/// use std::sync::Mutex;
///
/// #[derive(Debug, Default)]
/// struct Memory(Mutex<Vec<u8>>);
///
/// impl logconf::Handler for Memory {
///     fn emit(&self, record: &[u8], _level: logconf::Level) {
///         if let Ok(mut buf) = self.0.lock() {
///             buf.extend_from_slice(record);
///         }
///     }
/// }
/// # Ok::<(), logconf::Error>(())
/// ```
pub trait Handler: Send + Sync + fmt::Debug {
    /// Writes (or keeps) one record.
    fn emit(&self, record: &[u8], level: Level);

    /// Writes anything held back; called when the guard is dropped, when
    /// the program panics, and by [`Logging::flush`](crate::Logging::flush).
    fn flush(&self) {}
}

/// Decides per record whether it is logged: what a filter factory returns.
///
/// A filter listed on a logger sees the records of that logger (not of its
/// children, as in Python); a filter listed on a handler sees the records
/// that reach the handler at or above its level. A Rust filter sees the
/// record's target, level, message and fields ([`LogRecord`]); it cannot
/// change the record (Python 3.12's filters may return a new one).
///
/// ```
/// #[derive(Debug)]
/// struct NoHealthChecks;
///
/// impl logconf::Filter for NoHealthChecks {
///     fn filter(&self, record: &logconf::LogRecord<'_>) -> bool {
///         !record.message().contains("GET /health")
///     }
/// }
/// # Ok::<(), logconf::Error>(())
/// ```
pub trait Filter: Send + Sync + fmt::Debug {
    /// Whether `record` is logged.
    fn filter(&self, record: &LogRecord<'_>) -> bool;
}

/// Renders a record: what a formatter factory returns.
///
/// Append the record without a terminator; the handler adds its own.
/// [`TextFormat`] renders logconf's `%`, `{` and `$` formats and can be
/// wrapped to add computed attributes.
///
/// ```
/// #[derive(Debug)]
/// struct Upper;
///
/// impl logconf::Format for Upper {
///     fn format(&self, record: &logconf::LogRecord<'_>, out: &mut Vec<u8>) {
///         out.extend_from_slice(record.message().to_uppercase().as_bytes());
///     }
/// }
/// # Ok::<(), logconf::Error>(())
/// ```
pub trait Format: Send + Sync + fmt::Debug {
    /// Appends the rendered record to `out`.
    fn format(&self, record: &LogRecord<'_>, out: &mut Vec<u8>);
}

/// One record as a [`Format`] or [`Filter`] sees it: Python's `LogRecord`,
/// read-only.
///
/// ```
/// #[derive(Debug)]
/// struct OnlyDb;
/// impl logconf::Filter for OnlyDb {
///     fn filter(&self, record: &logconf::LogRecord<'_>) -> bool {
///         record.target().starts_with("db") && record.level() >= logconf::Level::INFO
///     }
/// }
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LogRecord<'a> {
    record: &'a Record<'a>,
}

impl<'a> LogRecord<'a> {
    pub(crate) fn new(record: &'a Record<'a>) -> LogRecord<'a> {
        LogRecord { record }
    }

    /// The event's target (`%(name)s`), as written (`app::db`).
    pub fn target(&self) -> &'a str {
        self.record.name
    }

    /// The record's level.
    pub fn level(&self) -> Level {
        self.record.level
    }

    /// The message with the event's other fields appended as ` key=value`
    /// (what `%(message)s` prints in a format that names no field).
    pub fn message(&self) -> &'a str {
        self.record.message
    }

    /// The value of the event's field `name`, if it has one.
    pub fn field(&self, name: &str) -> Option<FieldValue<'a>> {
        self.record.fields.get(name)
    }

    /// The source file (`%(pathname)s`), or `""`.
    pub fn pathname(&self) -> &'a str {
        self.record.pathname
    }

    /// The source line (`%(lineno)d`), 0 when unknown.
    pub fn lineno(&self) -> u32 {
        self.record.lineno
    }

    /// The Rust module path of the event, or `""`.
    pub fn module_path(&self) -> &'a str {
        self.record.module_path
    }

    pub(crate) fn inner(&self) -> &'a Record<'a> {
        self.record
    }
}

/// logconf's text formatter (`logging.Formatter`), for factories that
/// render a format with attributes of their own (uvicorn's
/// `%(levelprefix)s`, an access log's `%(status_code)s`).
///
/// ```
/// use logconf::{FactoryArgs, FieldValue, Format, LogRecord, Registry, TextFormat};
///
/// #[derive(Debug)]
/// struct Prefixed(TextFormat);
/// impl Format for Prefixed {
///     fn format(&self, record: &LogRecord<'_>, out: &mut Vec<u8>) {
///         let prefix = format!("{}:", record.level().name());
///         self.0.format_with(record, &[("levelprefix", FieldValue::Str(&prefix))], out);
///     }
/// }
///
/// let registry = Registry::new().formatter("myapp.Prefixed", |args: &mut FactoryArgs<'_>| {
///     let text = TextFormat::from_args(args, "fmt", &["levelprefix"])?;
///     Ok(Box::new(Prefixed(text)))
/// });
/// let yaml = "version: 1\nformatters:\n  p: {(): myapp.Prefixed, fmt: '%(levelprefix)s %(message)s'}\n";
/// logconf::Config::from_yaml_str_with(yaml, &registry)?;
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Debug)]
pub struct TextFormat {
    inner: Formatter,
}

impl TextFormat {
    /// Compiles the format under `format_key` (`format`, or `fmt` as
    /// Python's constructors name it; absent: `%(message)s`) with the
    /// entry's `datefmt`, `style` and `validate`, as `logging.Formatter`
    /// reads them. `names` are the attributes the caller provides per
    /// record through [`TextFormat::format_with`]: the format may name them.
    ///
    /// # Errors
    ///
    /// A problem in the format or the other keys, recorded at its place.
    pub fn from_args(
        args: &mut FactoryArgs<'_>,
        format_key: &str,
        names: &[&str],
    ) -> Result<TextFormat, FactoryError> {
        let inner = text_formatter(args, format_key, names).ok_or_else(FactoryError::reported)?;
        args.add_needs(inner.needs());
        Ok(TextFormat { inner })
    }

    /// Appends the record as the format renders it.
    pub fn format(&self, record: &LogRecord<'_>, out: &mut Vec<u8>) {
        self.inner.format(record.inner(), out);
    }

    /// Appends the record with `extra` attributes added (they win over the
    /// event's fields of the same name). Copies the record's fields once.
    pub fn format_with(
        &self,
        record: &LogRecord<'_>,
        extra: &[(&'static str, FieldValue<'_>)],
        out: &mut Vec<u8>,
    ) {
        let inner = record.inner();
        let mut fields = inner.fields.clone();
        for &(name, value) in extra {
            fields.push(name, value);
        }
        let with = Record {
            fields: &fields,
            ..*inner
        };
        self.inner.format(&with, out);
    }
}

/// Compiles the text formatter of a factory's entry; `None` when a problem
/// was recorded.
fn text_formatter(
    args: &mut FactoryArgs<'_>,
    format_key: &str,
    names: &[&str],
) -> Option<Formatter> {
    let format_key = args.keys().into_iter().find(|k| *k == format_key);
    let format = format_key.and_then(|k| args.string(k));
    let datefmt = args.string("datefmt");
    let style = args.inner().style();
    let validate = args.bool("validate").unwrap_or(true);
    if args.failed() {
        return None;
    }
    let options = FormatterOptions {
        format,
        datefmt,
        style,
        validate,
        defaults: names
            .iter()
            .map(|n| {
                (
                    (*n).to_owned(),
                    crate::format::OwnedValue::Str(String::new()),
                )
            })
            .collect(),
        escape_control: true,
        escape_newlines: false,
    };
    match Formatter::new(options) {
        Ok(f) => Some(f),
        Err(err) => {
            let key = format_key.unwrap_or("");
            let inner = args.inner();
            match (inner.get(key), format) {
                (Some(e), Some(text)) => {
                    let pos = crate::format::class::place_in_string(
                        inner.text(),
                        e.value.pos,
                        text,
                        err.offset,
                    );
                    inner.report_at(pos, key, err.message, err.help);
                }
                _ => inner.report_at(inner.pos(), "", err.message, err.help),
            }
            None
        }
    }
}

/// A handler factory: reads its keys, returns the handler.
type HandlerFactory =
    dyn Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Handler>, FactoryError> + Send + Sync;
/// A formatter factory.
type FormatFactory =
    dyn Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Format>, FactoryError> + Send + Sync;
/// A filter factory.
type FilterFactory =
    dyn Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Filter>, FactoryError> + Send + Sync;

/// An application's handler, formatter and filter factories, by the dotted
/// names configs use (`myapp.audit.AuditHandler`).
///
/// A config reaches a factory by `class:` (handlers, formatters) or `()`
/// (handlers, formatters, filters). The entry's other keys are handed to
/// the factory as [`FactoryArgs`], with their places, except the keys
/// logconf reads itself: `level`, `formatter` and `filters` of a handler,
/// `class` when it named the factory, and `()`. Load the config with
/// [`Config::from_path_with`](crate::Config::from_path_with) (or
/// `from_yaml_str_with`, `from_json_str_with`, `from_ini_str_with`).
///
/// | `Registry::new()` | |
/// |---|---|
/// | handler factories | none |
/// | formatter factories | none |
/// | filter factories | none |
///
/// A name registered twice keeps the last factory. A registered name
/// shadows logconf's own class of that name.
///
/// ```
/// use logconf::{FactoryArgs, Registry};
///
/// #[derive(Debug)]
/// struct Audit {
///     tag: String,
/// }
/// impl logconf::Handler for Audit {
///     fn emit(&self, record: &[u8], _level: logconf::Level) {
///         // send `self.tag` and `record` to the audit service
///         let _ = (&self.tag, record);
///     }
/// }
///
/// let registry = Registry::new().handler("myapp.audit.AuditHandler", |args: &mut FactoryArgs<'_>| {
///     let tag = args.string("tag").ok_or_else(|| args.missing("tag"))?;
///     Ok(Box::new(Audit { tag: tag.to_owned() }))
/// });
/// let yaml = "version: 1
/// handlers:
///   audit: {class: myapp.audit.AuditHandler, level: INFO, tag: billing}
/// root: {handlers: [audit]}
/// ";
/// let logging = logconf::Config::from_yaml_str_with(yaml, &registry)?.build()?;
/// tracing::subscriber::with_default(logging.subscriber(), || tracing::warn!("refund"));
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Registry {
    handlers: Vec<(String, Arc<HandlerFactory>)>,
    formatters: Vec<(String, Arc<FormatFactory>)>,
    filters: Vec<(String, Arc<FilterFactory>)>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |list: Vec<&str>| list.join(", ");
        f.debug_struct("Registry")
            .field(
                "handlers",
                &names(self.handlers.iter().map(|(n, _)| n.as_str()).collect()),
            )
            .field(
                "formatters",
                &names(self.formatters.iter().map(|(n, _)| n.as_str()).collect()),
            )
            .field(
                "filters",
                &names(self.filters.iter().map(|(n, _)| n.as_str()).collect()),
            )
            .finish()
    }
}

impl Registry {
    /// An empty registry: configs reach logconf's own classes only.
    ///
    /// ```
    /// let config = logconf::Config::from_yaml_str_with("version: 1\n", &logconf::Registry::new())?;
    /// # let _ = config;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a handler factory under `name`. It runs when the config is
    /// built, once per handler entry naming it (and again on every build).
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct Discard;
    /// impl logconf::Handler for Discard {
    ///     fn emit(&self, _record: &[u8], _level: logconf::Level) {}
    /// }
    /// let registry = logconf::Registry::new()
    ///     .handler("myapp.Discard", |_args: &mut logconf::FactoryArgs<'_>| Ok(Box::new(Discard)));
    /// # let _ = registry;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn handler<F>(mut self, name: &str, factory: F) -> Registry
    where
        F: Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Handler>, FactoryError>
            + Send
            + Sync
            + 'static,
    {
        self.handlers.retain(|(n, _)| n != name);
        self.handlers.push((name.to_owned(), Arc::new(factory)));
        self
    }

    /// Registers a formatter factory under `name`. It runs when the config
    /// is loaded.
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct Bare;
    /// impl logconf::Format for Bare {
    ///     fn format(&self, record: &logconf::LogRecord<'_>, out: &mut Vec<u8>) {
    ///         out.extend_from_slice(record.message().as_bytes());
    ///     }
    /// }
    /// let registry = logconf::Registry::new()
    ///     .formatter("myapp.Bare", |_args: &mut logconf::FactoryArgs<'_>| Ok(Box::new(Bare)));
    /// # let _ = registry;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn formatter<F>(mut self, name: &str, factory: F) -> Registry
    where
        F: Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Format>, FactoryError>
            + Send
            + Sync
            + 'static,
    {
        self.formatters.retain(|(n, _)| n != name);
        self.formatters.push((name.to_owned(), Arc::new(factory)));
        self
    }

    /// Registers a filter factory under `name` (configs reach it by `()`).
    /// It runs when the config is loaded.
    ///
    /// ```
    /// #[derive(Debug)]
    /// struct Never;
    /// impl logconf::Filter for Never {
    ///     fn filter(&self, _record: &logconf::LogRecord<'_>) -> bool {
    ///         false
    ///     }
    /// }
    /// let registry = logconf::Registry::new()
    ///     .filter("myapp.Never", |_args: &mut logconf::FactoryArgs<'_>| Ok(Box::new(Never)));
    /// # let _ = registry;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn filter<F>(mut self, name: &str, factory: F) -> Registry
    where
        F: Fn(&mut FactoryArgs<'_>) -> Result<Box<dyn Filter>, FactoryError>
            + Send
            + Sync
            + 'static,
    {
        self.filters.retain(|(n, _)| n != name);
        self.filters.push((name.to_owned(), Arc::new(factory)));
        self
    }

    pub(crate) fn find_handler(&self, name: &str) -> Option<&Arc<HandlerFactory>> {
        self.handlers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f)
    }

    pub(crate) fn find_formatter(&self, name: &str) -> Option<&Arc<FormatFactory>> {
        self.formatters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, f)| f)
    }

    pub(crate) fn find_filter(&self, name: &str) -> Option<&Arc<FilterFactory>> {
        self.filters.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }
}

/// The settings of a handler made by a registered factory, if `settings` are.
pub(crate) fn user_settings(
    settings: &dyn crate::handler::class::HandlerSettings,
) -> Option<&UserHandlerSettings> {
    settings.as_any().downcast_ref::<UserHandlerSettings>()
}

/// The registry of a config loaded without one.
pub(crate) fn empty() -> &'static Registry {
    static EMPTY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Registry::new)
}

/// How to register a factory for `name`: the help of an unknown name.
/// `kind` is `handler`, `formatter` or `filter`.
pub(crate) fn how_to_register(kind: &str, name: &str) -> String {
    format!(
        "to use a Rust {kind} of your own, register it: `logconf::Registry::new().{kind}(\"{}\", |args| ...)` and load with `Config::from_path_with(path, &registry)`",
        crate::args::show(name)
    )
}
