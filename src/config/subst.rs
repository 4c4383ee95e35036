//! `${VAR}` in string values, for a config that opts in with
//! `logconf: {env: true}`.
//!
//! | written | becomes |
//! |---|---|
//! | `${VAR}` | the value of `VAR`; unset is an error |
//! | `${VAR:-default}` | `default` when `VAR` is unset or empty |
//! | `${VAR-default}` | `default` when `VAR` is unset |
//! | `${VAR:?message}` | an error saying `message` when `VAR` is unset or empty |
//! | `${VAR?message}` | an error saying `message` when `VAR` is unset |
//! | `$$` | `$` |
//!
//! Any other `$` is kept as written (no bare `$VAR`: it would clash with
//! `$`-style formats). Names are `[A-Za-z_][A-Za-z0-9_]*`; defaults and
//! messages are literal text up to the first `}` (no nested references).
//!
//! The pass runs on the parsed tree, before the schema check, on string
//! values only (never keys), so a variable can never add YAML structure,
//! and problems keep their line, column and key path. The `format` of a
//! formatter whose `style` is `$` is left alone: there `${asctime}` is the
//! format's own syntax. `logconf.env` itself is read before the pass.
//!
//! A value that is exactly one reference takes the type its result would
//! have written as a plain YAML scalar: `maxBytes: ${MAX_BYTES:-10485760}`
//! is an integer, `delay: ${DELAY:-false}` a boolean, `1.5` a float, and an
//! empty result or `null`/`~` is null (the key counts as absent). Text
//! around a reference keeps the value a string
//! (`filename: ${LOG_DIR:-/var/log/app}/app.log`).

use std::ffi::OsString;

use crate::args::{index, join, truthy};
use crate::error::Problem;
use crate::tree::{Node, Value};

/// Reads an environment variable.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// Whether the document opts in with `logconf: {env: <true>}`. A value that
/// is not a boolean is reported by the schema check, not here.
fn opted_in(root: &Node) -> bool {
    let Some(logconf) = entry(root, "logconf") else {
        return false;
    };
    entry(logconf, "env")
        .is_some_and(|env| truthy(&mut Vec::new(), env, "logconf.env") == Some(true))
}

/// The value of `key` in the mapping `node`.
fn entry<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    let Value::Map(entries) = &node.value else {
        return None;
    };
    entries
        .iter()
        .rev()
        .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key))
        .map(|(_, v)| v)
}

/// Replaces references in every string value of `root`, if the document
/// opts in; every problem is returned.
pub(crate) fn apply(root: &mut Node, env: Env<'_>) -> Result<(), Vec<Problem>> {
    if !opted_in(root) {
        return Ok(());
    }
    let mut problems = Vec::new();
    let Value::Map(entries) = &mut root.value else {
        return Ok(());
    };
    for (key, value) in entries.iter_mut() {
        let Value::Str(name) = &key.value else {
            continue;
        };
        if name == "formatters" {
            formatters(value, env, &mut problems);
        } else {
            walk(value, name, env, &mut problems);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The `formatters:` section: a `$`-style formatter's `format` is skipped.
fn formatters(section: &mut Node, env: Env<'_>, problems: &mut Vec<Problem>) {
    let Value::Map(entries) = &mut section.value else {
        return walk(section, "formatters", env, problems);
    };
    for (key, formatter) in entries.iter_mut() {
        let path = match &key.value {
            Value::Str(name) => join("formatters", name),
            _ => "formatters".to_owned(),
        };
        let Value::Map(keys) = &mut formatter.value else {
            walk(formatter, &path, env, problems);
            continue;
        };
        // The style first: it decides whether `format` is substituted.
        let mut dollar = false;
        for (k, v) in keys.iter_mut() {
            if matches!(&k.value, Value::Str(s) if s == "style") {
                walk(v, &join(&path, "style"), env, problems);
                dollar = matches!(&v.value, Value::Str(s) if s == "$");
            }
        }
        for (k, v) in keys.iter_mut() {
            let Value::Str(name) = &k.value else {
                continue;
            };
            if name == "style" || (dollar && name == "format") {
                continue;
            }
            walk(v, &join(&path, name), env, problems);
        }
    }
}

/// Substitutes in `node` and below; `path` is its key path.
fn walk(node: &mut Node, path: &str, env: Env<'_>, problems: &mut Vec<Problem>) {
    match &mut node.value {
        Value::Str(text) if text.contains('$') => match substitute(text, env) {
            Ok((result, sole)) => {
                node.value = if sole {
                    typed(result)
                } else {
                    Value::Str(result)
                };
            }
            Err((message, help)) => {
                let mut p = Problem::at(node.pos, path, message);
                if let Some(help) = help {
                    p = p.with_help(help);
                }
                problems.push(p);
            }
        },
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &index(path, i), env, problems);
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries.iter_mut() {
                let child = match &key.value {
                    Value::Str(name) => join(path, name),
                    _ => path.to_owned(),
                };
                walk(value, &child, env, problems);
            }
        }
        _ => {}
    }
}

/// The value `text` (the whole result of one reference) would be written
/// as a plain YAML scalar: an integer, float, boolean or null, else a string.
fn typed(text: String) -> Value {
    let t = text.trim();
    if t.is_empty() || t == "~" || t.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => return Value::Bool(true),
        "false" | "no" | "off" => return Value::Bool(false),
        _ => {}
    }
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = t.parse::<i128>()
    {
        return Value::Int(n);
    }
    if digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && let Ok(f) = t.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text)
}

