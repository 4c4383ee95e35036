//! `RUST_LOG` read as logger levels over the file's.
//!
//! The syntax is tracing-subscriber's `EnvFilter`, restricted to what a
//! logger hierarchy can mean: comma-separated directives, each
//!
//! | directive | meaning |
//! |---|---|
//! | `LEVEL` | the root logger's level |
//! | `target=LEVEL` | the level of logger `target` (created, without handlers and propagating, if the file has none) |
//! | `target` | logger `target` at `TRACE` (as `EnvFilter` reads a bare target) |
//!
//! Levels are `off`, `error`, `warn`, `info`, `debug`, `trace` in any case,
//! or the numbers `0` (off) to `5` (trace). Targets match on whole segments,
//! `.` and `::` alike: `app=debug` sets `app` and, through it, `app::db`,
//! never `application`. The last directive for a target wins. Span and field
//! directives (`[span]`, `{field}`) are refused: logconf routes by target
//! only. These are logger levels: a handler's own `level:` still applies.

use crate::error::{Error, Problem};
use crate::level::Level;
use crate::model::NamePattern;

/// The level `off` stands for: above every record's level.
pub(crate) const OFF: Level = Level::from_number(u32::MAX);

/// One `target=level` (or root `level`) directive.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EnvLevel {
    /// The logger, literal (the root for a bare level).
    pub(crate) pattern: NamePattern,
    /// The level it sets.
    pub(crate) level: Level,
    /// The directive as written, for `explain`.
    pub(crate) directive: String,
}

impl EnvLevel {
    /// Whether this directive sets the root's level.
    pub(crate) fn is_root(&self) -> bool {
        self.pattern.depth() == 0
    }
}

/// An `EnvFilter` level: a name in any case or `0`-`5`.
fn parse_level(text: &str) -> Option<Level> {
    const LEVELS: [(&str, &str, Level); 6] = [
        ("off", "0", OFF),
        ("error", "1", Level::ERROR),
        ("warn", "2", Level::WARNING),
        ("info", "3", Level::INFO),
        ("debug", "4", Level::DEBUG),
        ("trace", "5", Level::TRACE),
    ];
    LEVELS
        .iter()
        .find(|(name, number, _)| name.eq_ignore_ascii_case(text) || *number == text)
        .map(|&(_, _, level)| level)
}

/// Parses `text` (the value of the variable `source`, `RUST_LOG`). Every
/// bad directive is a problem at line 1 and its column in the value.
pub(crate) fn parse(text: &str, source: &str) -> Result<Vec<EnvLevel>, Error> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut start = 0usize;
    for piece in text.split(',') {
        let column = text[..start].chars().count() as u64 + 1;
        start += piece.len() + 1;
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            continue;
        }
        let column = column + (piece.len() - piece.trim_start().len()) as u64;
        match directive(trimmed) {
            Ok(level) => out.push(level),
            Err((message, help)) => {
                problems.push(Problem::new(1, column, trimmed, message).with_help(help));
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::config(source, problems))
    }
}

