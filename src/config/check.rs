//! Checking the spanned tree against dictConfig's schema (version 1),
//! collecting every problem, and building the [`Model`].

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use super::node::{Node, Pos, Value};
use super::suggest::{closest, did_you_mean, one_of};
use crate::error::Problem;
use crate::format::{Formatter, FormatterOptions, OwnedValue, Style};
use crate::handler::{BufferOptions, FileMode, FileOptions, HandlerKind, StreamTarget};
use crate::level::Level;
use crate::model::{FilterSpec, HandlerSpec, LoggerSpec, Model, NamedFormatter};
use crate::routing::NamePattern;

/// Top-level keys (also the sections whose references are resolved).
pub(super) const TOP_KEYS: &[&str] = &[
    "version",
    "disable_existing_loggers",
    "incremental",
    "formatters",
    "filters",
    "handlers",
    "loggers",
    "root",
    "logconf",
];

/// Keys of `logconf:`.
const LOGCONF_KEYS: &[&str] = &["quiet_dependencies"];

/// Keys of a formatter.
const FORMATTER_KEYS: &[&str] = &[
    "format",
    "datefmt",
    "style",
    "validate",
    "defaults",
    "class",
    "escape_control",
    "escape_newlines",
];

/// Keys of a filter.
const FILTER_KEYS: &[&str] = &["name", "()"];

/// Keys every handler accepts.
const HANDLER_COMMON: &[&str] = &["class", "level", "formatter", "filters"];
/// Extra keys of `logging.StreamHandler`.
const STREAM_KEYS: &[&str] = &["stream"];
/// Extra keys of `logging.FileHandler`.
const FILE_KEYS: &[&str] = &[
    "filename",
    "mode",
    "encoding",
    "delay",
    "errors",
    "permissions",
    "buffer",
];
/// Keys of a file handler's `buffer:` (logconf's own).
const BUFFER_KEYS: &[&str] = &["capacity", "flushLevel", "flushInterval"];
/// Extra keys of `logging.handlers.RotatingFileHandler` (besides [`FILE_KEYS`]).
const ROTATING_KEYS: &[&str] = &["maxBytes", "backupCount"];

/// Keys of a logger.
const LOGGER_KEYS: &[&str] = &["level", "handlers", "filters", "propagate"];

/// The handler classes logconf implements.
const SUPPORTED_CLASSES: &[&str] = &[
    "logging.StreamHandler",
    "logging.FileHandler",
    "logging.handlers.RotatingFileHandler",
    "logging.NullHandler",
];

/// Python's other handler classes: known, not implemented yet.
const UNSUPPORTED_CLASSES: &[&str] = &[
    "logging.handlers.TimedRotatingFileHandler",
    "logging.handlers.WatchedFileHandler",
    "logging.handlers.SysLogHandler",
    "logging.handlers.QueueHandler",
    "logging.handlers.QueueListener",
    "logging.handlers.MemoryHandler",
    "logging.handlers.BufferingHandler",
    "logging.handlers.SMTPHandler",
    "logging.handlers.HTTPHandler",
    "logging.handlers.SocketHandler",
    "logging.handlers.DatagramHandler",
    "logging.handlers.NTEventLogHandler",
    "logging.handlers.BaseRotatingHandler",
    "logging.Handler",
];

/// The streams a `logging.StreamHandler` can write to.
const STREAMS: &[&str] = &["ext://sys.stdout", "ext://sys.stderr"];

/// The largest `maxBytes`.
const MAX_BYTES_LIMIT: u64 = i64::MAX as u64;
/// The largest `backupCount`: each rollover renames every backup.
const BACKUP_COUNT_LIMIT: u64 = 10_000;
/// The default permissions of a created log file.
const DEFAULT_PERMISSIONS: u32 = 0o640;

/// Checks `root` (the whole document) into a model, or returns every
/// problem found, sorted by place. `data_keys` are top-level keys that
/// `cfg://` references read: not unknown keys.
pub(crate) fn check(
    root: &Node,
    source: &str,
    text: &str,
    data_keys: &BTreeSet<String>,
) -> Result<Model, Vec<Problem>> {
    let mut checker = Checker {
        text,
        problems: Vec::new(),
        data_keys,
    };
    let model = checker.top(root, source);
    let mut problems = checker.problems;
    match model {
        Some(model) if problems.is_empty() => Ok(model),
        _ => {
            if problems.is_empty() {
                problems.push(Problem::new(0, 0, "", "the config could not be checked"));
            }
            problems.sort_by_key(|p| (p.line(), p.column()));
            Err(problems)
        }
    }
}

/// One string-keyed entry of a mapping.
#[derive(Clone, Copy)]
struct Entry<'n> {
    /// The key's text.
    key: &'n str,
    /// Where the key is.
    key_pos: Pos,
    /// The value.
    value: &'n Node,
}

