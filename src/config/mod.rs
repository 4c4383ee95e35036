//! The dictConfig text: YAML (or JSON) parsed into a tree that remembers
//! where each value was written, then checked into a [`Model`].
//!
//! # How a config is read
//!
//! 1. The bytes must be UTF-8 and at most [`MAX_CONFIG_BYTES`] long.
//! 2. YAML is parsed by `serde_saphyr` as PyYAML reads it: YAML 1.1
//!    booleans (`propagate: no`; but a plain `y` or `n` stays a string, as
//!    in PyYAML), legacy octal integers (`0640`), and the last of duplicate
//!    keys winning. Its budgets stay on, so alias bombs are errors, not
//!    hangs, and nesting deeper than [`MAX_DEPTH`] levels is refused. JSON is first
//!    checked by `serde_json` (for its syntax errors' line and column), then
//!    read by the same YAML parser (JSON is a subset of YAML's flow style),
//!    so validation problems have places in JSON too.
//! 3. `cfg://` references are resolved and `ext://` ones checked
//!    (`refs.rs`): the checker sees the values they name, at the place of
//!    the reference. A top-level section a reference reads is data.
//! 4. The tree is checked against dictConfig's schema (version 1); every
//!    problem is collected, sorted by place, and reported at once.
//!
//! # Differences from Python's `dictConfig`
//!
//! Every deliberate difference is a row of the README's compatibility table
//! (one list, so it cannot drift): unknown keys are errors, `null` is not a
//! yes/no value, `cfg://` reads the config as written, names must be
//! strings, configs are bounded in size and depth, and so on. logconf's own
//! keys: `logconf: {quiet_dependencies, watch, reload_on_sighup, rust_log,
//! env}` (`env` acted on by `subst`, `rust_log` by
//! [`init`](fn@crate::init)).

mod check;
mod emit;
pub(crate) mod ini;
mod refs;
mod subst;

use crate::error::{Error, Problem};
use crate::model::Model;
use crate::tree::{self, Node};
#[cfg(feature = "json")]
use crate::tree::{Pos, Value};

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
    /// `fileConfig`'s INI format (`logging.conf`), see [`ini`].
    Ini,
}

/// A `fileConfig` INI text (`logging.conf`) as the YAML dictConfig that
/// configures the same: Python's class names and keyword names, `args`
/// given their parameter names.
pub(crate) fn ini_to_yaml(text: &[u8], source: &str) -> Result<String, Error> {
    let fail = |p: Problem| Error::config(source, vec![p]);
    let text = decode(text).map_err(fail)?;
    let (root, problems) = ini::parse(text).map_err(fail)?;
    if !problems.is_empty() {
        return Err(Error::config(source, problems));
    }
    Ok(emit::yaml(&root))
}

/// Which parser reads the file at `path` holding `text`: JSON for `.json`,
/// Python's `fileConfig` INI for `.conf`, `.ini` and `.cfg` (or any other
/// name but `.yaml`/`.yml` whose first real line is a `[section]`), YAML
/// otherwise.
pub(crate) fn syntax_of(path: &std::path::Path, text: &[u8]) -> Syntax {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => Syntax::Json,
        Some("conf" | "ini" | "cfg") => Syntax::Ini,
        Some("yaml" | "yml") => Syntax::Yaml,
        _ if std::str::from_utf8(text).is_ok_and(ini::sniff) => Syntax::Ini,
        _ => Syntax::Yaml,
    }
}

/// Parses and checks a config, `${VAR}` read from the process's environment.
pub(crate) fn load(
    text: &[u8],
    source: &str,
    syntax: Syntax,
    registry: &crate::registry::Registry,
) -> Result<Model, Error> {
    load_with_env(text, source, syntax, registry, &|name| {
        std::env::var_os(name)
    })
}

