//! python-json-logger's `JsonFormatter` (4.2.0), byte for byte.
//!
//! Python builds a `dict` in this order and serialises it with
//! `json.dumps`: `defaults`, the fields `fmt` names, `static_fields`, the
//! record's `__dict__` minus reserved names (record attributes, then the
//! `extra` fields, then `message`), then `timestamp`. A key assigned twice
//! keeps its first place and takes the last value. Here the record
//! attributes, `defaults`, `fmt` fields and `static_fields` are merged once
//! at load time; per record only the event fields are compared with them.

use super::write::{self, Dialect, Floats, write_str};
use super::{JsonError, StaticValue};
use crate::format::time::Clock;
use crate::format::value::write_level_name;
use crate::format::{FieldValue, Needs, Record, basename, module_name};

/// Options python-json-logger takes as Python callables or that break
/// one-object-per-line output: the model should reject them with the
/// reason given.
pub(crate) const PYTHON_JSON_UNSUPPORTED: &[(&str, &str)] = &[
    (
        "json_indent",
        "indented JSON spans several lines; JSON lines need one object per line",
    ),
    ("json_default", "a Python callable cannot run in Rust"),
    ("json_encoder", "a Python class cannot run in Rust"),
    ("json_serializer", "a Python callable cannot run in Rust"),
];

/// How `fmt` names its fields (`style:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum PyStyle {
    /// `%(name)s` (the default).
    #[default]
    Percent,
    /// `{name}`.
    Brace,
    /// `$name` / `${name}`.
    Dollar,
    /// `name, name`: python-json-logger's own comma-separated list.
    Comma,
}

/// `fmt:` as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PyFmt<'a> {
    /// A format string in `style`.
    Text(&'a str),
    /// A YAML list of field names (`style` is ignored).
    List(Vec<String>),
}

/// `timestamp:`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) enum PyTimestamp {
    /// `false` (the default): no timestamp member.
    #[default]
    Off,
    /// `true`: the member `timestamp`.
    On,
    /// A string: the member of that name.
    Key(String),
}

/// The options of `pythonjsonlogger.json.JsonFormatter`, by keyword.
///
/// | field | default |
/// |---|---|
/// | `fmt` | `None`: the style's `%(message)s` (no field with `Comma`) |
/// | `datefmt` | `None` |
/// | `style` | `Percent` |
/// | `validate` | `true` |
/// | `prefix` | `""` |
/// | `rename_fields` | empty |
/// | `rename_fields_keep_missing` | `false` |
/// | `static_fields` | empty |
/// | `reserved_attrs` | `None`: python-json-logger's `RESERVED_ATTRS` |
/// | `timestamp` | `Off` |
/// | `defaults` | empty |
/// | `json_ensure_ascii` | `true` |
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PythonJsonOptions<'a> {
    /// `fmt:` (or `format:`).
    pub(crate) fmt: Option<PyFmt<'a>>,
    /// `datefmt:`.
    pub(crate) datefmt: Option<&'a str>,
    /// `style:`.
    pub(crate) style: PyStyle,
    /// `validate:`.
    pub(crate) validate: bool,
    /// `prefix:`.
    pub(crate) prefix: String,
    /// `rename_fields:`, in the config's order.
    pub(crate) rename_fields: Vec<(String, String)>,
    /// `rename_fields_keep_missing:`.
    pub(crate) rename_fields_keep_missing: bool,
    /// `static_fields:`.
    pub(crate) static_fields: Vec<(String, StaticValue)>,
    /// `reserved_attrs:`.
    pub(crate) reserved_attrs: Option<Vec<String>>,
    /// `timestamp:`.
    pub(crate) timestamp: PyTimestamp,
    /// `defaults:`.
    pub(crate) defaults: Vec<(String, StaticValue)>,
    /// `json_ensure_ascii:`.
    pub(crate) json_ensure_ascii: bool,
}

