//! The keys of one config entry, read with their places: what the parse
//! step of a handler or formatter class receives.
//!
//! Every reader reports what is wrong (with line, column and key path) into
//! the shared problem list and returns `None`, so a class's parse step reads
//! every key it knows, collecting every problem, and asks [`Args::failed`]
//! at the end. `null` counts as absent everywhere except for yes/no keys.

use crate::error::Problem;
use crate::level::Level;
use crate::suggest::did_you_mean;
use crate::tree::{Node, Pos, Value};

/// One string-keyed entry of a mapping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<'n> {
    /// The key's text.
    pub(crate) key: &'n str,
    /// Where the key is.
    pub(crate) key_pos: Pos,
    /// The value.
    pub(crate) value: &'n Node,
}

/// `parent.name`, quoting names that would read ambiguously.
pub(crate) fn join(parent: &str, name: &str) -> String {
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
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// A value cut short for a message.
pub(crate) fn show(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// Adds a problem at `pos` to `problems`.
pub(crate) fn report(
    problems: &mut Vec<Problem>,
    pos: Pos,
    path: &str,
    message: String,
    help: Option<String>,
) {
    let mut p = Problem::at(pos, path, message);
    if let Some(help) = help {
        p = p.with_help(help);
    }
    problems.push(p);
}

/// `node` as a string, or a problem.
pub(crate) fn string<'n>(
    problems: &mut Vec<Problem>,
    node: &'n Node,
    path: &str,
) -> Option<&'n str> {
    match &node.value {
        Value::Str(s) => Some(s),
        other => {
            let message = format!("expected a string, found {}", other.kind());
            report(problems, node.pos, path, message, None);
            None
        }
    }
}

/// `node` as a yes/no value, by the one rule of [`crate::truthy`].
pub(crate) fn truthy(problems: &mut Vec<Problem>, node: &Node, path: &str) -> Option<bool> {
    match crate::truthy::truthy(&node.value) {
        Ok(b) => Some(b),
        Err(bad) => {
            report(problems, node.pos, path, bad.message, bad.help);
            None
        }
    }
}

/// `node` as a level name (any case) or a non-negative number.
pub(crate) fn level(problems: &mut Vec<Problem>, node: &Node, path: &str) -> Option<Level> {
    let (message, help) = match &node.value {
        // A number in a string is no level, as in Python's `_checkLevel`.
        Value::Str(s) => match Level::from_name(s) {
            Some(level) => return Some(level),
            None => {
                let help = did_you_mean(s, Level::NAMES.iter().copied()).unwrap_or_else(|| {
                    let names: Vec<String> =
                        Level::NAMES.iter().map(|n| format!("`{n}`")).collect();
                    format!("expected {} or a non-negative integer", names.join(", "))
                });
                (format!("unknown level `{}`", show(s)), Some(help))
            }
        },
        Value::Int(n) => match u32::try_from(*n) {
            Ok(n) => return Some(Level::from_number(n)),
            Err(_) if *n < 0 => (
                format!("level `{n}` is negative"),
                Some("levels are non-negative integers or names like `INFO`".into()),
            ),
            Err(_) => (
                format!("level `{n}` is too large (at most {})", u32::MAX),
                None,
            ),
        },
        other => (
            format!("expected a level name or number, found {}", other.kind()),
            None,
        ),
    };
    report(problems, node.pos, path, message, help);
    None
}

/// `node` as a non-negative integer no larger than `max`.
pub(crate) fn count(problems: &mut Vec<Problem>, node: &Node, path: &str, max: u64) -> Option<u64> {
    let message = match &node.value {
        Value::Int(n) if *n < 0 => format!("expected a non-negative integer, found `{n}`"),
        Value::Int(n) => match u64::try_from(*n) {
            Ok(v) if v <= max => return Some(v),
            _ => format!("`{n}` is too large (at most {max})"),
        },
        Value::Float(f) if f.fract() == 0.0 && f.abs() >= 9.2e18 => {
            format!("number is too large (at most {max})")
        }
        other => format!("expected a non-negative integer, found {}", other.kind()),
    };
    report(problems, node.pos, path, message, None);
    None
}

/// The string-keyed entries of a mapping; `None` (and a problem) when
/// `node` is not a mapping. Keys that are not strings are reported.
pub(crate) fn mapping<'n>(
    problems: &mut Vec<Problem>,
    node: &'n Node,
    path: &str,
) -> Option<Vec<Entry<'n>>> {
    let Value::Map(map) = &node.value else {
        let message = format!("expected a mapping, found {}", node.value.kind());
        report(problems, node.pos, path, message, None);
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
            other => {
                let message = format!("expected a string key, found {}", other.kind());
                report(problems, key.pos, path, message, None);
            }
        }
    }
    Some(out)
}

