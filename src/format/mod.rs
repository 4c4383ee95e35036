//! Formatters: a [`Record`] to bytes, in Python's `%`, `{` and `$` styles.
//!
//! A format string is parsed once, when the config is loaded, into a list
//! of pieces (literal bytes, or an attribute with its conversion spec);
//! rendering never parses, never fails and, in every style, does not
//! allocate once warm (the output buffer and the `asctime` cache are reused). The output is byte-identical to CPython 3.13's
//! `logging.Formatter` for the same record, except where noted below.
//!
//! # Styles
//!
//! - `%` ([`Style::Percent`]): `%(name)[flags][width][.precision]conv`, with
//!   printf's flags `#0+- `, conversions `d i u o x X e E f F g G c r s a`
//!   and `%%`. Length modifiers `h l L` are accepted and ignored.
//! - `{` ([`Style::Brace`]): `str.format` fields `{name}`, `{name!r}`,
//!   `{name:spec}` with the full format-spec mini-language
//!   (`[[fill]align][sign][z][#][0][width][,_][.precision][type]`).
//! - `$` ([`Style::Dollar`]): `string.Template`'s `$name`, `${name}`, `$$`.
//!
//! With `validate: true` (the default) a format must contain at least one
//! field, as in Python.
//!
//! # Attributes
//!
//! | name | Python type | value in Rust |
//! |---|---|---|
//! | `name` | `str` | `Record::name`, the event's target, verbatim |
//! | `levelno` | `int` | `Record::level.number()` |
//! | `levelname` | `str` | `Record::level.name()` (`Level 15` for unnamed levels) |
//! | `message` | `str` | `Record::message` (escaped, see below), without the ` key=value` of the fields the format names |
//! | `asctime` | `str` | `Record::created_ns` in the local zone, see [Asctime](self#asctime) |
//! | `msecs` | `float` | whole milliseconds of `created_ns` within its second (`123.0`) |
//! | `created` | `float` | `created_ns / 1e9` |
//! | `relativeCreated` | `float` | `Record::relative_ns / 1e6` |
//! | `pathname` | `str` | `Record::pathname` |
//! | `filename` | `str` | `pathname` after its last `/` or `\` |
//! | `module` | `str` | last `::` segment of `Record::module_path`; if that is empty, `filename` without its extension |
//! | `lineno` | `int` | `Record::lineno` |
//! | `funcName` | `str` | `Record::func_name` as given (the subscriber fills it when [`Needs::FUNC_NAME`] is asked) |
//! | `thread` | `int` | `Record::thread_id` |
//! | `threadName` | `str` | `Record::thread_name` |
//! | `process` | `int` | `Record::process_id` |
//! | `processName` | `str` | `Record::process_name` |
//! | `taskName` | `None` | always `None` (printed `None`) |
//! | `spans` | (logconf) | the span chain, `request{request_id=42}:db{table="users"}`, as tracing-subscriber's `fmt` prints it; empty outside spans |
//!
//! Any other name is looked up in the event's structured fields, then in
//! the fields of the spans the event is in (innermost first), then in the
//! formatter's `defaults` (attribute > event field > span field > default). A name
//! that is neither an attribute nor listed in `defaults` is an error at load
//! time, with a did-you-mean suggestion; Python would only fail when a record
//! lacks it. Field values print as Python would print them: strings as is,
//! integers and floats as `str()`, booleans as `True`/`False`.
//!
//! A numeric conversion (`%(n)d`, `{n:x}`) applied to a value of the wrong
//! type at log time (a string field, `inf` with `%d`) prints the value as
//! `%s` / `{n}` would, with the same width; Python would raise and drop the
//! record. Where the type is known at load time (an attribute such as
//! `%(levelname)d`), it is a load error instead.
//!
//! # Asctime
//!
//! Only computed when the format uses it, in the system time zone
//! (`TZ` is honoured; read when the formatter is compiled). Without
//! `datefmt`: `%Y-%m-%d %H:%M:%S` then `,` and the 3-digit milliseconds
//! (`2026-11-29 14:47:13,123`). With `datefmt`: `strftime` of the local
//! time and nothing added, as in Python. `datefmt` is formatted by `jiff`
//! with its POSIX locale, so `%c` (`Fri Nov 29 09:40:34 2024`), `%x`
//! (`11/29/24`), `%X`, `%p` and day and month names are the C locale's.
//! Directives: `%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m
//! %M %n %p %P %r %R %s %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%`, plus
//! `jiff`'s extensions (`%f`, `%N`, `%:z`, `%Q`, flags such as `%-d`). A
//! `datefmt` that cannot be formatted is a load error. The formatted second
//! is cached per formatter (unless `datefmt` has sub-second directives).
//!
//! # What the subscriber provides
//!
//! - `Record::func_name`: the innermost span's name, when [`Formatter::needs`]
//!   contains [`Needs::FUNC_NAME`]; otherwise it may be `""`.
//! - `Record::thread_id`/`thread_name`: when it contains [`Needs::THREAD`].
//! - `Record::created_ns`: wall-clock nanoseconds since the epoch;
//!   `Record::relative_ns`: nanoseconds since logconf was loaded (both only
//!   when it contains [`Needs::TIME`]).
//! - `Record::process_id`: when it contains [`Needs::PROCESS`].
//! - `Record::message`: the message with ` key=value` appended for every
//!   field, and in `Record::fields` where each one is: a format that names
//!   a field (`%(user)s`) leaves that field's ` key=value` out of its
//!   `%(message)s` (Python's `extra=` attributes are not in the message);
//!   a format that names no field prints `Record::message` as it is.
//! - `Record::fields`: the event's fields, for names listed in `defaults`.
//!
//! # Escaping
//!
//! Only the message and field values (event fields and defaults) are
//! escaped; literal format text and other attributes are written as is.
//! With `escape_control` (default on), C0 control characters other than
//! `\n` and `\t`, DEL and the C1 controls U+0080–U+009F are written as
//! `\x1b`-style escapes (backslash, `x`, two lowercase hex digits; C1 as
//! `\x9b`), so no terminal escape sequence from a log message reaches a
//! terminal. With `escape_newlines` (default off), `\n` is written as `\n`
//! and `\r` as `\r` (backslash escapes), so a record is one line. Width
//! and precision apply to the escaped text. With both off the output is
//! Python's.
//!
//! # Width and precision
//!
//! Count characters (Python `str` semantics), not bytes.
//!
//! # Differences from CPython
//!
//! - Unknown names are load errors (with a did-you-mean), not per-record
//!   `KeyError`s; event fields need a declared default to be nameable.
//! - A conversion or spec that fails for every record given the attribute's
//!   type (`%(levelname)d`, `%(created)x`, `{lineno:s}`, `{taskName:>5}`)
//!   and `%(x)%` are load errors, not per-record errors.
//! - A numeric conversion meeting a value it cannot format at log time
//!   (a string event field with `%d`, `inf` with `%d`, a float with `{:x}`,
//!   an int out of `%c`'s range) prints the value as `%s`/`{}` would with
//!   the same width and precision, where Python drops the record.
//! - Positional fields (`%s`, `{}`, `{0}`), `*` widths, attribute/index
//!   access (`{a.b}`, `{a[0]}`) and nested spec fields (`{x:{w}}`) are load
//!   errors: a record has no positional arguments or objects.
//! - Widths and precisions above 10000 are load errors.
//! - `repr()`/`!r` of a string escapes controls, format characters,
//!   separators and private-use characters like Python's `isprintable`, but
//!   unassigned code points are printed as is (Python escapes them).
//! - `datefmt` directives `jiff` does not know are load errors (C's
//!   `strftime` prints them as is), and `datefmt` is only checked when the
//!   format uses `asctime`.
//! - `escape_control` (on by default) changes the message and field values
//!   as described above; turn it off for Python's exact bytes.
//! - `filename` also splits on `\`, so Windows paths give the file name.

