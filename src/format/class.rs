//! Formatter classes as data: one table entry per class a config can name
//! under `formatters:` (`class:`).
//!
//! A class is its Python name, the keys it accepts and a parse step that
//! reads them (through [`Args`]) into a compiled formatter. Adding a class
//! is one file (the formatter and its parse step) plus one entry in
//! [`CLASSES`].

use std::fmt;
use std::sync::Arc;

use super::{Formatter, FormatterOptions, Needs, OwnedValue, Record};
use crate::args::Args;
use crate::tree::{Pos, Value};

/// A compiled formatter: a record to bytes.
pub(crate) trait RecordFormat: fmt::Debug + Send + Sync {
    /// Appends the record as this formatter renders it (no terminator).
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>);
    /// What the subscriber must compute for this formatter.
    fn needs(&self) -> Needs;
}

impl RecordFormat for Formatter {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        Formatter::format(self, record, out);
    }

    fn needs(&self) -> Needs {
        Formatter::needs(self)
    }
}

/// One formatter class.
#[derive(Clone, Copy)]
pub(crate) struct FormatterClass {
    /// The name a config's `class:` uses (`logging.Formatter`).
    pub(crate) name: &'static str,
    /// The keys it accepts besides `class`.
    pub(crate) keys: &'static [&'static str],
    /// Reads the keys into a formatter; `None` when a problem was reported.
    pub(crate) parse: fn(&mut Args<'_, '_>) -> Option<Arc<dyn RecordFormat>>,
}

impl fmt::Debug for FormatterClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormatterClass")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Every formatter class logconf implements; the first is the default.
pub(crate) static CLASSES: &[FormatterClass] = &[
    TEXT,
    super::color::CLASS,
    // JSON lines (`format/json/class.rs`).
    super::json::class::NATIVE,
    super::json::class::PYTHON_JSON,
    super::json::class::PYTHON_JSON_LEGACY,
    super::json::class::ECS,
];

/// The class named `name`.
pub(crate) fn find(name: &str) -> Option<&'static FormatterClass> {
    CLASSES.iter().find(|c| c.name == name)
}

/// `logging.Formatter`: `%`, `{` and `$` formats.
const TEXT: FormatterClass = FormatterClass {
    name: "logging.Formatter",
    keys: &[
        "format",
        "datefmt",
        "style",
        "validate",
        "defaults",
        "escape_control",
        "escape_newlines",
    ],
    parse: |args| Some(Arc::new(parse_text(args)?)),
};

/// The text formatter's keys.
fn parse_text(args: &mut Args<'_, '_>) -> Option<Formatter> {
    let format = args.string("format");
    let datefmt = args.string("datefmt");
    let style = args.style();
    let validate = args.truthy("validate", true);
    let escape_control = args.truthy("escape_control", true);
    let escape_newlines = args.truthy("escape_newlines", false);
    let mut defaults = Vec::new();
    if let Some(mut entries) = args.mapping("defaults") {
        for (key, node) in entries.entries() {
            let value = match &node.value {
                Value::Str(s) => Some(OwnedValue::Str(s.clone())),
                Value::Bool(b) => Some(OwnedValue::Bool(*b)),
                Value::Float(f) => Some(OwnedValue::Float(*f)),
                Value::Int(n) => match i64::try_from(*n) {
                    Ok(n) => Some(OwnedValue::Int(n)),
                    Err(_) => Some(OwnedValue::Float(*n as f64)),
                },
                other => {
                    let message = format!(
                        "expected a string, number or boolean, found {}",
                        other.kind()
                    );
                    entries.report(key, message, None);
                    None
                }
            };
            if let Some(value) = value {
                defaults.push((key.to_owned(), value));
            }
        }
    }
    if args.failed() {
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
        Ok(formatter) => Some(formatter),
        Err(err) => {
            match (args.get("format"), format) {
                (Some(e), Some(text)) => {
                    let pos = place_in_string(args.text(), e.value.pos, text, err.offset);
                    args.report_at(pos, "format", err.message, err.help);
                }
                _ => args.report_at(args.pos(), "", err.message, err.help),
            }
            None
        }
    }
}

/// The place of byte `offset` of `value`, a string written at `pos` in
/// `text`: exact when the text there spells the string out verbatim up to
/// the offset (plain or quoted, no escapes), else `pos` itself.
pub(crate) fn place_in_string(text: &str, pos: Pos, value: &str, offset: Option<usize>) -> Pos {
    let Some(offset) = offset else { return pos };
    let Some(prefix) = value.get(..offset) else {
        return pos;
    };
    if prefix.contains('\n') || pos.line == 0 || pos.column == 0 {
        return pos;
    }
    let Some(line) = usize::try_from(pos.line - 1)
        .ok()
        .and_then(|l| text.lines().nth(l))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_inside_format_strings() {
        let at = Pos {
            line: 2,
            column: 13,
        };
        let text = "f:\n    format: \"%(asctime)s %(levelnme)s\"\n";
        assert_eq!(
            place_in_string(text, at, "%(asctime)s %(levelnme)s", Some(12)),
            Pos {
                line: 2,
                column: 26
            }
        );
        let text = "f:\n    format: %(levelnme)s\n";
        assert_eq!(
            place_in_string(text, at, "%(levelnme)s", Some(2)),
            Pos {
                line: 2,
                column: 15
            }
        );
        // An escape before the offset: the value's own place.
        let text = "f:\n    format: \"\\t%(levelnme)s\"\n";
        assert_eq!(place_in_string(text, at, "\t%(levelnme)s", Some(3)), at);
        assert_eq!(place_in_string(text, at, "x", None), at);
        assert_eq!(place_in_string(text, at, "x", Some(99)), at);
    }
}