/// One directive, or what is wrong with it and a suggestion.
fn directive(text: &str) -> Result<EnvLevel, (String, String)> {
    if text.contains(['[', ']', '{', '}']) {
        return Err((
            "span and field directives are not supported: logconf routes records by target only"
                .into(),
            "write `target=level`, or configure the target in the file".into(),
        ));
    }
    const LEVEL_HELP: &str =
        "expected one of `off`, `error`, `warn`, `info`, `debug`, `trace`, or a number 0-5";
    let (target, level) = match text.split_once('=') {
        None => match parse_level(text) {
            Some(level) => ("", level),
            None => (text, Level::TRACE),
        },
        Some((target, level)) => match parse_level(level.trim()) {
            Some(level) => (target.trim(), level),
            None => {
                return Err((
                    format!("unknown level `{}`", crate::args::show(level.trim())),
                    LEVEL_HELP.into(),
                ));
            }
        },
    };
    if target.is_empty() && text.contains('=') {
        return Err((
            "the directive names no target".into(),
            "write `target=level`, or a bare level for the root".into(),
        ));
    }
    let pattern = NamePattern::parse(target).map_err(|message| {
        (
            message.replace("logger name", "target"),
            "targets are names like `app::db`".into(),
        )
    })?;
    if !pattern.is_literal() {
        return Err((
            format!("target `{target}` is a pattern"),
            "`RUST_LOG` names targets literally; put patterns in the file".into(),
        ));
    }
    Ok(EnvLevel {
        pattern,
        level,
        directive: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<(String, Level)> {
        match parse(text, "RUST_LOG") {
            Ok(levels) => levels
                .into_iter()
                .map(|l| (l.pattern.to_string(), l.level))
                .collect(),
            Err(err) => panic!("{err}"),
        }
    }

    fn err(text: &str) -> String {
        match parse(text, "RUST_LOG") {
            Ok(levels) => panic!("parsed {levels:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn levels_targets_and_numbers() {
        assert_eq!(ok("info"), [(String::new(), Level::INFO)]);
        assert_eq!(
            ok(" warn , app=debug,app.db=5,x::y=0,lib,,"),
            [
                (String::new(), Level::WARNING),
                ("app".into(), Level::DEBUG),
                ("app::db".into(), Level::TRACE),
                ("x::y".into(), OFF),
                ("lib".into(), Level::TRACE),
            ]
        );
        assert_eq!(ok("APP=DEBUG"), [("APP".into(), Level::DEBUG)]);
        assert_eq!(ok("3"), [(String::new(), Level::INFO)]);
        assert!(ok("").is_empty());
    }

    #[test]
    fn span_field_and_bad_directives_are_located() {
        assert_eq!(
            err("info,app[req]=debug"),
            "invalid logging config RUST_LOG: 1 problem\n  RUST_LOG:1:6: app[req]=debug: \
             span and field directives are not supported: logconf routes records by target only; \
             write `target=level`, or configure the target in the file"
        );
        assert_eq!(
            err("[{user}]=debug, app=verbose"),
            "invalid logging config RUST_LOG: 2 problems\n  RUST_LOG:1:1: [{user}]=debug: \
             span and field directives are not supported: logconf routes records by target only; \
             write `target=level`, or configure the target in the file\n  RUST_LOG:1:17: app=verbose: \
             unknown level `verbose`; expected one of `off`, `error`, `warn`, `info`, `debug`, `trace`, or a number 0-5"
        );
        assert!(err("=debug").contains("names no target"));
        assert!(err("aws_*=debug").contains("is a pattern"));
        assert!(err("a..b=info").contains("empty segment"));
        assert!(err("app=6").contains("unknown level `6`"));
    }

    fn explain(yaml: &str, rust_log: &str, target: &str) -> String {
        crate::Config::from_yaml_str(yaml)
            .and_then(|c| c.with_rust_log(rust_log))
            .map(|c| c.explain(target).to_string())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    const FILE: &str = "version: 1\nhandlers:\n  h: {class: logging.NullHandler}\nloggers:\n  app: {level: INFO, handlers: [h], propagate: false}\n  lib*: {level: ERROR}\nroot: {level: WARNING}\n";

    #[test]
    fn over_the_files_loggers_keeping_their_handlers() {
        let text = explain(FILE, "app=debug", "app::db");
        assert_eq!(
            text,
            "target `app::db`\n  \
             logger `app` (config; level from RUST_LOG `app=debug`, was INFO): level DEBUG, handlers [h], propagate false\n  \
             effective level: DEBUG\n  \
             -> handler `h` (level NOTSET, formatter the default `%(message)s`)\n  \
             lowest level written: DEBUG\n"
        );
        // Whole segments: `application` is not `app`.
        let text = explain(FILE, "app=debug", "application");
        assert!(
            !text.contains("RUST_LOG") && text.contains("effective level: WARNING"),
            "{text}"
        );
        // On a glob, only the name given: `libz` keeps the glob's level.
        let text = explain(FILE, "libc=trace", "libc::x");
        assert!(
            text.contains(
                "logger `lib*` (config; level from RUST_LOG `libc=trace`, was ERROR): level TRACE"
            ),
            "{text}"
        );
        let text = explain(FILE, "libc=trace", "libz");
        assert!(text.contains("effective level: ERROR"), "{text}");
        // Over the quiet preset, and a deeper name added below a configured one.
        let text = explain(FILE, "aws_config=debug,app::db=off", "aws_config::imds");
        assert!(text.contains("logger `aws_config` (quiet preset; level from RUST_LOG `aws_config=debug`, was WARNING): level DEBUG"), "{text}");
        let text = explain(FILE, "aws_config=debug,app::db=off", "app::db::pool");
        assert!(text.contains("logger `app::db` (RUST_LOG `app::db=off`): level OFF, handlers [], propagate true\n  logger `app` (config)"), "{text}");
        assert!(
            text.contains("nothing from this target is ever written"),
            "{text}"
        );
        // The last directive for a name wins.
        let text = explain(FILE, "app=trace,app=error", "app");
        assert!(text.contains("level ERROR"), "{text}");
    }
}