mod brace;
pub(crate) mod class;
mod color;
mod dollar;
pub(crate) mod json;
mod num;
mod percent;
mod record;
#[cfg(test)]
mod tests;
mod time;
mod value;

#[allow(unused_imports)]
pub use record::FieldValue;
pub(crate) use record::{Fields, OwnedValue, Record};

use std::fmt;

use value::{Conv, Escape, Value};

/// Which format syntax a formatter uses (`style:` in the config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// `%(name)s`: Python's `PercentStyle` (the default).
    Percent,
    /// `{name}`: `StrFormatStyle` (`str.format`).
    Brace,
    /// `$name`: `StringTemplateStyle` (`string.Template`).
    Dollar,
}

/// What a formatter needs the subscriber to compute for a record, beyond
/// the always-present attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs(u8);

impl Needs {
    /// `%(funcName)s`: the innermost span's name must be looked up.
    pub(crate) const FUNC_NAME: Needs = Needs(1);
    /// `%(thread)d` / `%(threadName)s`.
    pub(crate) const THREAD: Needs = Needs(2);
    /// `%(process)d`: the process id (a system call) must be read.
    pub(crate) const PROCESS: Needs = Needs(4);
    /// `%(asctime)s`, `%(created)f`, `%(msecs)d`, `%(relativeCreated)d`:
    /// the clock must be read.
    pub(crate) const TIME: Needs = Needs(8);
    /// `%(spans)s`: the span chain must be rendered.
    pub(crate) const SPANS: Needs = Needs(16);
    /// A field by name (`%(request_id)s`): the fields of the current spans
    /// must be collected, as the event's own may not have it.
    pub(crate) const SPAN_FIELDS: Needs = Needs(32);
    /// The message with the event's other fields appended as ` key=value`
    /// (what `%(message)s` prints): every text formatter, and anything an
    /// application registers (`LogRecord::message`). The JSON formatters
    /// print the bare message and the fields by name, so a record that
    /// reaches only them skips rendering that text.
    pub(crate) const FIELD_TEXT: Needs = Needs(64);

