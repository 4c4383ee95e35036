//! A config tree written back as YAML: what `logconf convert` prints for a
//! `fileConfig` INI file. Block mappings, flow lists of scalars, and
//! scalars quoted wherever a plain scalar would read as something else
//! (YAML 1.1's `yes`/`no`, numbers, `null`, indicators).

use std::fmt::Write as _;

use crate::tree::{Node, Value};

/// `root` (a mapping) as a YAML document.
pub(crate) fn yaml(root: &Node) -> String {
    let mut out = String::new();
    match &root.value {
        Value::Map(entries) => mapping(&mut out, entries, 0),
        other => {
            scalar(&mut out, other);
            out.push('\n');
        }
    }
    out
}

fn mapping(out: &mut String, entries: &[(Node, Node)], indent: usize) {
    for (key, value) in entries {
        out.push_str(&" ".repeat(indent));
        scalar(out, &key.value);
        out.push(':');
        match &value.value {
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2);
            }
            Value::Map(_) => out.push_str(" {}\n"),
            Value::Seq(items) if items.iter().any(|i| is_collection(&i.value)) => {
                out.push('\n');
                for item in items {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str("- ");
                    match &item.value {
                        Value::Map(inner) if !inner.is_empty() => {
                            out.push('\n');
                            mapping(out, inner, indent + 4);
                        }
                        other => {
                            flow(out, other);
                            out.push('\n');
                        }
                    }
                }
            }
            other => {
                out.push(' ');
                flow(out, other);
                out.push('\n');
            }
        }
    }
}

fn is_collection(value: &Value) -> bool {
    matches!(value, Value::Map(_) | Value::Seq(_))
}

/// A value on one line: a scalar, `[a, b]` or `{k: v}`.
fn flow(out: &mut String, value: &Value) {
    match value {
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(out, &item.value);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                scalar(out, &key.value);
                out.push_str(": ");
                flow(out, &value.value);
            }
            out.push('}');
        }
        other => scalar(out, other),
    }
}

fn scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(f) if f.is_nan() => out.push_str(".nan"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { ".inf" } else { "-.inf" });
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Str(s) if plain(s) => out.push_str(s),
        Value::Str(s) => quoted(out, s),
        Value::Seq(_) | Value::Map(_) => flow(out, value),
    }
}

/// Whether `s` reads back as the same string when written plain.
fn plain(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    !SPECIAL.contains(&s)
        && (first.is_alphabetic() || first == '_' || first == '/' || first == '.')
        && s.parse::<f64>().is_err()
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars()
            .all(|c| c.is_alphanumeric() || "_-./:@()".contains(c))
}

/// `s` double-quoted, with JSON's escapes (a subset of YAML's).
fn quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Pos;

    fn node(value: Value) -> Node {
        Node {
            pos: Pos::default(),
            value,
        }
    }

    #[test]
    fn scalars_read_back_as_written() {
        for (s, want) in [
            ("app.log", "app.log"),
            ("yes", "\"yes\""),
            ("10", "\"10\""),
            ("", "\"\""),
            ("%(levelname)s %(message)s", "\"%(levelname)s %(message)s\""),
            ("ext://sys.stdout", "ext://sys.stdout"),
            ("a: b", "\"a: b\""),
            ("tab\there", "\"tab\\there\""),
        ] {
            let mut out = String::new();
            scalar(&mut out, &Value::Str(s.to_owned()));
            assert_eq!(out, want, "{s:?}");
        }
    }

    #[test]
    fn nested_mappings_and_lists() {
        let map = |pairs: Vec<(&str, Value)>| {
            Value::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (node(Value::Str(k.to_owned())), node(v)))
                    .collect(),
            )
        };
        let root = node(map(vec![
            ("version", Value::Int(1)),
            (
                "root",
                map(vec![
                    ("level", Value::Str("INFO".into())),
                    (
                        "handlers",
                        Value::Seq(vec![node(Value::Str("console".into()))]),
                    ),
                ]),
            ),
            ("loggers", map(vec![])),
        ]));
        assert_eq!(
            yaml(&root),
            "version: 1\nroot:\n  level: INFO\n  handlers: [console]\nloggers: {}\n"
        );
    }
}