impl Default for PythonJsonOptions<'_> {
    fn default() -> Self {
        PythonJsonOptions {
            fmt: None,
            datefmt: None,
            style: PyStyle::Percent,
            validate: true,
            prefix: String::new(),
            rename_fields: Vec::new(),
            rename_fields_keep_missing: false,
            static_fields: Vec::new(),
            reserved_attrs: None,
            timestamp: PyTimestamp::Off,
            defaults: Vec::new(),
            json_ensure_ascii: true,
        }
    }
}

/// python-json-logger's `RESERVED_ATTRS` on Python 3.12 and later.
const RESERVED_ATTRS: [&str; 23] = [
    "args",
    "asctime",
    "created",
    "exc_info",
    "exc_text",
    "filename",
    "funcName",
    "levelname",
    "levelno",
    "lineno",
    "module",
    "msecs",
    "message",
    "msg",
    "name",
    "pathname",
    "process",
    "processName",
    "relativeCreated",
    "stack_info",
    "taskName",
    "thread",
    "threadName",
];

/// A `LogRecord` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attr {
    Name,
    Msg,
    Args,
    Levelname,
    Levelno,
    Pathname,
    Filename,
    Module,
    ExcInfo,
    ExcText,
    StackInfo,
    Lineno,
    FuncName,
    Created,
    Msecs,
    RelativeCreated,
    Thread,
    ThreadName,
    ProcessName,
    Process,
    TaskName,
    Message,
    Asctime,
}

/// The attributes `LogRecord.__init__` sets, in `__dict__` order.
const INIT_ATTRS: [(&str, Attr); 21] = [
    ("name", Attr::Name),
    ("msg", Attr::Msg),
    ("args", Attr::Args),
    ("levelname", Attr::Levelname),
    ("levelno", Attr::Levelno),
    ("pathname", Attr::Pathname),
    ("filename", Attr::Filename),
    ("module", Attr::Module),
    ("exc_info", Attr::ExcInfo),
    ("exc_text", Attr::ExcText),
    ("stack_info", Attr::StackInfo),
    ("lineno", Attr::Lineno),
    ("funcName", Attr::FuncName),
    ("created", Attr::Created),
    ("msecs", Attr::Msecs),
    ("relativeCreated", Attr::RelativeCreated),
    ("thread", Attr::Thread),
    ("threadName", Attr::ThreadName),
    ("processName", Attr::ProcessName),
    ("process", Attr::Process),
    ("taskName", Attr::TaskName),
];

impl Attr {
    fn needs(self) -> Needs {
        match self {
            Attr::Created | Attr::Msecs | Attr::RelativeCreated | Attr::Asctime => Needs::TIME,
            Attr::Thread | Attr::ThreadName => Needs::THREAD,
            Attr::Process => Needs::PROCESS,
            Attr::FuncName => Needs::FUNC_NAME,
            _ => Needs::NONE,
        }
    }
}

/// Where a member's value comes from.
#[derive(Clone, Debug, PartialEq)]
enum Src {
    /// A record attribute.
    Attr(Attr),
    /// A `fmt` name that is not an attribute: the event field, else `null`.
    Lookup(String),
    /// A constant, already written as JSON.
    Raw(Vec<u8>),
    /// `timestamp`.
    Timestamp,
}

/// A member placed before the event fields.
#[derive(Debug)]
struct Pre {
    key: String,
    /// The last value assigned before the event fields.
    src: Src,
    /// The index in `Python::post` of a later assignment, which wins.
    post: Option<usize>,
}

/// The compiled formatter.
#[derive(Debug)]
pub(super) struct Python {
    prefix: String,
    dialect: Dialect,
    /// `defaults`, `fmt` fields, `static_fields` and record attributes,
    /// one per key, in first-assignment order.
    pre: Vec<Pre>,
    /// `message` (as an extra) and `timestamp`, one per key, last value.
    post: Vec<(String, Src)>,
    /// Indices in `post` of keys not in `pre`.
    post_only: Vec<usize>,
    /// Names never written as event-field extras.
    skip: Vec<String>,
    rename: Vec<(String, String)>,
    /// `rename_fields_keep_missing` targets that no constant member has.
    keep_missing: Vec<String>,
    clock: Option<Clock>,
    needs: Needs,
}