    /// Nothing extra.
    pub(crate) const NONE: Needs = Needs(0);

    /// Both sets.
    pub(crate) const fn union(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }

    /// Any flag of `other` is set in `self`.
    pub(crate) const fn intersects(self, other: Needs) -> bool {
        self.0 & other.0 != 0
    }

    /// Every flag of `other` is set in `self`.
    pub(crate) const fn contains(self, other: Needs) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A format string that cannot be used, found when the config is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FormatError {
    /// Lowercase, no trailing period: ``unknown attribute `levelnme` ``.
    pub(crate) message: String,
    /// Byte offset in the format string where the problem starts, if known.
    pub(crate) offset: Option<usize>,
    /// A suggestion (``did you mean `levelname`?``), if there is one.
    pub(crate) help: Option<String>,
}

impl FormatError {
    /// A problem at byte `offset` of the format string.
    pub(crate) fn at(message: String, offset: usize, help: Option<&str>) -> FormatError {
        FormatError {
            message,
            offset: Some(offset),
            help: help.map(str::to_owned),
        }
    }

    /// Python's validation failure: a format without any field.
    pub(crate) fn no_fields(example: &str) -> FormatError {
        FormatError {
            message: "invalid format: no fields".into(),
            offset: None,
            help: Some(format!("name at least one attribute, as in `{example}`")),
        }
    }
}

/// The index of the `close` byte that matches the `open` byte just before
/// `start` (nesting counted), or `None` if the text ends first.
pub(crate) fn matching(bytes: &[u8], start: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 1usize;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if b == open {
            depth += 1;
        } else if b == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

/// A formatter's config entry, checked for types but not yet compiled.
#[derive(Clone, Debug)]
pub(crate) struct FormatterOptions<'a> {
    /// `format:`; `None` is the style's `%(message)s` equivalent.
    pub(crate) format: Option<&'a str>,
    /// `datefmt:`; `None` is `%Y-%m-%d %H:%M:%S` followed by `,mmm`.
    pub(crate) datefmt: Option<&'a str>,
    /// `style:`.
    pub(crate) style: Style,
    /// `validate:` (default true).
    pub(crate) validate: bool,
    /// `defaults:`: values for names the record does not have.
    pub(crate) defaults: Vec<(String, OwnedValue)>,
    /// logconf's `escape_control:` (default true): control characters in
    /// the message and field values are written as `\x1b`-style escapes.
    pub(crate) escape_control: bool,
    /// logconf's `escape_newlines:` (default false): newlines in the message
    /// and field values are written as `\n`, so one record is one line.
    pub(crate) escape_newlines: bool,
}

/// A `LogRecord` attribute a format can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attr {
    Name,
    Levelno,
    Levelname,
    Message,
    Asctime,
    Msecs,
    Created,
    RelativeCreated,
    Pathname,
    Filename,
    Module,
    Lineno,
    FuncName,
    Thread,
    ThreadName,
    Process,
    ProcessName,
    TaskName,
    Spans,
}