/// The names of a section's entries, in order, with an index by name (the
/// first of duplicates wins, as the section's order does).
#[derive(Debug, Default)]
struct Names {
    list: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Names {
    fn of(entries: &[Entry<'_>]) -> Names {
        let list: Vec<String> = entries.iter().map(|e| e.key.to_owned()).collect();
        let mut index = std::collections::HashMap::with_capacity(list.len());
        for (i, name) in list.iter().enumerate() {
            index.entry(name.clone()).or_insert(i);
        }
        Names { list, index }
    }
}

/// Finds `key` among `entries`, treating an explicit `null` as absent.
fn get<'n>(entries: &[Entry<'n>], key: &str) -> Option<Entry<'n>> {
    entries
        .iter()
        .find(|e| e.key == key && e.value.value != Value::Null)
        .copied()
}

/// `parent.name`, quoting names that would read ambiguously.
fn join(parent: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '(' | ')' | '*' | ':'));
    let name = if plain {
        name.to_owned()
    } else {
        format!("{name:?}")
    };
    if parent.is_empty() {
        name
    } else {
        format!("{parent}.{name}")
    }
}

/// `parent[i]`.
fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// A value cut short for a message.
fn show(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// What a logger entry says (before merging `""` into the root).
struct LoggerParts {
    level: Option<Level>,
    handlers: Vec<usize>,
    filters: Vec<usize>,
    propagate: bool,
}

/// Walks the tree, collecting problems.
struct Checker<'t> {
    /// The text, to place problems inside a format string.
    text: &'t str,
    /// Every problem so far.
    problems: Vec<Problem>,
    /// Top-level keys that references read (data, not unknown keys).
    data_keys: &'t BTreeSet<String>,
}