/// The names `fmt` mentions, found as python-json-logger's `parse` does.
fn required_fields(fmt: Option<&PyFmt<'_>>, style: PyStyle) -> Vec<String> {
    let text = match fmt {
        Some(PyFmt::List(names)) => return names.clone(),
        Some(PyFmt::Text(t)) if !t.is_empty() || style == PyStyle::Comma => *t,
        _ => match style {
            PyStyle::Percent => "%(message)s",
            PyStyle::Brace => "{message}",
            PyStyle::Dollar => "${message}",
            PyStyle::Comma => return Vec::new(),
        },
    };
    match style {
        PyStyle::Comma => text
            .split(',')
            .map(|f| f.trim_matches(PY_WHITESPACE))
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        PyStyle::Percent => lazy_groups(text, "%(", ')'),
        PyStyle::Brace => lazy_groups(text, "{", '}'),
        PyStyle::Dollar => dollar_names(text),
    }
}

/// Characters `str.strip()` removes (ASCII and the common Unicode spaces).
const PY_WHITESPACE: &[char] = &[
    ' ', '\t', '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x1f', '\u{85}', '\u{a0}',
    '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}',
    '\u{2007}', '\u{2008}', '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}',
    '\u{3000}',
];

/// `re.findall(open + "(.+?)" + close)`: `.` matches anything but `\n`.
fn lazy_groups(text: &str, open: &str, close: char) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        let after = rest.get(i + open.len()..).unwrap_or("");
        match lazy_group(after, close) {
            Some((name, used)) => {
                names.push(name.to_owned());
                rest = after.get(used..).unwrap_or("");
            }
            None => {
                // No match here: the search resumes one character later.
                let skip = rest
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8);
                rest = rest.get(i + skip..).unwrap_or("");
            }
        }
    }
    names
}

/// `(.+?)close` at the start of `s`: the group and the bytes consumed.
fn lazy_group(s: &str, close: char) -> Option<(&str, usize)> {
    let mut chars = s.char_indices();
    let (_, first) = chars.next()?;
    if first == '\n' {
        return None;
    }
    for (i, c) in chars {
        if c == close {
            return Some((s.get(..i)?, i + c.len_utf8()));
        }
        if c == '\n' {
            return None;
        }
    }
    None
}

/// `\$(?:\$|\{(?P<braced>.+?)\}|(?P<named>[_a-z][_a-z0-9]*))`, ignoring case.
fn dollar_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        let after = rest.get(i + 1..).unwrap_or("");
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            continue;
        }
        if let Some(inner) = after.strip_prefix('{')
            && let Some((name, used)) = lazy_group(inner, '}')
        {
            names.push(name.to_owned());
            rest = inner.get(used..).unwrap_or("");
            continue;
        }
        let ident = |c: char, first: bool| {
            c == '_' || c.is_ascii_alphabetic() || (!first && c.is_ascii_digit())
        };
        let mut end = 0;
        for (j, c) in after.char_indices() {
            if ident(c, j == 0) {
                end = j + 1;
            } else {
                break;
            }
        }
        if end > 0 {
            names.push(after.get(..end).unwrap_or("").to_owned());
        }
        rest = after.get(end..).unwrap_or("");
    }
    names
}