/// Every attribute, by the name formats use.
const ATTRS: [(&str, Attr); 19] = [
    ("name", Attr::Name),
    ("levelno", Attr::Levelno),
    ("levelname", Attr::Levelname),
    ("message", Attr::Message),
    ("asctime", Attr::Asctime),
    ("msecs", Attr::Msecs),
    ("created", Attr::Created),
    ("relativeCreated", Attr::RelativeCreated),
    ("pathname", Attr::Pathname),
    ("filename", Attr::Filename),
    ("module", Attr::Module),
    ("lineno", Attr::Lineno),
    ("funcName", Attr::FuncName),
    ("thread", Attr::Thread),
    ("threadName", Attr::ThreadName),
    ("process", Attr::Process),
    ("processName", Attr::ProcessName),
    ("taskName", Attr::TaskName),
    ("spans", Attr::Spans),
];

/// The Python type of a value, when known at load time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `str`.
    Str,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `None`.
    None,
    /// Not known until a record arrives (event fields).
    Any,
}

impl Attr {
    fn kind(self) -> Kind {
        match self {
            Attr::Levelno | Attr::Lineno | Attr::Thread | Attr::Process => Kind::Int,
            Attr::Msecs | Attr::Created | Attr::RelativeCreated => Kind::Float,
            Attr::TaskName => Kind::None,
            _ => Kind::Str,
        }
    }
}

/// Where a field's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// A record attribute.
    Attr(Attr),
    /// An event field, else the default at this index of `Formatter::named`.
    Named(usize),
}

/// How a field's value is turned into text.
#[derive(Clone, Debug, PartialEq)]
enum Spec {
    /// `$name`: `str()`.
    Plain,
    /// `%(name)...`.
    Percent(percent::Spec),
    /// `{name...}`.
    Brace(brace::Spec),
}

/// One compiled piece of a format.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    /// `Formatter::text[start..end]`.
    Lit(usize, usize),
    /// A one-byte literal (a separator): pushed, not copied.
    Byte(u8),
    /// `%(name)s`, `%(levelname)s` or `%(message)s` without flags (the
    /// usual format): written straight from the record.
    Plain(Attr),
    /// An attribute or field, rendered with its conversion spec.
    Field(Source, Spec),
}

/// Collects pieces while a format string is parsed.
#[derive(Debug)]
struct Builder<'o> {
    text: String,
    pieces: Vec<Piece>,
    defaults: &'o [(String, OwnedValue)],
    named: Vec<(String, OwnedValue)>,
    needs: Needs,
    uses_time: bool,
    fields: usize,
}

impl<'o> Builder<'o> {
    fn new(defaults: &'o [(String, OwnedValue)]) -> Self {
        Builder {
            text: String::new(),
            pieces: Vec::new(),
            defaults,
            named: Vec::new(),
            needs: Needs::NONE,
            uses_time: false,
            fields: 0,
        }
    }

