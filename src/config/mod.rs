//! The dictConfig text: YAML (or JSON) parsed into a tree that remembers
//! where each value was written, then checked into a [`Model`].
//!
//! INTERFACE (kept stable for the rest of the crate):
//! - `load(text, source_name, syntax) -> Result<Model, Error>`; every
//!   problem is collected, each with line, column and key path.
//!
//! # How a config is read
//!
//! 1. The bytes must be UTF-8 and at most [`MAX_CONFIG_BYTES`] long.
//! 2. YAML is parsed by `serde_saphyr` as PyYAML reads it: YAML 1.1
//!    booleans (`propagate: no`), legacy octal integers (`0640`), and the
//!    last of duplicate keys winning. Its budgets stay on, so alias bombs
//!    and nesting deeper than 64 levels are errors, not hangs. JSON is first
//!    checked by `serde_json` (for its syntax errors' line and column), then
//!    read by the same YAML parser (JSON is a subset of YAML's flow style),
//!    so validation problems have places in JSON too.
//! 3. The tree is checked against dictConfig's schema (version 1); every
//!    problem is collected, sorted by place, and reported at once.
//!
//! # Deliberate differences from Python's `dictConfig`
//!
//! - Unknown keys (top level, formatters, filters, handlers, loggers) are
//!   problems with a did-you-mean suggestion: Python ignores some (a typo
//!   like `loggres` would silently configure nothing) and passes others to
//!   the handler's constructor, which fails late.
//! - `disable_existing_loggers` is accepted and ignored: there are no
//!   loggers created before the config (every target is resolved against
//!   the config when it first logs), so there is nothing to disable.
//! - `incremental: true` is refused: logconf builds a whole new config and
//!   swaps it in.
//! - Level names are accepted in any case (`info`), and `TRACE` (5) is a
//!   level; booleans and negative numbers are not levels.
//! - `null` for an optional key means "absent" (Python mostly agrees), but
//!   not for booleans, where Python would quietly read it as false.
//! - Handler `encoding` must be UTF-8 and `errors` `strict`: logconf writes
//!   UTF-8 only. `mode` is `a` or `w`.
//! - Names (of formatters, filters, handlers, loggers) must be strings.
//! - `()` factories, `.` attributes, `cfg://` and other handler classes than
//!   Stream, File, RotatingFile and Null are not supported yet.
//! - logconf's own keys: `logconf: {quiet_dependencies}`, formatter
//!   `escape_control` / `escape_newlines`, file handler `permissions`.

mod check;
mod node;
mod suggest;

use crate::error::{Error, Problem};
use crate::model::Model;
use node::{Node, Pos, Value};

/// The largest config accepted, in bytes.
pub(crate) const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024;

/// The deepest nesting accepted. A dictConfig needs at most 6 levels
/// (`handlers.NAME.filters[0]`); the limit keeps the parser's stack small
/// even in unoptimised builds.
pub(crate) const MAX_DEPTH: usize = 16;

/// Which parser reads the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// YAML 1.1 as PyYAML reads it (`propagate: no`).
    Yaml,
    /// JSON.
    Json,
}

/// Parses and checks a config.
pub(crate) fn load(text: &[u8], source: &str, syntax: Syntax) -> Result<Model, Error> {
    let fail = |p: Problem| Error::config(source, vec![p]);
    let text = decode(text).map_err(fail)?;
    let root = match syntax {
        Syntax::Yaml => parse_yaml(text),
        Syntax::Json => parse_json(text),
    }
    .map_err(fail)?;
    check::check(&root, source, text).map_err(|problems| Error::config(source, problems))
}

/// The text as UTF-8, within the size limit.
fn decode(bytes: &[u8]) -> Result<&str, Problem> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(Problem::new(
            0,
            0,
            "",
            format!(
                "the config is too large ({} bytes; the limit is {} MiB)",
                bytes.len(),
                MAX_CONFIG_BYTES / (1024 * 1024)
            ),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let good = &bytes[..err.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let line_start = good
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() as u64 + 1;
            let byte = bytes.get(err.valid_up_to()).copied().unwrap_or(0);
            Err(Problem::new(
                line,
                column,
                "",
                format!("the config is not valid UTF-8 (byte `0x{byte:02x}`)"),
            ))
        }
    }
}