/// Parses and checks a config, `${VAR}` (if the config opts in) read by `env`.
pub(crate) fn load_with_env(
    text: &[u8],
    source: &str,
    syntax: Syntax,
    registry: &crate::registry::Registry,
    env: subst::Env<'_>,
) -> Result<Model, Error> {
    let fail = |p: Problem| Error::config(source, vec![p]);
    let text = decode(text).map_err(fail)?;
    let mut early = Vec::new();
    let mut root = match syntax {
        Syntax::Yaml => parse_yaml(text),
        Syntax::Json => parse_json(text),
        Syntax::Ini => ini::parse(text).map(|(root, problems)| {
            early = problems;
            root
        }),
    }
    .map_err(fail)?;
    // `logconf: {env: true}`: `${VAR}` in string values (see `subst`),
    // before `cfg://` references are followed.
    subst::apply(&mut root, env).map_err(|problems| Error::config(source, problems))?;
    let mut resolved = refs::resolve(root, check::TOP_KEYS);
    resolved.problems.extend(early);
    if resolved.exhausted {
        return Err(Error::config(source, resolved.problems));
    }
    let checked = check::check(&resolved.root, source, text, &resolved.data_keys, registry);
    match (checked, resolved.problems) {
        (Ok(model), problems) if problems.is_empty() => Ok(model),
        (checked, mut problems) => {
            // A reference that failed is left as its text; what the checker
            // says about that text at the same place adds nothing.
            let places: Vec<(Option<u64>, Option<u64>)> =
                problems.iter().map(|p| (p.line(), p.column())).collect();
            if let Err(more) = checked {
                problems.extend(
                    more.into_iter()
                        .filter(|p| !places.contains(&(p.line(), p.column()))),
                );
            }
            problems.sort_by_key(|p| (p.line(), p.column()));
            Err(Error::config(source, problems))
        }
    }
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
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
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
    let mut root =
        serde_saphyr::from_str_with_options::<Node>(text, yaml_options()).map_err(|err| {
            let (line, column) = err.location().map_or((0, 0), |at| (at.line(), at.column()));
            Problem::new(line, column, "", yaml_message(&err))
        })?;
    tree::pyyaml_booleans(&mut root, text);
    Ok(root)
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
                B::Events { .. } | B::Nodes { .. } | B::ScalarBytes { .. } => String::from(
                    "invalid YAML: more values than the reader allows \
                     (a config this large is refused, whether written out or expanded from aliases)",
                ),
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
#[cfg(not(feature = "json"))]
fn parse_json(_text: &str) -> Result<Node, Problem> {
    Err(Problem::new(
        0,
        0,
        "",
        "JSON configs need logconf's `json` feature (on by default); write the config in YAML or enable the feature",
    ))
}

#[cfg(feature = "json")]
fn parse_json(text: &str) -> Result<Node, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(json_problem(&err));
    }
    json_depth(text)?;
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