    /// Appends literal text.
    fn lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(s);
        let end = self.text.len();
        if let Some(Piece::Lit(_, e)) = self.pieces.last_mut()
            && *e == start
        {
            *e = end;
            return;
        }
        self.pieces.push(Piece::Lit(start, end));
    }

    /// Finds what `name` refers to; `offset` is where the field starts.
    fn resolve(&mut self, name: &str, offset: usize) -> Result<(Source, Kind), FormatError> {
        if let Some(&(_, attr)) = ATTRS.iter().find(|(n, _)| *n == name) {
            match attr {
                Attr::FuncName => self.needs = self.needs.union(Needs::FUNC_NAME),
                Attr::Thread | Attr::ThreadName => self.needs = self.needs.union(Needs::THREAD),
                Attr::Asctime => {
                    self.uses_time = true;
                    self.needs = self.needs.union(Needs::TIME);
                }
                Attr::Msecs | Attr::Created | Attr::RelativeCreated => {
                    self.needs = self.needs.union(Needs::TIME);
                }
                Attr::Process => self.needs = self.needs.union(Needs::PROCESS),
                Attr::Spans => self.needs = self.needs.union(Needs::SPANS),
                _ => {}
            }
            return Ok((Source::Attr(attr), attr.kind()));
        }
        if let Some(i) = self.named.iter().position(|(n, _)| n == name) {
            return Ok((Source::Named(i), Kind::Any));
        }
        if let Some((n, v)) = self.defaults.iter().rev().find(|(n, _)| n == name) {
            // The value may come from a span the event is in.
            self.needs = self.needs.union(Needs::SPAN_FIELDS);
            self.named.push((n.clone(), v.clone()));
            return Ok((Source::Named(self.named.len() - 1), Kind::Any));
        }
        let help = match suggest(name, self.defaults) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "`{name}` is not a record attribute; to print an event field of that name, \
                 give it a value under the formatter's `defaults`"
            ),
        };
        Err(FormatError {
            message: format!("unknown attribute `{name}`"),
            offset: Some(offset),
            help: Some(help),
        })
    }

    /// Appends a field.
    fn field(&mut self, source: Source, spec: Spec) {
        self.fields += 1;
        self.pieces.push(Piece::Field(source, spec));
    }
}

/// The closest attribute or default name to `name`, if close enough.
fn suggest<'a>(name: &str, defaults: &'a [(String, OwnedValue)]) -> Option<&'a str> {
    crate::suggest::closest(
        name,
        ATTRS
            .iter()
            .map(|(n, _)| *n)
            .chain(defaults.iter().map(|(n, _)| n.as_str())),
    )
}

/// What rendering needs besides the value: escaping and the clock.
#[derive(Clone, Copy, Debug)]
struct Ctx<'c> {
    esc: Escape,
    clock: Option<&'c time::Clock>,
    created_ns: i128,
}

impl Ctx<'_> {
    /// Writes `v` as `str()`/`repr()`/`ascii()` would.
    fn write(&self, out: &mut Vec<u8>, v: Value<'_>, conv: Conv) {
        match v {
            Value::Asctime => {
                let quoted = conv != Conv::Str;
                if quoted {
                    out.push(b'\'');
                }
                if let Some(clock) = self.clock {
                    clock.write(out, self.created_ns);
                }
                if quoted {
                    out.push(b'\'');
                }
            }
            v => value::write_plain(out, v, conv, self.esc),
        }
    }
}

/// A compiled formatter: Python's `logging.Formatter`.
#[derive(Debug)]
pub(crate) struct Formatter {
    /// Literal text of every [`Piece::Lit`].
    text: String,
    pieces: Vec<Piece>,
    /// Names that are not attributes, with their defaults.
    named: Vec<(String, OwnedValue)>,
    needs: Needs,
    escape: Escape,
    /// Present when the format uses `asctime`.
    clock: Option<time::Clock>,
}