/// Finds `key` among `entries`, treating an explicit `null` as absent.
pub(crate) fn get<'n>(entries: &[Entry<'n>], key: &str) -> Option<Entry<'n>> {
    entries
        .iter()
        .find(|e| e.key == key && e.value.value != Value::Null)
        .copied()
}

/// The keys of one entry (a handler, a formatter, a `buffer:`), its key
/// path and place, and the problem list the readers report into.
#[derive(Debug)]
pub(crate) struct Args<'n, 'p> {
    /// The whole config text, to place problems inside a string.
    text: &'n str,
    path: String,
    pos: Pos,
    entries: Vec<Entry<'n>>,
    problems: &'p mut Vec<Problem>,
    /// Problems already in the list when these arguments were made.
    before: usize,
}

impl<'n, 'p> Args<'n, 'p> {
    /// The entries of the entry at `path`, whose key is at `pos`, in the
    /// config `text`.
    pub(crate) fn new(
        text: &'n str,
        path: String,
        pos: Pos,
        entries: Vec<Entry<'n>>,
        problems: &'p mut Vec<Problem>,
    ) -> Args<'n, 'p> {
        let before = problems.len();
        Args {
            text,
            path,
            pos,
            entries,
            problems,
            before,
        }
    }

    /// The whole config text.
    pub(crate) fn text(&self) -> &'n str {
        self.text
    }

    /// Every key and its value, in the config's order (`null`s included).
    pub(crate) fn entries(&self) -> Vec<(&'n str, &'n Node)> {
        self.entries.iter().map(|e| (e.key, e.value)).collect()
    }

    /// The key path of one of its keys (`handlers.logfile.maxBytes`).
    pub(crate) fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Where the entry's own key is written.
    pub(crate) fn pos(&self) -> Pos {
        self.pos
    }

    /// Whether any problem was reported since these arguments were made.
    pub(crate) fn failed(&self) -> bool {
        self.problems.len() > self.before
    }

    /// The entry of `key`, `null` counting as absent.
    pub(crate) fn get(&self, key: &str) -> Option<Entry<'n>> {
        get(&self.entries, key)
    }

    /// Reports a problem with the value of `key` (or with the entry itself
    /// when `key` is absent).
    pub(crate) fn report(&mut self, key: &str, message: String, help: Option<String>) {
        let (pos, path) = match self.get(key) {
            Some(e) => (e.value.pos, self.key_path(key)),
            None => (self.pos, self.path.clone()),
        };
        report(self.problems, pos, &path, message, help);
    }

    /// Reports a problem at `pos`, on `key` (`""`: the entry itself).
    pub(crate) fn report_at(&mut self, pos: Pos, key: &str, message: String, help: Option<String>) {
        let path = if key.is_empty() {
            self.path.clone()
        } else {
            self.key_path(key)
        };
        report(self.problems, pos, &path, message, help);
    }

    /// The entry's own key path (`handlers.audit`).
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// Reports a problem at `pos` on the key path `path` (inside one of
    /// the keys: `formatters.json.rename_fields.level`).
    pub(crate) fn report_at_path(
        &mut self,
        pos: Pos,
        path: &str,
        message: String,
        help: Option<String>,
    ) {
        report(self.problems, pos, path, message, help);
    }

    /// Reports a problem with `key` itself, at the key's place.
    pub(crate) fn report_key(&mut self, key: &str, message: String, help: String) {
        let pos = self
            .entries
            .iter()
            .find(|e| e.key == key)
            .map_or(self.pos, |e| e.key_pos);
        let path = self.key_path(key);
        report(self.problems, pos, &path, message, Some(help));
    }

    /// Reports that `key` is required and missing.
    pub(crate) fn missing(&mut self, key: &str, help: Option<String>) {
        let message = format!("missing required key `{key}`");
        report(self.problems, self.pos, &self.path, message, help);
    }

    /// `key` as a string (absent: `None`).
    pub(crate) fn string(&mut self, key: &str) -> Option<&'n str> {
        let e = self.get(key)?;
        string(self.problems, e.value, &join(&self.path, key))
    }

    /// `key` as a yes/no value, `default` when absent (`null` is not
    /// absent here: Python would read it as false).
    pub(crate) fn truthy(&mut self, key: &str, default: bool) -> bool {
        match self.entries.iter().find(|e| e.key == key) {
            None => default,
            Some(e) => truthy(self.problems, e.value, &join(&self.path, key)).unwrap_or(default),
        }
    }

    /// `key` as a level (absent: `None`).
    pub(crate) fn level(&mut self, key: &str) -> Option<Level> {
        let e = self.get(key)?;
        level(self.problems, e.value, &join(&self.path, key))
    }

    /// `key` as a non-negative integer up to `max` (absent: `None`).
    pub(crate) fn count(&mut self, key: &str, max: u64) -> Option<u64> {
        let e = self.get(key)?;
        count(self.problems, e.value, &join(&self.path, key), max)
    }

    /// `key` as a number of seconds above 0 and at most `max` (absent: `None`).
    pub(crate) fn seconds(&mut self, key: &str, max: f64) -> Option<std::time::Duration> {
        let e = self.get(key)?;
        let seconds = match &e.value.value {
            Value::Int(n) => *n as f64,
            Value::Float(f) => *f,
            other => {
                let message = format!("expected a number of seconds, found {}", other.kind());
                self.report(key, message, None);
                return None;
            }
        };
        if seconds > 0.0 && seconds <= max {
            Some(std::time::Duration::from_secs_f64(seconds))
        } else {
            let message = format!("`{seconds}` seconds is out of range (above 0, at most {max})");
            self.report(key, message, None);
            None
        }
    }

    /// `key` as one of `choices` (absent: `None`); anything else is
    /// reported as ``{what} `value` `` (`unsupported mode`).
    pub(crate) fn choice<T: Copy>(
        &mut self,
        key: &str,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let text = self.string(key)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        // One-character choices (`a`/`w`) are all one edit apart: list them.
        let help = names
            .iter()
            .any(|n| n.chars().count() > 1)
            .then(|| did_you_mean(text, names.iter().copied()))
            .flatten()
            .unwrap_or_else(|| crate::suggest::one_of(&names));
        self.report(key, format!("{what} `{}`", show(text)), Some(help));
        None
    }

    /// `style`: `%` (the default), `{` or `$`.
    pub(crate) fn style(&mut self) -> crate::format::Style {
        use crate::format::Style;
        self.choice(
            "style",
            "unknown style",
            &[
                ("%", Style::Percent),
                ("{", Style::Brace),
                ("$", Style::Dollar),
            ],
        )
        .unwrap_or(Style::Percent)
    }

    /// The keys of the mapping under `key`, as arguments of their own
    /// (absent: `None`; not a mapping: a problem and `None`).
    pub(crate) fn mapping(&mut self, key: &str) -> Option<Args<'n, '_>> {
        let e = self.get(key)?;
        let path = join(&self.path, key);
        let entries = mapping(self.problems, e.value, &path)?;
        Some(Args::new(
            self.text,
            path,
            e.key_pos,
            entries,
            self.problems,
        ))
    }

    /// Reports every key not in `known` (with a did-you-mean); `what` names
    /// the owner for the message (`` for `logging.FileHandler` ``).
    pub(crate) fn unknown_keys(&mut self, known: &[&str], what: &str) {
        let entries = self.entries.clone();
        unknown_keys(self.problems, &entries, &self.path, known, what);
    }
}

