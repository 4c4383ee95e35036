//! The top level: `version`, `disable_existing_loggers`, `incremental`,
//! logconf's own section, and the sections in order.

use std::collections::HashMap;

use super::loggers::LoggerParts;
use super::{Checker, Names};
use crate::args::{self, Entry, get, join, show};
use crate::level::Level;
use crate::model::{LoggerSpec, Model, NamePattern};
use crate::tree::{Node, Pos, Value};

/// Top-level keys (also the sections whose references are resolved).
pub(crate) const TOP_KEYS: &[&str] = &[
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
const LOGCONF_KEYS: &[&str] = &[
    "quiet_dependencies",
    // For a running process: see `live.rs`.
    "watch",
    "reload_on_sighup",
    "rust_log",
    "env",
];

impl Checker<'_> {
    pub(super) fn top(&mut self, root: &Node, source: &str) -> Option<Model> {
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
        // Top-level keys that `cfg://` references read are data.
        let schema: Vec<Entry<'_>> = entries
            .iter()
            .filter(|e| !self.data_keys.contains(e.key))
            .copied()
            .collect();
        args::unknown_keys(&mut self.problems, &schema, "", TOP_KEYS, "");

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
        if let Some(e) = entries.iter().find(|e| e.key == "disable_existing_loggers") {
            args::truthy(&mut self.problems, e.value, "disable_existing_loggers");
        }
        if let Some(e) = entries.iter().find(|e| e.key == "incremental")
            && args::truthy(&mut self.problems, e.value, "incremental") == Some(true)
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
        let mut live = super::live::defaults();
        if let Some(e) = get(&entries, "logconf")
            && let Some(mut ext) = self.args("", &e)
        {
            ext.unknown_keys(LOGCONF_KEYS, "");
            quiet_dependencies = ext.truthy("quiet_dependencies", true);
            live = super::live::parse(&mut ext);
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
        // `loggers: {"": ...}` and `loggers: {root: ...}` configure the root
        // logger (Python's `getLogger("")` and, since 3.9, `getLogger("root")`
        // are the root), in the order they are written.
        let mut root_entries: Vec<LoggerParts> = Vec::new();
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
                if e.key.is_empty() || e.key == "root" {
                    root_entries.push(parts);
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

        // `root:` is checked even when empty, but, as in Python (`if root:`),
        // an empty mapping configures nothing.
        let root_parts = match get(&entries, "root") {
            None => None,
            Some(e) => Some(self.logger(e.value, "root", &handler_names, &filter_names)?)
                .filter(|_| !matches!(&e.value.value, Value::Map(m) if m.is_empty())),
        };
        // Python configures the loggers first, then `root:`. Each of them
        // replaces the root's handlers, sets its level if given, and adds
        // its filters.
        let mut root_spec = LoggerSpec {
            name: String::new(),
            pattern: NamePattern::root(),
            level: Level::WARNING,
            handlers: Vec::new(),
            filters: Vec::new(),
            propagate: true,
        };
        for parts in root_entries.into_iter().chain(root_parts) {
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
            live,
            env_levels: Vec::new(),
        })
    }
}