impl Formatter {
    /// Compiles a formatter from its config entry.
    pub(crate) fn new(options: FormatterOptions<'_>) -> Result<Formatter, FormatError> {
        let format = options.format.filter(|f| !f.is_empty());
        let mut b = Builder::new(&options.defaults);
        match options.style {
            Style::Percent => {
                percent::compile(format.unwrap_or("%(message)s"), &mut b, options.validate)?
            }
            Style::Brace => {
                brace::compile(format.unwrap_or("{message}"), &mut b, options.validate)?
            }
            Style::Dollar => {
                dollar::compile(format.unwrap_or("${message}"), &mut b, options.validate)?
            }
        }
        let clock = if b.uses_time {
            Some(time::Clock::new(
                options.datefmt,
                jiff::tz::TimeZone::system(),
            )?)
        } else {
            None
        };
        let text = b.text;
        let pieces = b
            .pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Lit(a, e) if e == a + 1 => match text.as_bytes().get(a) {
                    Some(&byte) => Piece::Byte(byte),
                    None => piece,
                },
                Piece::Field(
                    Source::Attr(attr @ (Attr::Name | Attr::Levelname | Attr::Message)),
                    Spec::Plain,
                ) => Piece::Plain(attr),
                piece => piece,
            })
            .collect();
        Ok(Formatter {
            text,
            pieces,
            named: b.named,
            needs: b.needs,
            escape: Escape {
                control: options.escape_control,
                newlines: options.escape_newlines,
            },
            clock,
        })
    }

    /// Python's default formatter: `%(message)s`.
    pub(crate) fn default_formatter() -> Formatter {
        Formatter {
            text: String::new(),
            pieces: vec![Piece::Field(Source::Attr(Attr::Message), Spec::Plain)],
            named: Vec::new(),
            needs: Needs::NONE,
            escape: Escape {
                control: true,
                newlines: false,
            },
            clock: None,
        }
    }

    /// Replaces the time zone `asctime` is shown in (the system's by
    /// default).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn set_time_zone(&mut self, tz: jiff::tz::TimeZone) {
        if let Some(clock) = &mut self.clock {
            clock.set_time_zone(tz);
        }
    }

    /// Appends the formatted record (no line terminator) to `out`.
    pub(crate) fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        let ctx = Ctx {
            esc: self.escape,
            clock: self.clock.as_ref(),
            created_ns: record.created_ns,
        };
        for piece in &self.pieces {
            match piece {
                Piece::Byte(byte) => out.push(*byte),
                Piece::Lit(a, b) => {
                    if let Some(s) = self.text.get(*a..*b) {
                        out.extend_from_slice(s.as_bytes());
                    }
                }
                Piece::Plain(Attr::Name) => out.extend_from_slice(record.name.as_bytes()),
                Piece::Plain(Attr::Levelname) => value::write_level_name(out, record.level),
                Piece::Plain(Attr::Message) if !self.hides_fields(record) => {
                    value::write_escaped(out, record.message, self.escape);
                }
                Piece::Plain(attr) => {
                    self.field(out, Source::Attr(*attr), &Spec::Plain, record, &ctx)
                }
                Piece::Field(source, spec) => self.field(out, *source, spec, record, &ctx),
            }
        }
    }

    /// Writes one field by its spec.
    fn field(
        &self,
        out: &mut Vec<u8>,
        source: Source,
        spec: &Spec,
        record: &Record<'_>,
        ctx: &Ctx<'_>,
    ) {
        match source {
            Source::Attr(Attr::Message) if self.hides_fields(record) => {
                with_message_buffer(|message| {
                    record.fields.message_without(
                        record.message,
                        |name| self.named.iter().any(|(n, _)| n == name),
                        message,
                    );
                    render(out, Value::Text(message), spec, ctx);
                });
            }
            source => render(out, self.value(source, record), spec, ctx),
        }
    }

    /// Whether the record's message carries a ` key=value` for a field
    /// this format prints by name (then `%(message)s` leaves it out). A
    /// format that names no field never pays for the question.
    fn hides_fields(&self, record: &Record<'_>) -> bool {
        !self.named.is_empty()
            && record
                .fields
                .message_names_any(|name| self.named.iter().any(|(n, _)| n == name))
    }

    /// The value of one field for `record`.
    fn value<'x>(&'x self, source: Source, record: &Record<'x>) -> Value<'x> {
        match source {
            Source::Attr(attr) => attr_value(attr, record),
            Source::Named(i) => {
                let Some((name, default)) = self.named.get(i) else {
                    return Value::None;
                };
                // The event's own field, then the innermost span's, then
                // the formatter's default.
                match record
                    .fields
                    .get(name)
                    .or_else(|| record.span_fields.get(name))
                {
                    Some(v) => field_value(v),
                    None => field_value(default.as_field()),
                }
            }
        }
    }

    /// What this formatter needs computed.
    pub(crate) fn needs(&self) -> Needs {
        self.needs.union(Needs::FIELD_TEXT)
    }
}