/// What goes wrong: a message and maybe a suggestion.
type Failure = (String, Option<String>);

/// `text` with its references replaced, and whether `text` was exactly
/// one reference.
fn substitute(text: &str, env: Env<'_>) -> Result<(String, bool), Failure> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut references = 0usize;
    let mut literal = false;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        literal |= at > 0;
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            literal = true;
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err((
                    "unclosed `${` in a value".into(),
                    Some("write `${NAME}`, or `$$` for a literal `$`".into()),
                ));
            };
            out.push_str(&reference(&body[..end], env)?);
            references += 1;
            rest = &body[end + 1..];
        } else {
            out.push('$');
            literal = true;
            rest = after;
        }
    }
    literal |= !rest.is_empty();
    out.push_str(rest);
    Ok((out, references == 1 && !literal))
}

/// The value of one reference, `body` being what is between `${` and `}`.
fn reference(body: &str, env: Env<'_>) -> Result<String, Failure> {
    let name_len = body
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(body.len(), |(i, _)| i);
    let (name, op) = body.split_at(name_len);
    if name.is_empty() {
        return Err((
            format!("`${{{body}}}` names no environment variable"),
            Some("names are letters, digits and `_`, not starting with a digit".into()),
        ));
    }
    let value = match env(name) {
        None => None,
        Some(v) => Some(v.into_string().map_err(|_| {
            (
                format!("environment variable `{name}` is not valid UTF-8"),
                None,
            )
        })?),
    };
    let unset_help = || Some(format!("set it, or give a default: `${{{name}:-value}}`"));
    let (colon, op) = match op.strip_prefix(':') {
        Some(op) => (true, op),
        None => (false, op),
    };
    let missing = match &value {
        None => true,
        Some(v) => colon && v.is_empty(),
    };
    let what = if value.is_none() { "not set" } else { "empty" };
    match op.chars().next() {
        None if !colon => value.ok_or_else(|| {
            (
                format!("environment variable `{name}` is not set"),
                unset_help(),
            )
        }),
        Some('-') => Ok(if missing {
            op[1..].to_owned()
        } else {
            value.unwrap_or_default()
        }),
        Some('?') => {
            if missing {
                let message = &op[1..];
                Err((
                    if message.is_empty() {
                        format!("environment variable `{name}` is {what}")
                    } else {
                        format!("environment variable `{name}` is {what}: {message}")
                    },
                    None,
                ))
            } else {
                Ok(value.unwrap_or_default())
            }
        }
        _ => Err((
            format!("unsupported reference `${{{body}}}`"),
            Some(
                "write `${NAME}`, `${NAME:-default}`, `${NAME-default}` or `${NAME:?message}`"
                    .into(),
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Pos;

    fn env(name: &str) -> Option<OsString> {
        match name {
            "DIR" => Some("/srv/logs".into()),
            "EMPTY" => Some(OsString::new()),
            "N" => Some("42".into()),
            _ => None,
        }
    }

    fn sub(text: &str) -> Result<(String, bool), String> {
        substitute(text, &env).map_err(|(m, h)| format!("{m}; {}", h.unwrap_or_default()))
    }

    #[test]
    fn forms() {
        let cases = [
            ("${DIR}/app.log", "/srv/logs/app.log", false),
            ("${DIR}", "/srv/logs", true),
            ("${NOPE:-/var/log/app}", "/var/log/app", true),
            ("${EMPTY:-d}", "d", true),
            ("${EMPTY-d}", "", true),
            ("${NOPE-d}", "d", true),
            ("${DIR:-d}", "/srv/logs", true),
            ("$$x $${DIR} $HOME $", "$x ${DIR} $HOME $", false),
            ("a${N}b${N}", "a42b42", false),
            ("${N:?need N}", "42", true),
            ("${EMPTY?x}", "", true),
            ("${NOPE:-}", "", true),
        ];
        for (text, want, sole) in cases {
            assert_eq!(sub(text), Ok((want.to_owned(), sole)), "{text}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(
            sub("${NOPE}"),
            Err("environment variable `NOPE` is not set; set it, or give a default: `${NOPE:-value}`".into())
        );
        assert_eq!(
            sub("${EMPTY:?the log folder}"),
            Err("environment variable `EMPTY` is empty: the log folder; ".into())
        );
        assert_eq!(
            sub("${NOPE?}"),
            Err("environment variable `NOPE` is not set; ".into())
        );
        assert!(sub("${DIR").is_err_and(|e| e.starts_with("unclosed")));
        assert!(sub("${1X}").is_err_and(|e| e.contains("names no environment variable")));
        assert!(sub("${DIR:+x}").is_err_and(|e| e.starts_with("unsupported reference")));
    }

    #[test]
    fn sole_references_are_typed() {
        assert_eq!(typed("10485760".into()), Value::Int(10_485_760));
        assert_eq!(typed("-3".into()), Value::Int(-3));
        assert_eq!(typed("0.5".into()), Value::Float(0.5));
        assert_eq!(typed("No".into()), Value::Bool(false));
        assert_eq!(typed("".into()), Value::Null);
        assert_eq!(typed("inf".into()), Value::Str("inf".into()));
        assert_eq!(typed("1.2.3".into()), Value::Str("1.2.3".into()));
        assert_eq!(typed("app".into()), Value::Str("app".into()));
    }

    #[test]
    fn opt_in_and_dollar_formats() {
        let node = |value| Node {
            pos: Pos { line: 1, column: 1 },
            value,
        };
        let s = |t: &str| node(Value::Str(t.into()));
        let map = |pairs: Vec<(&str, Node)>| {
            node(Value::Map(
                pairs.into_iter().map(|(k, v)| (s(k), v)).collect(),
            ))
        };
        let doc = |env_on: bool| {
            map(vec![
                ("logconf", map(vec![("env", node(Value::Bool(env_on)))])),
                (
                    "formatters",
                    map(vec![
                        (
                            "d",
                            map(vec![("style", s("$")), ("format", s("${message} ${DIR}"))]),
                        ),
                        ("p", map(vec![("format", s("${DIR} %(message)s"))])),
                    ]),
                ),
                (
                    "handlers",
                    map(vec![("f", map(vec![("maxBytes", s("${N}"))]))]),
                ),
            ])
        };
        let mut off = doc(false);
        let before = off.clone();
        assert_eq!(apply(&mut off, &env), Ok(()));
        assert_eq!(off, before);
        let mut on = doc(true);
        assert_eq!(apply(&mut on, &env), Ok(()));
        let text = format!("{on:?}");
        assert!(text.contains("\"${message} ${DIR}\""), "{text}");
        assert!(text.contains("\"/srv/logs %(message)s\""), "{text}");
        assert!(text.contains("Int(42)"), "{text}");
        let mut bad = map(vec![
            ("logconf", map(vec![("env", s("yes"))])),
            (
                "handlers",
                map(vec![("f", map(vec![("filename", s("${NOPE}"))]))]),
            ),
        ]);
        let problems = apply(&mut bad, &env).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key_path(), "handlers.f.filename");
        assert_eq!(problems[0].line(), Some(1));
    }

    #[test]
    fn through_the_loader_yaml_and_json() {
        use crate::config::{Syntax, load_with_env};
        use crate::handler::rotating::RotatingSettings;
        let yaml = "version: 1\nlogconf: {env: true}\nhandlers:\n  r: {class: logging.handlers.RotatingFileHandler, filename: \"${DIR}/a.log\", maxBytes: \"${N}\", delay: \"${NOPE:-yes}\"}\nroot: {level: \"${NOPE:-DEBUG}\", handlers: [r]}\n";
        let json = r#"{"version": 1, "logconf": {"env": true}, "handlers": {"r": {"class": "logging.handlers.RotatingFileHandler", "filename": "${DIR}/a.log", "maxBytes": "${N}", "delay": "${NOPE:-yes}"}}, "root": {"level": "${NOPE:-DEBUG}", "handlers": ["r"]}}"#;
        for (text, syntax) in [(yaml, Syntax::Yaml), (json, Syntax::Json)] {
            let model = load_with_env(text.as_bytes(), "<t>", syntax, &env)
                .unwrap_or_else(|e| panic!("{e}"));
            let settings = model.handlers[0]
                .settings
                .as_any()
                .downcast_ref::<RotatingSettings>()
                .unwrap_or_else(|| panic!("{:?}", model.handlers[0].settings));
            assert_eq!(settings.file.path, std::path::Path::new("/srv/logs/a.log"));
            assert_eq!(settings.rule.max_bytes, 42);
            assert!(settings.file.delay);
            assert_eq!(model.root.level, crate::level::Level::DEBUG);
        }
        // Not opted in: the text stays, and `maxBytes` is a string.
        let off = yaml.replace("env: true", "env: false");
        let err = load_with_env(off.as_bytes(), "<t>", Syntax::Yaml, &env)
            .err()
            .unwrap_or_else(|| panic!("loaded"));
        assert_eq!(
            err.problems()[0].to_string(),
            "4:88: handlers.r.maxBytes: expected a non-negative integer, found a string"
        );
        // An unset variable: located, and nothing else is checked.
        let bad = yaml.replace("${DIR}", "${UNSET}");
        let err = load_with_env(bad.as_bytes(), "<t>", Syntax::Yaml, &env)
            .err()
            .unwrap_or_else(|| panic!("loaded"));
        assert_eq!(err.problems().len(), 1);
        assert_eq!(
            err.problems()[0].to_string(),
            "4:62: handlers.r.filename: environment variable `UNSET` is not set; \
             set it, or give a default: `${UNSET:-value}`"
        );
    }
}