impl Checker<'_> {
    fn report(&mut self, pos: Pos, path: &str, message: String, help: Option<String>) {
        let mut p = Problem::new(pos.line, pos.column, path, message);
        if let Some(help) = help {
            p = p.with_help(help);
        }
        self.problems.push(p);
    }

    /// The string-keyed entries of a mapping; `None` (and a problem) when
    /// `node` is not a mapping. Keys that are not strings are reported.
    fn mapping<'n>(&mut self, node: &'n Node, path: &str) -> Option<Vec<Entry<'n>>> {
        let Value::Map(map) = &node.value else {
            self.report(
                node.pos,
                path,
                format!("expected a mapping, found {}", node.value.kind()),
                None,
            );
            return None;
        };
        let mut out = Vec::with_capacity(map.len());
        for (key, value) in map {
            match &key.value {
                Value::Str(s) => out.push(Entry {
                    key: s,
                    key_pos: key.pos,
                    value,
                }),
                other => self.report(
                    key.pos,
                    path,
                    format!("expected a string key, found {}", other.kind()),
                    None,
                ),
            }
        }
        Some(out)
    }

    /// A section (`handlers:`...): a mapping, or `null` for none.
    fn section<'n>(&mut self, entries: &[Entry<'n>], key: &str) -> Vec<Entry<'n>> {
        match get(entries, key) {
            None => Vec::new(),
            Some(e) => self.mapping(e.value, key).unwrap_or_default(),
        }
    }

    /// Reports every key not in `known`; `what` names the owner for the
    /// message (``for `logging.FileHandler` ``).
    fn unknown_keys(&mut self, entries: &[Entry<'_>], path: &str, known: &[&str], what: &str) {
        for e in entries {
            if known.contains(&e.key) {
                continue;
            }
            let key_path = join(path, e.key);
            match e.key {
                "()" => self.report(
                    e.key_pos,
                    &key_path,
                    "custom factories (`()`) are not supported yet".into(),
                    None,
                ),
                "." => self.report(
                    e.key_pos,
                    &key_path,
                    "setting attributes with `.` is not supported yet".into(),
                    None,
                ),
                key => {
                    let candidates = known.iter().copied().filter(|k| *k != "()");
                    let help = did_you_mean(key, candidates).or_else(|| {
                        let listed: Vec<&str> =
                            known.iter().copied().filter(|k| *k != "()").collect();
                        Some(one_of(&listed))
                    });
                    self.report(
                        e.key_pos,
                        &key_path,
                        format!("unknown key `{}`{what}", show(key)),
                        help,
                    );
                }
            }
        }
    }

    fn string<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n str> {
        match &node.value {
            Value::Str(s) => Some(s),
            other => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a string, found {}", other.kind()),
                    None,
                );
                None
            }
        }
    }

    /// A yes/no value, read by [`super::truthy::truthy`].
    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match super::truthy::truthy(&node.value) {
            Ok(b) => Some(b),
            Err(bad) => {
                self.report(node.pos, path, bad.message, bad.help);
                None
            }
        }
    }

    /// An optional boolean key (`null` is not accepted: Python would read it as false).
    fn opt_bool(&mut self, entries: &[Entry<'_>], key: &str, path: &str, default: bool) -> bool {
        match entries.iter().find(|e| e.key == key) {
            None => default,
            Some(e) => self.boolean(e.value, &join(path, key)).unwrap_or(default),
        }
    }

    /// An optional string key (`null` is absent).
    fn opt_str<'n>(&mut self, entries: &[Entry<'n>], key: &str, path: &str) -> Option<&'n str> {
        let e = get(entries, key)?;
        self.string(e.value, &join(path, key))
    }

    fn level(&mut self, node: &Node, path: &str) -> Option<Level> {
        match &node.value {
            Value::Str(s) => match Level::from_name(s) {
                Some(level) => Some(level),
                None => {
                    let help = did_you_mean(s, Level::NAMES).unwrap_or_else(|| {
                        let names: Vec<String> =
                            Level::NAMES.iter().map(|n| format!("`{n}`")).collect();
                        format!("expected {} or a non-negative integer", names.join(", "))
                    });
                    self.report(
                        node.pos,
                        path,
                        format!("unknown level `{}`", show(s)),
                        Some(help),
                    );
                    None
                }
            },
            Value::Int(n) => match u32::try_from(*n) {
                Ok(n) => Some(Level::from_number(n)),
                Err(_) if *n < 0 => {
                    self.report(
                        node.pos,
                        path,
                        format!("level `{n}` is negative"),
                        Some("levels are non-negative integers or names like `INFO`".into()),
                    );
                    None
                }
                Err(_) => {
                    self.report(
                        node.pos,
                        path,
                        format!("level `{n}` is too large (at most {})", u32::MAX),
                        None,
                    );
                    None
                }
            },
            other => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a level name or number, found {}", other.kind()),
                    None,
                );
                None
            }
        }
    }

    /// A non-negative integer no larger than `max`.
    fn count(&mut self, node: &Node, path: &str, max: u64) -> Option<u64> {
        let message = match &node.value {
            Value::Int(n) if *n < 0 => {
                format!("expected a non-negative integer, found `{n}`")
            }
            Value::Int(n) => match u64::try_from(*n) {
                Ok(v) if v <= max => return Some(v),
                _ => format!("`{n}` is too large (at most {max})"),
            },
            Value::Float(f) if f.fract() == 0.0 && f.abs() >= 9.2e18 => {
                format!("number is too large (at most {max})")
            }
            other => format!("expected a non-negative integer, found {}", other.kind()),
        };
        self.report(node.pos, path, message, None);
        None
    }

    /// A list of references to `what`s (`handler`, `filter`), resolved to
    /// indexes into `names`.
    fn refs(&mut self, node: &Node, path: &str, what: &str, names: &Names) -> Vec<usize> {
        let items = match &node.value {
            Value::Null => return Vec::new(),
            Value::Seq(items) => items,
            Value::Str(s) => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a list of {what} names, found a string"),
                    Some(format!("write `[{}]`", show(s))),
                );
                return Vec::new();
            }
            other => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a list of {what} names, found {}", other.kind()),
                    None,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(found) = self.reference(item, &index(path, i), what, names) {
                out.push(found);
            }
        }
        out
    }

    /// One reference to a `what`, resolved to an index into `names`.
    fn reference(&mut self, node: &Node, path: &str, what: &str, names: &Names) -> Option<usize> {
        let Value::Str(name) = &node.value else {
            self.report(
                node.pos,
                path,
                format!("expected a {what} name, found {}", node.value.kind()),
                None,
            );
            return None;
        };
        if let Some(found) = names.index.get(name.as_str()) {
            return Some(*found);
        }
        let help = if names.list.is_empty() {
            Some(format!("no {what}s are defined under `{what}s:`"))
        } else {
            did_you_mean(name, names.list.iter().map(String::as_str))
        };
        self.report(
            node.pos,
            path,
            format!("unknown {what} `{}`", show(name)),
            help,
        );
        None
    }

    fn top(&mut self, root: &Node, source: &str) -> Option<Model> {
        let entries = match &root.value {
            Value::Map(_) => self.mapping(root, "")?,
            Value::Null => {
                self.report(
                    root.pos,
                    "",
                    "the config is empty".into(),
                    Some("expected a mapping with `version: 1`".into()),
                );
                return None;
            }
            other => {
                self.report(
                    root.pos,
                    "",
                    format!(
                        "expected a mapping at the top of the config, found {}",
                        other.kind()
                    ),
                    None,
                );
                return None;
            }
        };
        let schema: Vec<Entry<'_>> = entries
            .iter()
            .filter(|e| !self.data_keys.contains(e.key))
            .copied()
            .collect();
        self.unknown_keys(&schema, "", TOP_KEYS, "");

        match entries.iter().find(|e| e.key == "version") {
            None => self.report(
                root.pos,
                "",
                "missing required key `version`".into(),
                Some("add `version: 1` (the only dictConfig version)".into()),
            ),
            Some(e) => match &e.value.value {
                Value::Int(1) => {}
                Value::Int(n) => self.report(
                    e.value.pos,
                    "version",
                    format!("unsupported version `{n}`"),
                    Some("the only dictConfig version is 1".into()),
                ),
                other => self.report(
                    e.value.pos,
                    "version",
                    format!("expected the integer 1, found {}", other.kind()),
                    None,
                ),
            },
        }
        // Accepted and ignored: no logger exists before the config is applied.
        self.opt_bool(&entries, "disable_existing_loggers", "", true);
        if let Some(e) = entries.iter().find(|e| e.key == "incremental")
            && self.boolean(e.value, "incremental") == Some(true)
        {
            self.report(
                e.value.pos,
                "incremental",
                "incremental configuration is not supported".into(),
                Some(
                    "logconf builds a whole new config and swaps it in; remove `incremental`"
                        .into(),
                ),
            );
        }

        let mut quiet_dependencies = true;
        if let Some(e) = get(&entries, "logconf")
            && let Some(ext) = self.mapping(e.value, "logconf")
        {
            self.unknown_keys(&ext, "logconf", LOGCONF_KEYS, "");
            quiet_dependencies = self.opt_bool(&ext, "quiet_dependencies", "logconf", true);
        }

        let formatter_entries = self.section(&entries, "formatters");
        let filter_entries = self.section(&entries, "filters");
        let handler_entries = self.section(&entries, "handlers");
        let logger_entries = self.section(&entries, "loggers");

        let formatter_names = Names::of(&formatter_entries);
        let filter_names = Names::of(&filter_entries);
        let handler_names = Names::of(&handler_entries);

        let mut formatters = Vec::new();
        for e in &formatter_entries {
            if let Some(f) = self.formatter(e) {
                formatters.push(f);
            }
        }
        let mut filters = Vec::new();
        for e in &filter_entries {
            if let Some(f) = self.filter(e) {
                filters.push(f);
            }
        }
        let mut handlers = Vec::new();
        for e in &handler_entries {
            if let Some(h) = self.handler(e, &formatter_names, &filter_names) {
                handlers.push(h);
            }
        }

        let mut loggers = Vec::new();
        let mut seen: HashMap<String, (String, Pos)> = HashMap::new();
        let mut empty_logger: Option<LoggerParts> = None;
        for e in &logger_entries {
            let path = join("loggers", e.key);
            let pattern = match NamePattern::parse(e.key) {
                Ok(p) => Some(p),
                Err(message) => {
                    self.report(e.key_pos, &path, message, None);
                    None
                }
            };
            if let Some(pattern) = &pattern {
                let normal = pattern.to_string();
                if let Some((first, at)) = seen.get(&normal) {
                    let message = format!(
                        "logger `{}` is the same logger as `{}` (line {})",
                        show(e.key),
                        show(first),
                        at.line
                    );
                    let help = "`.` and `::` both separate name segments; keep one entry".into();
                    self.report(e.key_pos, &path, message, Some(help));
                } else {
                    seen.insert(normal, (e.key.to_owned(), e.key_pos));
                }
            }
            let parts = self.logger(e.value, &path, &handler_names, &filter_names);
            if let (Some(pattern), Some(parts)) = (pattern, parts) {
                if e.key.is_empty() {
                    empty_logger = Some(parts);
                } else {
                    loggers.push(LoggerSpec {
                        name: e.key.to_owned(),
                        pattern,
                        level: parts.level.unwrap_or(Level::NOTSET),
                        handlers: parts.handlers,
                        filters: parts.filters,
                        propagate: parts.propagate,
                    });
                }
            }
        }

        let root_parts = match get(&entries, "root") {
            None => None,
            Some(e) => Some(self.logger(e.value, "root", &handler_names, &filter_names)?),
        };
        // Python applies `loggers: {"": ...}` to the root first, then `root:`.
        let mut root_spec = LoggerSpec {
            name: String::new(),
            pattern: NamePattern::root(),
            level: Level::WARNING,
            handlers: Vec::new(),
            filters: Vec::new(),
            propagate: true,
        };
        for parts in [empty_logger, root_parts].into_iter().flatten() {
            if let Some(level) = parts.level {
                root_spec.level = level;
            }
            root_spec.handlers = parts.handlers;
            root_spec.filters.extend(parts.filters);
        }

        Some(Model {
            source: source.to_owned(),
            formatters,
            filters,
            handlers,
            loggers,
            root: root_spec,
            quiet_dependencies,
        })
    }

    fn formatter(&mut self, entry: &Entry<'_>) -> Option<NamedFormatter> {
        let path = join("formatters", entry.key);
        let before = self.problems.len();
        let entries = self.mapping(entry.value, &path)?;
        self.unknown_keys(&entries, &path, FORMATTER_KEYS, "");

        if let Some(class) = self.opt_str(&entries, "class", &path)
            && class != "logging.Formatter"
            && let Some(e) = get(&entries, "class")
        {
            let help = did_you_mean(class, ["logging.Formatter"])
                .unwrap_or_else(|| "only `logging.Formatter` is supported".into());
            self.report(
                e.value.pos,
                &join(&path, "class"),
                format!("formatter class `{}` is not supported", show(class)),
                Some(help),
            );
        }
        let format_entry = get(&entries, "format");
        let format = self.opt_str(&entries, "format", &path);
        let datefmt = self.opt_str(&entries, "datefmt", &path);
        let style = match get(&entries, "style") {
            None => Style::Percent,
            Some(e) => match self.string(e.value, &join(&path, "style")) {
                Some("%") => Style::Percent,
                Some("{") => Style::Brace,
                Some("$") => Style::Dollar,
                Some(other) => {
                    self.report(
                        e.value.pos,
                        &join(&path, "style"),
                        format!("unknown style `{}`", show(other)),
                        Some(one_of(&["%", "{", "$"])),
                    );
                    Style::Percent
                }
                None => Style::Percent,
            },
        };
        let validate = self.opt_bool(&entries, "validate", &path, true);
        let escape_control = self.opt_bool(&entries, "escape_control", &path, true);
        let escape_newlines = self.opt_bool(&entries, "escape_newlines", &path, false);
        let mut defaults = Vec::new();
        if let Some(e) = get(&entries, "defaults") {
            let dpath = join(&path, "defaults");
            for d in self.mapping(e.value, &dpath).unwrap_or_default() {
                let value = match &d.value.value {
                    Value::Str(s) => Some(OwnedValue::Str(s.clone())),
                    Value::Bool(b) => Some(OwnedValue::Bool(*b)),
                    Value::Float(f) => Some(OwnedValue::Float(*f)),
                    Value::Int(n) => match i64::try_from(*n) {
                        Ok(n) => Some(OwnedValue::Int(n)),
                        Err(_) => Some(OwnedValue::Float(*n as f64)),
                    },
                    other => {
                        self.report(
                            d.value.pos,
                            &join(&dpath, d.key),
                            format!(
                                "expected a string, number or boolean, found {}",
                                other.kind()
                            ),
                            None,
                        );
                        None
                    }
                };
                if let Some(value) = value {
                    defaults.push((d.key.to_owned(), value));
                }
            }
        }
        if self.problems.len() > before {
            return None;
        }
        let options = FormatterOptions {
            format,
            datefmt,
            style,
            validate,
            defaults,
            escape_control,
            escape_newlines,
        };
        match Formatter::new(options) {
            Ok(formatter) => Some(NamedFormatter {
                name: entry.key.to_owned(),
                formatter: Arc::new(formatter),
            }),
            Err(err) => {
                let (pos, key_path) = match (format_entry, format) {
                    (Some(e), Some(text)) => (
                        self.place_in_string(e.value.pos, text, err.offset),
                        join(&path, "format"),
                    ),
                    _ => (entry.key_pos, path.clone()),
                };
                self.report(pos, &key_path, err.message, err.help);
                None
            }
        }
    }

    /// The place of byte `offset` of `value`, a string written at `pos`:
    /// exact when the text there spells the string out verbatim up to the
    /// offset (plain or quoted, no escapes), else `pos` itself.
    fn place_in_string(&self, pos: Pos, value: &str, offset: Option<usize>) -> Pos {
        let Some(offset) = offset else { return pos };
        let Some(prefix) = value.get(..offset) else {
            return pos;
        };
        if prefix.contains('\n') || pos.line == 0 || pos.column == 0 {
            return pos;
        }
        let Some(line) = usize::try_from(pos.line - 1)
            .ok()
            .and_then(|l| self.text.lines().nth(l))
        else {
            return pos;
        };
        let Some(skip) = usize::try_from(pos.column - 1).ok() else {
            return pos;
        };
        let Some((start, _)) = line.char_indices().nth(skip) else {
            return pos;
        };
        let rest = &line[start..];
        let (quote, body) = match rest.strip_prefix(['"', '\'']) {
            Some(body) => (1, body),
            None => (0, rest),
        };
        if body.starts_with(prefix) {
            Pos {
                line: pos.line,
                column: pos.column + quote + prefix.chars().count() as u64,
            }
        } else {
            pos
        }
    }

    fn filter(&mut self, entry: &Entry<'_>) -> Option<FilterSpec> {
        let path = join("filters", entry.key);
        let before = self.problems.len();
        let entries = self.mapping(entry.value, &path)?;
        self.unknown_keys(&entries, &path, FILTER_KEYS, "");
        if let Some(factory) = self.opt_str(&entries, "()", &path)
            && factory != "logging.Filter"
            && let Some(e) = get(&entries, "()")
        {
            self.report(
                e.value.pos,
                &join(&path, "()"),
                format!(
                    "custom filter factories (`{}`) are not supported yet",
                    show(factory)
                ),
                Some("only `logging.Filter` is supported".into()),
            );
        }
        let logger = self.opt_str(&entries, "name", &path).unwrap_or("");
        if self.problems.len() > before {
            return None;
        }
        Some(FilterSpec {
            name: entry.key.to_owned(),
            logger: logger.to_owned(),
        })
    }

    fn handler(
        &mut self,
        entry: &Entry<'_>,
        formatter_names: &Names,
        filter_names: &Names,
    ) -> Option<HandlerSpec> {
        let path = join("handlers", entry.key);
        let before = self.problems.len();
        let entries = self.mapping(entry.value, &path)?;

        /// The handler's class, once checked.
        #[derive(Clone, Copy, PartialEq, Eq)]
        enum Class {
            Stream,
            File,
            Rotating,
            Null,
        }
        let class = match get(&entries, "class") {
            // `()` without `class` is reported as an unsupported factory.
            None if entries.iter().any(|e| e.key == "()") => None,
            None => {
                self.report(
                    entry.key_pos,
                    &path,
                    "missing required key `class`".into(),
                    Some(format!("e.g. `class: {}`", SUPPORTED_CLASSES[0])),
                );
                None
            }
            Some(e) => match self.string(e.value, &join(&path, "class")) {
                None => None,
                Some("logging.StreamHandler") => Some(Class::Stream),
                Some("logging.FileHandler") => Some(Class::File),
                Some("logging.handlers.RotatingFileHandler") => Some(Class::Rotating),
                Some("logging.NullHandler") => Some(Class::Null),
                Some(other) => {
                    self.unknown_class(e.value.pos, &join(&path, "class"), other);
                    None
                }
            },
        };

        let mut known: Vec<&str> = HANDLER_COMMON.to_vec();
        let what = match class {
            Some(Class::Stream) => {
                known.extend(STREAM_KEYS);
                " for `logging.StreamHandler`"
            }
            Some(Class::File) => {
                known.extend(FILE_KEYS);
                " for `logging.FileHandler`"
            }
            Some(Class::Rotating) => {
                known.extend(FILE_KEYS);
                known.extend(ROTATING_KEYS);
                " for `logging.handlers.RotatingFileHandler`"
            }
            Some(Class::Null) => " for `logging.NullHandler`",
            None => "",
        };
        if class.is_some() {
            self.unknown_keys(&entries, &path, &known, what);
        } else {
            // The class is wrong: which keys belong is unknown, so only
            // the keys no class accepts are reported.
            let special: Vec<Entry<'_>> = entries
                .iter()
                .filter(|e| matches!(e.key, "()" | "."))
                .copied()
                .collect();
            self.unknown_keys(&special, &path, &[], "");
        }

        let level = match get(&entries, "level") {
            None => Some(Level::NOTSET),
            Some(e) => self.level(e.value, &join(&path, "level")),
        };
        let formatter = match get(&entries, "formatter") {
            None => None,
            Some(e) => self.reference(
                e.value,
                &join(&path, "formatter"),
                "formatter",
                formatter_names,
            ),
        };
        let filters = match get(&entries, "filters") {
            None => Vec::new(),
            Some(e) => self.refs(e.value, &join(&path, "filters"), "filter", filter_names),
        };

        let kind = match class? {
            Class::Null => HandlerKind::Null,
            Class::Stream => {
                let target = match get(&entries, "stream") {
                    None => StreamTarget::Stderr,
                    Some(e) => match self.string(e.value, &join(&path, "stream")) {
                        Some("ext://sys.stdout") => StreamTarget::Stdout,
                        Some("ext://sys.stderr") => StreamTarget::Stderr,
                        Some(other) => {
                            let help = did_you_mean(other, STREAMS.iter().copied())
                                .unwrap_or_else(|| one_of(STREAMS));
                            self.report(
                                e.value.pos,
                                &join(&path, "stream"),
                                format!("unsupported stream `{}`", show(other)),
                                Some(help),
                            );
                            StreamTarget::Stderr
                        }
                        None => StreamTarget::Stderr,
                    },
                };
                HandlerKind::Stream(target)
            }
            Class::File | Class::Rotating => {
                let file = self.file_options(entry, &entries, &path);
                if class == Some(Class::Rotating) {
                    let max_bytes = match get(&entries, "maxBytes") {
                        None => 0,
                        Some(e) => self
                            .count(e.value, &join(&path, "maxBytes"), MAX_BYTES_LIMIT)
                            .unwrap_or(0),
                    };
                    let backup_count = match get(&entries, "backupCount") {
                        None => 0,
                        Some(e) => self
                            .count(e.value, &join(&path, "backupCount"), BACKUP_COUNT_LIMIT)
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or(0),
                    };
                    let mut file = file?;
                    if max_bytes > 0 {
                        // As Python's RotatingFileHandler: rolling over needs append.
                        file.mode = FileMode::Append;
                    }
                    HandlerKind::RotatingFile {
                        file,
                        max_bytes,
                        backup_count,
                    }
                } else {
                    HandlerKind::File(file?)
                }
            }
        };
        if self.problems.len() > before {
            return None;
        }
        Some(HandlerSpec {
            name: entry.key.to_owned(),
            kind,
            level: level?,
            formatter,
            filters,
        })
    }

    /// Reports a handler class logconf does not implement.
    fn unknown_class(&mut self, pos: Pos, path: &str, class: &str) {
        if UNSUPPORTED_CLASSES.contains(&class) {
            self.report(
                pos,
                path,
                format!("handler class `{class}` is not supported yet"),
                Some(format!(
                    "supported: {}",
                    one_of(SUPPORTED_CLASSES).trim_start_matches("expected one of ")
                )),
            );
            return;
        }
        let all: Vec<&str> = SUPPORTED_CLASSES
            .iter()
            .chain(UNSUPPORTED_CLASSES)
            .copied()
            .collect();
        let help = did_you_mean(class, all.iter().copied()).or_else(|| {
            // `logging.RotatingFileHandler`: the right class in the wrong module.
            let last_of = |c: &'static str| c.rsplit('.').next().unwrap_or(c);
            let last = class.rsplit('.').next().unwrap_or(class);
            let found = all
                .iter()
                .find(|c| last_of(c).eq_ignore_ascii_case(last))
                .copied()
                .or_else(|| {
                    let near = closest(last, all.iter().map(|c| last_of(c)))?;
                    all.iter().find(|c| last_of(c) == near).copied()
                })?;
            Some(format!("did you mean `{found}`?"))
        });
        let help = help.unwrap_or_else(|| one_of(SUPPORTED_CLASSES));
        self.report(
            pos,
            path,
            format!("unknown handler class `{}`", show(class)),
            Some(help),
        );
    }

    /// The options of a file handler.
    fn file_options(
        &mut self,
        entry: &Entry<'_>,
        entries: &[Entry<'_>],
        path: &str,
    ) -> Option<FileOptions> {
        let filename = match get(entries, "filename") {
            None => {
                self.report(
                    entry.key_pos,
                    path,
                    "missing required key `filename`".into(),
                    None,
                );
                None
            }
            Some(e) => match self.string(e.value, &join(path, "filename")) {
                Some("") => {
                    self.report(
                        e.value.pos,
                        &join(path, "filename"),
                        "the file name is empty".into(),
                        None,
                    );
                    None
                }
                other => other,
            },
        };
        let mode = match get(entries, "mode") {
            None => FileMode::Append,
            Some(e) => match self.string(e.value, &join(path, "mode")) {
                Some("a") => FileMode::Append,
                Some("w") => FileMode::Truncate,
                Some(other) => {
                    self.report(
                        e.value.pos,
                        &join(path, "mode"),
                        format!("unsupported mode `{}`", show(other)),
                        Some(one_of(&["a", "w"])),
                    );
                    FileMode::Append
                }
                None => FileMode::Append,
            },
        };
        if let Some(e) = get(entries, "encoding")
            && let Some(encoding) = self.string(e.value, &join(path, "encoding"))
        {
            let normal = encoding.to_ascii_lowercase().replace('-', "_");
            if normal != "utf_8" && normal != "utf8" {
                self.report(
                    e.value.pos,
                    &join(path, "encoding"),
                    format!("unsupported encoding `{}`", show(encoding)),
                    Some("logconf writes UTF-8 only; use `utf-8` or remove `encoding`".into()),
                );
            }
        }
        if let Some(e) = get(entries, "errors")
            && let Some(errors) = self.string(e.value, &join(path, "errors"))
            && errors != "strict"
        {
            self.report(
                e.value.pos,
                &join(path, "errors"),
                format!("unsupported error handler `{}`", show(errors)),
                Some("logconf writes valid UTF-8 only; use `strict` or remove `errors`".into()),
            );
        }
        let delay = self.opt_bool(entries, "delay", path, false);
        let permissions = match get(entries, "permissions") {
            None => Some(DEFAULT_PERMISSIONS),
            Some(e) => self.permissions(e.value, &join(path, "permissions")),
        };
        let buffer = match get(entries, "buffer") {
            None => None,
            Some(e) => Some(self.buffer(e.value, &join(path, "buffer"))?),
        };
        Some(FileOptions {
            path: PathBuf::from(filename?),
            mode,
            delay,
            permissions: permissions?,
            buffer,
        })
    }

    /// logconf's `buffer:` of a file handler: a mapping (`{}` for the defaults).
    fn buffer(&mut self, node: &Node, path: &str) -> Option<BufferOptions> {
        let entries = self.mapping(node, path)?;
        self.unknown_keys(&entries, path, BUFFER_KEYS, " in `buffer`");
        let mut out = BufferOptions::default();
        let mut ok = true;
        if let Some(e) = get(&entries, "capacity") {
            let key = join(path, "capacity");
            match self.count(e.value, &key, 1 << 30) {
                Some(0) => {
                    self.report(
                        e.value.pos,
                        &key,
                        "capacity must be at least 1 byte".into(),
                        None,
                    );
                    ok = false;
                }
                Some(n) => out.capacity = usize::try_from(n).unwrap_or(usize::MAX),
                None => ok = false,
            }
        }
        if let Some(e) = get(&entries, "flushLevel") {
            match self.level(e.value, &join(path, "flushLevel")) {
                Some(level) => out.flush_level = level,
                None => ok = false,
            }
        }
        if let Some(e) = get(&entries, "flushInterval") {
            let key = join(path, "flushInterval");
            let seconds = match &e.value.value {
                Value::Int(n) => Some(*n as f64),
                Value::Float(f) => Some(*f),
                _ => None,
            };
            match seconds {
                Some(s) if s > 0.0 && s <= 3600.0 => {
                    out.flush_interval = std::time::Duration::from_secs_f64(s);
                }
                Some(s) => {
                    self.report(
                        e.value.pos,
                        &key,
                        format!("`{s}` seconds is out of range (above 0, at most 3600)"),
                        None,
                    );
                    ok = false;
                }
                None => {
                    self.report(
                        e.value.pos,
                        &key,
                        format!(
                            "expected a number of seconds, found {}",
                            e.value.value.kind()
                        ),
                        None,
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// `permissions:` as an octal string (`"0640"`) or an integer.
    fn permissions(&mut self, node: &Node, path: &str) -> Option<u32> {
        let value = match &node.value {
            Value::Str(s) => {
                let digits = s.strip_prefix("0o").unwrap_or(s);
                match u32::from_str_radix(digits, 8) {
                    Ok(v)
                        if !digits.is_empty() && digits.len() <= 4 && !digits.starts_with('+') =>
                    {
                        v
                    }
                    _ => {
                        self.report(
                            node.pos,
                            path,
                            format!("invalid permissions `{}`", show(s)),
                            Some("write octal permission bits as a string, like `\"0640\"`".into()),
                        );
                        return None;
                    }
                }
            }
            Value::Int(n) => u32::try_from(*n).unwrap_or(0o7777 + 1),
            other => {
                self.report(
                    node.pos,
                    path,
                    format!(
                        "expected permissions like `\"0640\"`, found {}",
                        other.kind()
                    ),
                    None,
                );
                return None;
            }
        };
        if value > 0o777 {
            self.report(
                node.pos,
                path,
                "permissions out of range: only the bits `0777` can be set".into(),
                Some("write octal permission bits as a string, like `\"0640\"`".into()),
            );
            return None;
        }
        if value & 0o002 != 0 {
            self.report(
                node.pos,
                path,
                format!("permissions `0{value:03o}` make the log file world-writable"),
                Some(format!("use `\"0{:03o}\"`", value & !0o002)),
            );
            return None;
        }
        Some(value)
    }

    /// A logger's entry (or the root's).
    fn logger(
        &mut self,
        node: &Node,
        path: &str,
        handler_names: &Names,
        filter_names: &Names,
    ) -> Option<LoggerParts> {
        let before = self.problems.len();
        let entries = self.mapping(node, path)?;
        self.unknown_keys(&entries, path, LOGGER_KEYS, "");
        let level = match get(&entries, "level") {
            None => None,
            Some(e) => self.level(e.value, &join(path, "level")),
        };
        let handlers = match get(&entries, "handlers") {
            None => Vec::new(),
            Some(e) => self.refs(e.value, &join(path, "handlers"), "handler", handler_names),
        };
        let filters = match get(&entries, "filters") {
            None => Vec::new(),
            Some(e) => self.refs(e.value, &join(path, "filters"), "filter", filter_names),
        };
        // On the root, `propagate` is checked and ignored, as Python does.
        let propagate = self.opt_bool(&entries, "propagate", path, true);
        if self.problems.len() > before {
            return None;
        }
        Some(LoggerParts {
            level,
            handlers,
            filters,
            propagate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(text: &str, pos: Pos, value: &str, offset: Option<usize>) -> Pos {
        let checker = Checker {
            text,
            problems: Vec::new(),
            data_keys: &BTreeSet::new(),
        };
        checker.place_in_string(pos, value, offset)
    }

    #[test]
    fn places_inside_format_strings() {
        let at = Pos {
            line: 2,
            column: 13,
        };
        let text = "f:\n    format: \"%(asctime)s %(levelnme)s\"\n";
        assert_eq!(
            place(text, at, "%(asctime)s %(levelnme)s", Some(12)),
            Pos {
                line: 2,
                column: 26
            }
        );
        let text = "f:\n    format: %(levelnme)s\n";
        assert_eq!(
            place(text, at, "%(levelnme)s", Some(2)),
            Pos {
                line: 2,
                column: 15
            }
        );
        // An escape before the offset: the value's own place.
        let text = "f:\n    format: \"\\t%(levelnme)s\"\n";
        assert_eq!(place(text, at, "\t%(levelnme)s", Some(3)), at);
        assert_eq!(place(text, at, "x", None), at);
        assert_eq!(place(text, at, "x", Some(99)), at);
    }

    #[test]
    fn key_paths() {
        assert_eq!(join("", "version"), "version");
        assert_eq!(join("loggers", "a.b"), "loggers.\"a.b\"");
        assert_eq!(join("loggers", "a::b"), "loggers.a::b");
        assert_eq!(join("loggers", ""), "loggers.\"\"");
        assert_eq!(index("root.handlers", 2), "root.handlers[2]");
    }
}