/// Writes one value by its spec.
fn render(out: &mut Vec<u8>, v: Value<'_>, spec: &Spec, ctx: &Ctx<'_>) {
    match spec {
        Spec::Plain => ctx.write(out, v, Conv::Str),
        Spec::Percent(spec) => percent::render(out, v, spec, ctx),
        Spec::Brace(spec) => brace::render(out, v, spec, ctx),
    }
}

thread_local! {
    /// The message without the fields a format names, reused per thread.
    static MESSAGE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f` with this thread's (emptied) message buffer, or a fresh one
/// when it is in use or gone.
fn with_message_buffer(f: impl FnOnce(&mut String)) {
    let mut f = Some(f);
    let _ = MESSAGE.try_with(|cell| {
        if let Ok(mut buf) = cell.try_borrow_mut()
            && let Some(f) = f.take()
        {
            buf.clear();
            f(&mut buf);
        }
    });
    if let Some(f) = f.take() {
        f(&mut String::new());
    }
}

/// An event field's value as a format value.
fn field_value(v: FieldValue<'_>) -> Value<'_> {
    match v {
        FieldValue::Str(s) => Value::Text(s),
        FieldValue::Raw(s) => Value::Str(s),
        FieldValue::I64(i) => Value::Int(i128::from(i)),
        FieldValue::U64(u) => Value::Int(i128::from(u)),
        FieldValue::F64(f) => Value::Float(f),
        FieldValue::Bool(b) => Value::Bool(b),
    }
}

/// `filename`: the path after its last separator.
fn basename(path: &str) -> &str {
    match path.rfind(['/', '\\']) {
        Some(i) => path.get(i + 1..).unwrap_or(""),
        None => path,
    }
}

/// `module`: the module path's last segment, else the file stem.
fn module_name<'a>(module_path: &'a str, pathname: &'a str) -> &'a str {
    if !module_path.is_empty() {
        return match module_path.rfind("::") {
            Some(i) => module_path.get(i + 2..).unwrap_or(""),
            None => module_path,
        };
    }
    let file = basename(pathname);
    // os.path.splitext: a leading run of dots is not an extension.
    let lead = file.len() - file.trim_start_matches('.').len();
    match file.rfind('.') {
        Some(i) if i > lead => file.get(..i).unwrap_or(file),
        _ => file,
    }
}

/// The value of an attribute for `record`.
/// `msecs`, `created` and `relativeCreated`. Out of line: inlined, the
/// 128-bit arithmetic was hoisted and paid by every record, whatever it
/// printed.
#[inline(never)]
#[allow(clippy::cast_precision_loss)]
fn time_value(attr: Attr, r: &Record<'_>) -> Value<'static> {
    match attr {
        Attr::Msecs => Value::Float((r.created_ns.rem_euclid(1_000_000_000) / 1_000_000) as f64),
        Attr::Created => Value::Float(r.created_ns as f64 / 1e9),
        _ => Value::Float(r.relative_ns as f64 / 1e6),
    }
}

fn attr_value<'x>(attr: Attr, r: &Record<'x>) -> Value<'x> {
    match attr {
        Attr::Name => Value::Str(r.name),
        Attr::Levelno => Value::Int(i128::from(r.level.number())),
        Attr::Levelname => Value::LevelName(r.level),
        Attr::Message => Value::Text(r.message),
        Attr::Asctime => Value::Asctime,
        Attr::Msecs | Attr::Created | Attr::RelativeCreated => time_value(attr, r),
        Attr::Pathname => Value::Str(r.pathname),
        Attr::Filename => Value::Str(basename(r.pathname)),
        Attr::Module => Value::Str(module_name(r.module_path, r.pathname)),
        Attr::Lineno => Value::Int(i128::from(r.lineno)),
        Attr::FuncName => Value::Str(r.func_name),
        Attr::Thread => Value::Int(i128::from(r.thread_id)),
        Attr::ThreadName => Value::Str(r.thread_name),
        Attr::Process => Value::Int(i128::from(r.process_id)),
        Attr::ProcessName => Value::Str(r.process_name),
        Attr::TaskName => Value::None,
        Attr::Spans => Value::Str(r.spans),
    }
}