#[cfg(feature = "json")]
/// Refuses (syntactically valid) JSON nested deeper than [`MAX_DEPTH`],
/// at the bracket that goes too deep.
fn json_depth(text: &str) -> Result<(), Problem> {
    let (mut depth, mut line, mut column) = (0usize, 1u64, 0u64);
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        column += 1;
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\n' => {
                line += 1;
                column = 0;
            }
            '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Problem::new(
                        line,
                        column,
                        "",
                        format!("invalid JSON: nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(feature = "json")]
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

#[cfg(feature = "json")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handler::null::NullHandler;
    use crate::handler::rotating::{RotatingSettings, SizeRule};
    use crate::handler::{FileMode, FileOptions, StreamTarget};
    use crate::level::Level;
    use crate::model::HandlerSpec;
    use crate::tree::Value;
    use std::path::PathBuf;

    /// The settings of `handler`, which must be a `T`.
    fn settings<T: 'static>(handler: &HandlerSpec) -> &T {
        match handler.settings.as_any().downcast_ref::<T>() {
            Some(settings) => settings,
            None => panic!("unexpected settings {:?}", handler.settings),
        }
    }

    fn yaml(text: &str) -> Model {
        match load(
            text.as_bytes(),
            "<test>",
            Syntax::Yaml,
            crate::registry::empty(),
        ) {
            Ok(model) => model,
            Err(err) => panic!("{err}"),
        }
    }

    fn problems(text: &str, syntax: Syntax) -> Vec<Problem> {
        match load(text.as_bytes(), "<test>", syntax, crate::registry::empty()) {
            Ok(model) => panic!("loaded: {model:?}"),
            Err(err) => err.problems().to_vec(),
        }
    }

    #[test]
    fn seed_config_model() {
        let text = include_str!("../../configs/seed_logger_config.yaml");
        let m = yaml(text);
        assert_eq!(m.source, "<test>");
        let names: Vec<&str> = m.formatters.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["simple", "fancy", "debug"]);
        let names: Vec<&str> = m.handlers.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["console", "screen", "logfile"]);
        assert_eq!(
            settings::<StreamTarget>(&m.handlers[0]),
            &StreamTarget::Stdout
        );
        assert_eq!(m.handlers[0].level, Level::DEBUG);
        assert_eq!(m.handlers[0].formatter, Some(0));
        assert_eq!(m.handlers[1].level, Level::ERROR);
        assert_eq!(m.handlers[1].formatter, Some(1));
        assert_eq!(
            settings::<RotatingSettings>(&m.handlers[2]),
            &RotatingSettings {
                file: FileOptions {
                    path: PathBuf::from("/tmp/deployVpc.log"),
                    mode: FileMode::Append,
                    delay: false,
                    permissions: 0o640,
                    buffer: None,
                },
                rule: SizeRule {
                    max_bytes: 1_000_000,
                    backup_count: 10,
                    keep: Default::default(),
                },
            }
        );
        assert_eq!(m.handlers[2].formatter, Some(2));
        let names: Vec<&str> = m.loggers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["boto", "boto3", "botocore", "deployVpc", "__main__"]
        );
        for logger in &m.loggers {
            assert_eq!(logger.handlers, [2, 1]);
            assert!(!logger.propagate);
        }
        assert_eq!(m.loggers[0].level, Level::WARNING);
        assert_eq!(m.loggers[3].level, Level::INFO);
        assert_eq!(m.root.level, Level::NOTSET);
        assert_eq!(m.root.handlers, [0, 2]);
        assert_eq!(m.root.pattern.depth(), 0);
        assert!(m.quiet_dependencies);
        assert!(m.filters.is_empty());
    }

    #[test]
    fn defaults() {
        let m = yaml(
            "version: 1\nhandlers:\n  s: {class: logging.StreamHandler}\n  f: {class: logging.FileHandler, filename: a.log}\n  n: {class: logging.NullHandler}\nloggers:\n  app: {}\n",
        );
        assert_eq!(
            settings::<StreamTarget>(&m.handlers[0]),
            &StreamTarget::Stderr
        );
        assert_eq!(m.handlers[0].level, Level::NOTSET);
        assert_eq!(m.handlers[0].formatter, None);
        assert_eq!(
            settings::<FileOptions>(&m.handlers[1]),
            &FileOptions {
                path: PathBuf::from("a.log"),
                mode: FileMode::Append,
                delay: false,
                permissions: 0o640,
                buffer: None,
            }
        );
        assert_eq!(settings::<NullHandler>(&m.handlers[2]), &NullHandler);
        assert_eq!(m.loggers[0].level, Level::NOTSET);
        assert!(m.loggers[0].propagate);
        assert!(m.loggers[0].handlers.is_empty());
        // The root defaults to WARNING, as Python's.
        assert_eq!(m.root.level, Level::WARNING);
        assert!(m.root.handlers.is_empty());
    }

    #[test]
    fn file_options() {
        let m = yaml(
            "version: 1\nhandlers:\n  w:\n    class: logging.FileHandler\n    filename: w.log\n    mode: w\n    delay: true\n    permissions: \"0600\"\n  r:\n    class: logging.handlers.RotatingFileHandler\n    filename: r.log\n    mode: w\n    maxBytes: 10\n  r0:\n    class: logging.handlers.RotatingFileHandler\n    filename: r0.log\n    mode: w\n    permissions: 0644\n",
        );
        let w = settings::<FileOptions>(&m.handlers[0]);
        assert_eq!(
            (w.mode, w.delay, w.permissions),
            (FileMode::Truncate, true, 0o600)
        );
        // maxBytes > 0 forces append, as Python's RotatingFileHandler does.
        let r = settings::<RotatingSettings>(&m.handlers[1]);
        assert_eq!(
            (
                r.rule.mode(r.file.mode),
                r.rule.max_bytes,
                r.rule.backup_count
            ),
            (FileMode::Append, 10, 0)
        );
        let r0 = settings::<RotatingSettings>(&m.handlers[2]);
        assert_eq!(
            (r0.rule.mode(r0.file.mode), r0.file.permissions),
            (FileMode::Truncate, 0o644)
        );
    }

    #[test]
    fn references_resolve_to_indexes() {
        let m = yaml(
            "version: 1\nformatters:\n  a: {format: 'x %(message)s'}\n  b: {format: 'y %(message)s'}\nfilters:\n  f1: {name: app}\n  f2: {}\nhandlers:\n  h1: {class: logging.NullHandler, formatter: b, filters: [f2, f1]}\n  h2: {class: logging.NullHandler}\nloggers:\n  app:\n    handlers: [h2, h1, h2]\n    filters: [f2]\n",
        );
        assert_eq!(m.handlers[0].formatter, Some(1));
        assert_eq!(m.handlers[0].filters, [1, 0]);
        assert_eq!(m.filters[0].logger, "app");
        assert_eq!(m.filters[1].logger, "");
        // The model keeps the list as written; routing attaches each handler once.
        assert_eq!(m.loggers[0].handlers, [1, 0, 1]);
        assert_eq!(m.loggers[0].filters, [1]);
    }

    #[test]
    fn empty_logger_then_root() {
        let base = "version: 1\nfilters:\n  f: {}\n  g: {}\nhandlers:\n  a: {class: logging.NullHandler}\n  b: {class: logging.NullHandler}\nloggers:\n  \"\": {level: DEBUG, handlers: [a], filters: [f]}\n";
        let m = yaml(base);
        assert!(m.loggers.is_empty());
        assert_eq!(
            (m.root.level, m.root.handlers.clone()),
            (Level::DEBUG, vec![0])
        );
        let m = yaml(&format!("{base}root: {{handlers: [b], filters: [g]}}\n"));
        // `root:` is applied after: its handlers replace, its level (absent)
        // keeps DEBUG, filters add up.
        assert_eq!(m.root.level, Level::DEBUG);
        assert_eq!(m.root.handlers, [1]);
        assert_eq!(m.root.filters, [0, 1]);
        let m = yaml(&format!("{base}root: {{level: ERROR}}\n"));
        assert_eq!(m.root.level, Level::ERROR);
        assert!(m.root.handlers.is_empty());
    }

    #[test]
    fn logconf_options() {
        let m = yaml("version: 1\nlogconf:\n  quiet_dependencies: no\n");
        assert!(!m.quiet_dependencies);
    }

    #[test]
    fn logger_names_and_levels() {
        let m = yaml(
            "version: 1\nloggers:\n  a.b: {level: 15}\n  c::d: {level: critical}\n  aws_*: {level: warn}\n",
        );
        assert_eq!(m.loggers[0].pattern.to_string(), "a::b");
        assert_eq!(m.loggers[0].level, Level::from_number(15));
        assert_eq!(m.loggers[1].level, Level::CRITICAL);
        assert_eq!(m.loggers[2].level, Level::WARNING);
        assert!(!m.loggers[2].pattern.is_literal());
    }

    #[test]
    fn json_places_and_model() {
        let text = "{\n  \"version\": 1,\n  \"loggers\": {\"a\": {\"propagate\": false}}\n}";
        let m = match load(
            text.as_bytes(),
            "<test>",
            Syntax::Json,
            crate::registry::empty(),
        ) {
            Ok(m) => m,
            Err(err) => panic!("{err}"),
        };
        assert!(!m.loggers[0].propagate);
        let p = problems(
            "{\n  \"version\": 1,\n\t\"root\": {\"level\": \"LOUD\"}\n}",
            Syntax::Json,
        );
        assert_eq!((p[0].line(), p[0].column()), (Some(3), Some(20)));
        // JSON has no YAML 1.1 booleans, but yes/no keys read the words.
        let m = match load(
            b"{\"version\": 1, \"loggers\": {\"a\": {\"propagate\": \"no\"}}}",
            "<test>",
            Syntax::Json,
            crate::registry::empty(),
        ) {
            Ok(m) => m,
            Err(err) => panic!("{err}"),
        };
        assert!(!m.loggers[0].propagate);
        let p = problems(
            "{\"version\": 1, \"loggers\": {\"a\": {\"propagate\": \"nah\"}}}",
            Syntax::Json,
        );
        assert_eq!(p[0].message(), "expected a boolean, found the string `nah`");
    }

    #[test]
    fn compact_json_reads_as_yaml() {
        let text = r#"{"version":1,"loggers":{"a\/b":{"level":"INFO","propagate":false}},"root":{"level":10}}"#;
        let m = match load(
            text.as_bytes(),
            "<test>",
            Syntax::Json,
            crate::registry::empty(),
        ) {
            Ok(m) => m,
            Err(err) => panic!("{err}"),
        };
        assert_eq!(m.loggers[0].name, "a/b");
        assert_eq!(m.root.level, Level::DEBUG);
        let p = problems(r#"{"version":1,"root":{"levl":10}}"#, Syntax::Json);
        assert_eq!((p[0].line(), p[0].column()), (Some(1), Some(22)));
    }

    #[test]
    fn deep_json_is_refused() {
        let text = format!(
            "{{\"version\": 1, \"x\": {}{}}}",
            "[".repeat(40),
            "]".repeat(40)
        );
        let p = problems(&text, Syntax::Json);
        assert_eq!((p[0].line(), p[0].column()), (Some(1), Some(36)));
        assert_eq!(p[0].message(), "invalid JSON: nested deeper than 16 levels");
        // Brackets inside strings do not count.
        let text = format!(
            "{{\"version\": 1, \"root\": {{\"level\": \"{}\"}}}}",
            "[".repeat(40)
        );
        let p = problems(&text, Syntax::Json);
        assert!(p[0].message().starts_with("unknown level"), "{p:?}");
    }

    #[test]
    fn json_fallback_without_places() {
        let long = "k".repeat(2000);
        let text =
            format!("{{\"version\": 1, \"loggers\": {{\"{long}\": {{\"level\": \"NOPE\"}}}}}}");
        let p = problems(&text, Syntax::Json);
        assert_eq!(p.len(), 1);
        assert!(p[0].message().starts_with("unknown level"), "{:?}", p[0]);
    }

    #[test]
    fn utf8_and_size() {
        let p = match load(
            b"version: 1\n\xff",
            "<t>",
            Syntax::Yaml,
            crate::registry::empty(),
        ) {
            Err(err) => err.problems().to_vec(),
            Ok(_) => panic!("loaded"),
        };
        assert_eq!((p[0].line(), p[0].column()), (Some(2), Some(1)));
        let big = vec![b' '; MAX_CONFIG_BYTES + 1];
        assert!(load(&big, "<t>", Syntax::Yaml, crate::registry::empty()).is_err());
    }

    #[test]
    fn node_tree() {
        let node: Node = match serde_saphyr::from_str_with_options("a: [1, x]\n", yaml_options()) {
            Ok(n) => n,
            Err(err) => panic!("{err}"),
        };
        let Value::Map(entries) = &node.value else {
            panic!("{node:?}");
        };
        let (key, value) = &entries[0];
        assert_eq!((key.pos.line, key.pos.column), (1, 1));
        assert_eq!((value.pos.line, value.pos.column), (1, 4));
        let Value::Seq(items) = &value.value else {
            panic!("{value:?}");
        };
        assert_eq!(items[1].value, Value::Str("x".into()));
        assert_eq!(items[1].pos.column, 8);
    }
}