/// Reports every key of `entries` not in `known`.
pub(crate) fn unknown_keys(
    problems: &mut Vec<Problem>,
    entries: &[Entry<'_>],
    path: &str,
    known: &[&str],
    what: &str,
) {
    for e in entries {
        if known.contains(&e.key) {
            continue;
        }
        let key_path = join(path, e.key);
        let (message, help) = match e.key {
            "()" => (
                "custom factories (`()`) are not supported yet".to_owned(),
                None,
            ),
            "." => (
                "setting attributes with `.` is not supported yet".to_owned(),
                None,
            ),
            key => {
                let listed: Vec<&str> = known.iter().copied().filter(|k| *k != "()").collect();
                let help = did_you_mean(key, listed.iter().copied())
                    .unwrap_or_else(|| crate::suggest::one_of(&listed));
                (format!("unknown key `{}`{what}", show(key)), Some(help))
            }
        };
        report(problems, e.key_pos, &key_path, message, help);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths() {
        assert_eq!(join("", "version"), "version");
        assert_eq!(join("loggers", "a.b"), "loggers.\"a.b\"");
        assert_eq!(join("loggers", "a::b"), "loggers.a::b");
        assert_eq!(join("loggers", ""), "loggers.\"\"");
        assert_eq!(index("root.handlers", 2), "root.handlers[2]");
    }
}