/// Python's `PercentStyle.validate`: `%\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]`
/// must match somewhere.
fn percent_valid(text: &str) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80;
    let digits_or_star = |mut i: usize| -> usize {
        if b.get(i) == Some(&b'*') {
            return i + 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    (0..b.len()).any(|start| {
        if b.get(start..start + 2) != Some(b"%(") {
            return false;
        }
        let mut i = start + 2;
        let name_start = i;
        while b.get(i).copied().is_some_and(word) {
            i += 1;
        }
        if i == name_start || b.get(i) != Some(&b')') {
            return false;
        }
        i += 1;
        while b.get(i).is_some_and(|c| b"#0+ -".contains(c)) {
            i += 1;
        }
        i = digits_or_star(i);
        if b.get(i) == Some(&b'.') {
            let after = digits_or_star(i + 1);
            if after > i + 1 {
                i = after;
            }
        }
        b.get(i)
            .is_some_and(|c| b"diouxefgcrsa%".contains(&c.to_ascii_lowercase()))
    })
}

impl Python {
    /// Compiles the options.
    pub(super) fn new(o: PythonJsonOptions<'_>) -> Result<Python, JsonError> {
        let dialect = Dialect {
            ascii: o.json_ensure_ascii,
            spaced: true,
            floats: Floats::Python,
        };
        let required = required_fields(o.fmt.as_ref(), o.style);
        if o.validate
            && let Some(PyFmt::Text(text)) = &o.fmt
            && !text.is_empty()
        {
            let ok = match o.style {
                PyStyle::Percent => percent_valid(text),
                PyStyle::Comma => true,
                PyStyle::Brace | PyStyle::Dollar => !required.is_empty(),
            };
            if !ok {
                return Err(JsonError::new("fmt", "invalid format: no fields").help(
                    "name at least one field, as in `%(message)s`, or set `validate: false`",
                ));
            }
        }
        let rename = o.rename_fields;
        let renamed = |name: &str| -> String {
            rename
                .iter()
                .find(|(from, _)| from == name)
                .map_or(name, |(_, to)| to.as_str())
                .to_owned()
        };
        let raw = |v: &StaticValue| {
            let mut bytes = Vec::new();
            dialect.value(&mut bytes, v, false);
            Src::Raw(bytes)
        };
        let reserved: Vec<String> = match o.reserved_attrs {
            Some(list) => list,
            None => RESERVED_ATTRS.iter().map(|s| (*s).to_owned()).collect(),
        };
        let mut skip = reserved;
        skip.extend(required.iter().cloned());

        // Every assignment before the event fields, in order.
        let mut before: Vec<(String, Src)> = Vec::new();
        for (k, v) in &o.defaults {
            before.push((renamed(k), raw(v)));
        }
        for name in &required {
            let src = match name.as_str() {
                "message" => Src::Attr(Attr::Message),
                "asctime" => Src::Attr(Attr::Asctime),
                n => match INIT_ATTRS.iter().find(|(a, _)| *a == n) {
                    Some(&(_, attr)) => Src::Attr(attr),
                    None => Src::Lookup(n.to_owned()),
                },
            };
            before.push((renamed(name), src));
        }
        for (k, v) in &o.static_fields {
            before.push((renamed(k), raw(v)));
        }
        for &(name, attr) in &INIT_ATTRS {
            if !skip.iter().any(|s| s == name) {
                before.push((renamed(name), Src::Attr(attr)));
            }
        }
        // After the event fields: `message` as an extra, then `timestamp`.
        let mut after: Vec<(String, Src)> = Vec::new();
        if !skip.iter().any(|s| s == "message") {
            after.push((renamed("message"), Src::Attr(Attr::Message)));
        }
        match &o.timestamp {
            PyTimestamp::Off => {}
            PyTimestamp::On => after.push((renamed("timestamp"), Src::Timestamp)),
            PyTimestamp::Key(k) => after.push((renamed(k), Src::Timestamp)),
        }

        let mut post: Vec<(String, Src)> = Vec::new();
        for (k, src) in after {
            match post.iter_mut().find(|(pk, _)| *pk == k) {
                Some(slot) => slot.1 = src,
                None => post.push((k, src)),
            }
        }
        let mut pre: Vec<Pre> = Vec::new();
        for (k, src) in before {
            match pre.iter_mut().find(|p| p.key == k) {
                Some(slot) => slot.src = src,
                None => {
                    let later = post.iter().position(|(pk, _)| *pk == k);
                    pre.push(Pre {
                        key: k,
                        src,
                        post: later,
                    });
                }
            }
        }
        let post_only = (0..post.len())
            .filter(|&i| {
                post.get(i)
                    .is_some_and(|(k, _)| !pre.iter().any(|p| p.key == *k))
            })
            .collect();
        let mut keep_missing: Vec<String> = Vec::new();
        if o.rename_fields_keep_missing {
            for (_, to) in &rename {
                let constant =
                    pre.iter().any(|p| p.key == *to) || post.iter().any(|(k, _)| k == to);
                if !constant && !keep_missing.contains(to) {
                    keep_missing.push(to.clone());
                }
            }
        }

        let mut needs = Needs::NONE;
        let mut uses_asctime = false;
        let used = pre
            .iter()
            .map(|p| &p.src)
            .chain(post.iter().map(|(_, s)| s));
        for src in used {
            match src {
                Src::Attr(a) => {
                    needs = needs.union(a.needs());
                    uses_asctime |= *a == Attr::Asctime;
                }
                Src::Timestamp => needs = needs.union(Needs::TIME),
                Src::Lookup(_) | Src::Raw(_) => {}
            }
        }
        let clock = if uses_asctime {
            let clock = Clock::new(o.datefmt, jiff::tz::TimeZone::system()).map_err(|e| {
                let err = JsonError::new("datefmt", e.message);
                match e.help {
                    Some(h) => err.help(h),
                    None => err,
                }
            })?;
            Some(clock)
        } else {
            None
        };
        Ok(Python {
            prefix: o.prefix,
            dialect,
            pre,
            post,
            post_only,
            skip,
            rename,
            keep_missing,
            clock,
            needs,
        })
    }

    /// What the formatter needs computed.
    pub(super) fn needs(&self) -> Needs {
        self.needs
    }

    /// Shows `asctime` in `tz`.
    pub(super) fn set_time_zone(&mut self, tz: jiff::tz::TimeZone) {
        if let Some(clock) = &mut self.clock {
            clock.set_time_zone(tz);
        }
    }

    /// The key an event field is written under, or `None` if it is skipped.
    fn event_key<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        if name.starts_with('_') || self.skip.iter().any(|s| s == name) {
            return None;
        }
        Some(
            self.rename
                .iter()
                .find(|(from, _)| from == name)
                .map_or(name, |(_, to)| to.as_str()),
        )
    }

    /// Appends the record as python-json-logger would write it.
    pub(super) fn format(&self, r: &Record<'_>, out: &mut Vec<u8>) {
        const CACHED: usize = 32;
        let fields = r.fields;
        let n = fields.len();
        // Event-field keys, resolved once (the first `CACHED` of them).
        let mut cache: [Option<&str>; CACHED] = [None; CACHED];
        for (i, slot) in cache.iter_mut().enumerate().take(n) {
            *slot = fields.at(i).and_then(|(name, _)| self.event_key(name));
        }
        let key_at = |i: usize| -> Option<&str> {
            match cache.get(i) {
                Some(k) => *k,
                None => fields.at(i).and_then(|(name, _)| self.event_key(name)),
            }
        };
        // The last event field written under `key`, from index `from` on.
        let last_event = |key: &str, from: usize| -> Option<FieldValue<'_>> {
            (from..n)
                .rev()
                .find(|&j| key_at(j) == Some(key))
                .and_then(|j| fields.at(j).map(|(_, v)| v))
        };
        let d = self.dialect;

        out.extend_from_slice(self.prefix.as_bytes());
        out.push(b'{');
        let mut first = true;
        let mut member = |out: &mut Vec<u8>, key: &str| {
            if !first {
                d.comma(out);
            }
            first = false;
            d.key(out, key);
        };
        for p in &self.pre {
            member(out, &p.key);
            match p.post.and_then(|i| self.post.get(i)) {
                Some((_, src)) => self.write_src(out, src, r),
                None => match last_event(&p.key, 0) {
                    Some(v) => d.field(out, v),
                    None => self.write_src(out, &p.src, r),
                },
            }
        }
        for i in 0..n {
            let Some(key) = key_at(i) else { continue };
            if self.pre.iter().any(|p| p.key == key) || (0..i).any(|j| key_at(j) == Some(key)) {
                continue;
            }
            member(out, key);
            match self.post.iter().find(|(k, _)| k == key) {
                Some((_, src)) => self.write_src(out, src, r),
                None => match last_event(key, i) {
                    Some(v) => d.field(out, v),
                    None => out.extend_from_slice(b"null"),
                },
            }
        }
        for (key, src) in self.post_only.iter().filter_map(|&i| self.post.get(i)) {
            if (0..n).any(|j| key_at(j) == Some(key.as_str())) {
                continue;
            }
            member(out, key);
            self.write_src(out, src, r);
        }
        for key in &self.keep_missing {
            if (0..n).any(|j| key_at(j) == Some(key.as_str())) {
                continue;
            }
            member(out, key);
            out.extend_from_slice(b"null");
        }
        out.push(b'}');
    }

    /// Writes one value.
    fn write_src(&self, out: &mut Vec<u8>, src: &Src, r: &Record<'_>) {
        let d = self.dialect;
        match src {
            Src::Raw(bytes) => out.extend_from_slice(bytes),
            Src::Lookup(name) => match r.fields.get(name) {
                Some(v) => d.field(out, v),
                None => out.extend_from_slice(b"null"),
            },
            Src::Timestamp => write::write_python_timestamp(out, r.created_ns),
            Src::Attr(a) => self.write_attr(out, *a, r),
        }
    }

    /// Writes a record attribute as Python's `json` would.
    fn write_attr(&self, out: &mut Vec<u8>, a: Attr, r: &Record<'_>) {
        let d = self.dialect;
        let int = |out: &mut Vec<u8>, v: i64| d.field(out, FieldValue::I64(v));
        match a {
            Attr::Name => write_str(out, r.name, d.ascii),
            Attr::Msg | Attr::Message => write_str(out, r.event_message, d.ascii),
            Attr::Args => out.extend_from_slice(b"[]"),
            Attr::Levelname => {
                // Level names are ASCII letters, digits and spaces.
                out.push(b'"');
                write_level_name(out, r.level);
                out.push(b'"');
            }
            Attr::Levelno => int(out, i64::from(r.level.number())),
            Attr::Pathname => write_str(out, r.pathname, d.ascii),
            Attr::Filename => write_str(out, basename(r.pathname), d.ascii),
            Attr::Module => write_str(out, module_name(r.module_path, r.pathname), d.ascii),
            Attr::ExcInfo | Attr::ExcText | Attr::StackInfo | Attr::TaskName => {
                out.extend_from_slice(b"null");
            }
            Attr::Lineno => int(out, i64::from(r.lineno)),
            Attr::FuncName => write_str(out, r.func_name, d.ascii),
            #[allow(clippy::cast_precision_loss)]
            Attr::Created => d.float(out, r.created_ns as f64 / 1e9),
            Attr::Msecs => {
                let ns = write::python_time_ns(r.created_ns);
                let ms = ns.rem_euclid(1_000_000_000) / 1_000_000;
                #[allow(clippy::cast_precision_loss)]
                d.float(out, ms as f64);
            }
            #[allow(clippy::cast_precision_loss)]
            Attr::RelativeCreated => d.float(out, r.relative_ns as f64 / 1e6),
            Attr::Thread => d.field(out, FieldValue::U64(r.thread_id)),
            Attr::ThreadName => write_str(out, r.thread_name, d.ascii),
            Attr::ProcessName => write_str(out, r.process_name, d.ascii),
            Attr::Process => int(out, i64::from(r.process_id)),
            Attr::Asctime => self.write_asctime(out, r.created_ns),
        }
    }

    /// `asctime` as a JSON string.
    fn write_asctime(&self, out: &mut Vec<u8>, created_ns: i128) {
        out.push(b'"');
        let start = out.len();
        if let Some(clock) = &self.clock {
            clock.write(out, write::python_time_ns(created_ns));
        }
        // A `datefmt` with quotes, backslashes or (with ASCII output)
        // non-ASCII text needs escaping: rare, so done on a copy.
        let ascii = self.dialect.ascii;
        let tail = out.get(start..).unwrap_or_default();
        if tail
            .iter()
            .any(|&b| b < 0x20 || b == b'"' || b == b'\\' || (ascii && b > 0x7e))
        {
            let text = String::from_utf8_lossy(tail).into_owned();
            out.truncate(start - 1);
            write_str(out, &text, ascii);
            return;
        }
        out.push(b'"');
    }
}
