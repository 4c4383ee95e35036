//! The spanned tree: every value and every key remembers its line and column.
//!
//! The tree is built by serde from `serde_saphyr`'s events, wrapping each
//! child in [`serde_saphyr::Spanned`]. Its depth is bounded by the parser's
//! budget (`max_depth`), so walking it recursively is bounded too.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A 1-based place in the text (0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    /// 1-based line.
    pub(crate) line: u64,
    /// 1-based column.
    pub(crate) column: u64,
}

/// One value of the tree and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// Where the value (or the alias that brought it) is.
    pub(crate) pos: Pos,
    /// The value.
    pub(crate) value: Value,
}

/// A YAML/JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true`, `no`, ...
    Bool(bool),
    /// An integer (wide enough for every `u64` and `i64`).
    Int(i128),
    /// A float (`1.5`, `.inf`).
    Float(f64),
    /// A string, quoted or plain.
    Str(String),
    /// A sequence, `[a, b]` or `- a` lines.
    Seq(Vec<Node>),
    /// A mapping, in the text's order (duplicate keys already collapsed).
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What kind of value this is, for messages: ``expected a mapping, found a string``.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Turns the plain scalars `y`, `Y`, `n` and `N` back into strings: the
/// YAML reader takes them for YAML 1.1 booleans, PyYAML does not (its
/// booleans are `yes`/`no`/`true`/`false`/`on`/`off` in three cases).
/// Walks with an explicit stack, not recursion.
pub(crate) fn pyyaml_booleans(root: &mut Node, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let mut stack: Vec<&mut Node> = vec![root];
    while let Some(node) = stack.pop() {
        if let Value::Bool(_) = node.value {
            if let Some(word) = plain_y_or_n(&lines, node.pos) {
                node.value = Value::Str(word.to_string());
            }
            continue;
        }
        match &mut node.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    stack.push(key);
                    stack.push(value);
                }
            }
            _ => {}
        }
    }
}

/// The one-letter plain scalar written at `pos`, if it is `y`/`Y`/`n`/`N`.
fn plain_y_or_n(lines: &[&str], pos: Pos) -> Option<char> {
    let line = lines.get(usize::try_from(pos.line.checked_sub(1)?).ok()?)?;
    let mut chars = line
        .chars()
        .skip(usize::try_from(pos.column.checked_sub(1)?).ok()?);
    let first = chars
        .next()
        .filter(|c| matches!(c, 'y' | 'Y' | 'n' | 'N'))?;
    match chars.next() {
        None | Some(' ' | '\t' | ',' | ']' | '}' | '#' | ':' | '\r') => Some(first),
        Some(_) => None,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            pos: Pos {
                line: spanned.referenced.line(),
                column: spanned.referenced.column(),
            },
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(match i128::try_from(v) {
            Ok(v) => Value::Int(v),
            Err(_) => Value::Int(i128::MAX),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Last wins, as PyYAML does, whatever the parser forwards: an
        // earlier duplicate's slot is emptied (string keys are found through
        // an index, so a mapping with many keys loads in linear time).
        let mut entries: Vec<Option<(Node, Node)>> = Vec::new();
        let mut by_name: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            let earlier = match &key.value {
                Value::Str(name) => by_name.insert(name.clone(), entries.len()),
                other => entries
                    .iter()
                    .position(|e| e.as_ref().is_some_and(|(k, _)| k.value == *other)),
            };
            if let Some(slot) = earlier.and_then(|i| entries.get_mut(i)) {
                *slot = None;
            }
            entries.push(Some((key, value)));
        }
        Ok(Value::Map(entries.into_iter().flatten().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, serde_saphyr::Error> {
        let mut o = serde_saphyr::Options::default();
        o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        o.legacy_octal_numbers = true;
        serde_saphyr::from_str_with_options::<Node>(text, o)
    }

    #[test]
    fn y_and_n_are_strings() {
        let text = "y: n\nb: [Y, N, yes, no]\nc: {n: 1}\n";
        let mut node = match parse(text) {
            Ok(n) => n,
            Err(err) => panic!("{err}"),
        };
        pyyaml_booleans(&mut node, text);
        let Value::Map(entries) = &node.value else {
            panic!("{node:?}");
        };
        assert_eq!(entries[0].0.value, Value::Str("y".into()));
        assert_eq!(entries[0].1.value, Value::Str("n".into()));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!("{node:?}");
        };
        let values: Vec<&Value> = items.iter().map(|n| &n.value).collect();
        assert_eq!(
            values,
            [
                &Value::Str("Y".into()),
                &Value::Str("N".into()),
                &Value::Bool(true),
                &Value::Bool(false)
            ]
        );
    }
}