/// The YAML parser's options: PyYAML parity where it matters.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    options.legacy_octal_numbers = true;
    options.strict_booleans = false;
    options.with_snippet = false;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    options
}

/// Parses YAML into the spanned tree.
fn parse_yaml(text: &str) -> Result<Node, Problem> {
    serde_saphyr::from_str_with_options::<Node>(text, yaml_options()).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |at| (at.line(), at.column()));
        Problem::new(line, column, "", yaml_message(&err))
    })
}

/// A parser error's message, without its place (the problem has it) and
/// without a source snippet.
fn yaml_message(err: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    const BOMB: &str = "aliases expand to too much (is this an alias bomb?)";
    let mut inner = err;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = inner {
        inner = error;
    }
    match inner {
        E::MultipleDocuments { .. } => {
            return String::from("invalid YAML: the file holds more than one document");
        }
        E::Budget { breach, .. } => {
            return match breach {
                B::Depth { .. } => {
                    format!("invalid YAML: nested deeper than {MAX_DEPTH} levels")
                }
                B::Aliases { .. } | B::AliasAnchorRatio { .. } => format!("invalid YAML: {BOMB}"),
                B::Events { .. } | B::Nodes { .. } | B::ScalarBytes { .. } => {
                    String::from("invalid YAML: too many values (is this an alias bomb?)")
                }
                other => format!("invalid YAML: over the reader's limits ({other:?})"),
            };
        }
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => return format!("invalid YAML: {BOMB}"),
        _ => {}
    }
    let text = inner.to_string();
    let first = text.lines().next().unwrap_or("");
    let mut message = first.trim();
    // "... at line 2, column 3" and "error: line 2 column 3: ..." forms.
    if let Some(at) = message.rfind(" at line ") {
        message = &message[..at];
    }
    if let Some(rest) = message.strip_prefix("error: ") {
        message = rest;
    }
    if let Some(rest) = message.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        message = after;
    }
    let message = message.trim_end_matches('.');
    let mut out = String::from("invalid YAML: ");
    let mut chars = message.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_lowercase());
        out.push_str(chars.as_str());
    }
    out
}

/// Parses JSON into the spanned tree.
fn parse_json(text: &str) -> Result<Node, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(json_problem(&err));
    }
    // Tabs may only be white space outside strings in valid JSON (a raw tab
    // inside a string is a syntax error), and YAML refuses some tabs, so
    // they become spaces: same columns, same values.
    let yaml_text = text.replace('\t', " ");
    match serde_saphyr::from_str_with_options::<Node>(&yaml_text, yaml_options()) {
        Ok(node) => Ok(node),
        // Valid JSON the YAML reader refuses (a key over 1024 characters):
        // read it with serde_json, without places.
        Err(_) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value) => Ok(from_json(&value, 0)),
            Err(err) => Err(json_problem(&err)),
        },
    }
}

/// A `serde_json` error as a problem.
fn json_problem(err: &serde_json::Error) -> Problem {
    let text = err.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    Problem::new(
        err.line() as u64,
        err.column() as u64,
        "",
        format!("invalid JSON: {message}"),
    )
}

/// A JSON value as a tree without places. `serde_json` refuses nesting
/// deeper than 128, and this stops there too.
fn from_json(value: &serde_json::Value, depth: usize) -> Node {
    let value = if depth > 128 {
        Value::Null
    } else {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Value::Int(i128::from(i)),
                (_, Some(u), _) => Value::Int(i128::from(u)),
                (_, _, Some(f)) => Value::Float(f),
                _ => Value::Null,
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(|v| from_json(v, depth + 1)).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| {
                        let key = Node {
                            pos: Pos::default(),
                            value: Value::Str(k.clone()),
                        };
                        (key, from_json(v, depth + 1))
                    })
                    .collect(),
            ),
        }
    };
    Node {
        pos: Pos::default(),
        value,
    }
}
