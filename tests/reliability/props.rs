//! Property tests of hostile input, where the config loader's own corpus
//! (`tests/config_errors/`) does not reach: any text, any format string,
//! any logger name and target must load or fail with problems, never panic;
//! a format that loads must render any message; `explain` must answer for
//! any target. The `fuzz/` targets run the same properties much longer.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};

use crate::{Test, full_size};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("prop_any_yaml_text_loads_or_fails", any_yaml_text),
    ("prop_any_json_text_loads_or_fails", any_json_text),
    ("prop_mutated_config_loads_or_fails", mutated_config),
    (
        "prop_any_format_string_loads_and_renders",
        any_format_string,
    ),
    ("prop_any_logger_name_and_target_explain", any_logger_name),
];

fn runner() -> TestRunner {
    TestRunner::new(PropConfig {
        cases: if full_size() { 4096 } else { 256 },
        failure_persistence: None,
        ..PropConfig::default()
    })
}

/// A load result must be a config or an error with at least one problem
/// (or a non-config error): never a panic.
fn loaded(
    result: Result<logconf::Config, logconf::Error>,
) -> Result<Option<logconf::Config>, TestCaseError> {
    match result {
        Ok(config) => Ok(Some(config)),
        Err(e) => {
            prop_assert!(
                !e.is_config() || !e.problems().is_empty(),
                "a config error without problems: {e}"
            );
            prop_assert!(!e.to_string().is_empty());
            Ok(None)
        }
    }
}

const SEED: &str = "version: 1
formatters:
  plain: {format: '%(asctime)s|%(levelname)s|%(name)s|%(message)s', datefmt: '%H:%M:%S'}
handlers:
  out: {class: logging.NullHandler}
  file: {class: logging.handlers.RotatingFileHandler, filename: /dev/null, maxBytes: 10, backupCount: 2, formatter: plain}
loggers:
  aws: {level: WARNING, handlers: [out], propagate: no}
  'app.*': {level: DEBUG}
root: {level: INFO, handlers: [file]}
";

fn any_yaml_text() -> Result<(), String> {
    runner()
        .run(&any::<String>(), |text| {
            loaded(logconf::Config::from_yaml_str(&text)).map(drop)
        })
        .map_err(|e| panic!("{e}"))
}

fn any_json_text() -> Result<(), String> {
    let strategy = prop_oneof![
        any::<String>(),
        "[{}\\[\\]\":,0-9a-z \\\\]{0,80}",
        Just(r#"{"version": 1, "root": {"level": "INFO"}}"#.to_owned()),
    ];
    runner()
        .run(&strategy, |text| {
            loaded(logconf::Config::from_json_str(&text)).map(drop)
        })
        .map_err(|e| panic!("{e}"))
}

fn mutated_config() -> Result<(), String> {
    // The seed with one byte range replaced by arbitrary text.
    let strategy = (0..SEED.len(), 0usize..8, "\\PC{0,8}");
    runner()
        .run(&strategy, |(at, len, with)| {
            let at = floor_char_boundary(SEED, at);
            let end = floor_char_boundary(SEED, (at + len).min(SEED.len()));
            let text = format!("{}{with}{}", &SEED[..at], &SEED[end..]);
            if let Some(config) = loaded(logconf::Config::from_yaml_str(&text))? {
                let _ = config.explain("app.x::y");
            }
            Ok(())
        })
        .map_err(|e| panic!("{e}"))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// YAML single-quoted scalar for `s`.
fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn any_format_string() -> Result<(), String> {
    let piece = prop_oneof![
        Just("%(message)s".to_owned()),
        Just("%(levelname)-8s".to_owned()),
        Just("%(asctime)s".to_owned()),
        Just("{message!r:>10}".to_owned()),
        Just("${name}".to_owned()),
        "[%(){}$a-z0-9.+#<>^!:-]{0,6}",
        "\\PC{0,4}",
    ];
    let style = prop_oneof![Just("'%'"), Just("'{'"), Just("'$'")];
    let strategy = (
        proptest::collection::vec(piece, 0..6),
        style,
        any::<bool>(),
        "\\PC{0,20}",
    );
    let (tried, rendered) = (AtomicUsize::new(0), AtomicUsize::new(0));
    runner()
        .run(&strategy, |(pieces, style, validate, message)| {
            tried.fetch_add(1, Ordering::Relaxed);
            let format = pieces.concat();
            let yaml = format!(
                "version: 1
formatters:
  f: {{format: {}, style: {style}, validate: {validate}}}
handlers:
  h: {{class: logging.FileHandler, filename: /dev/null, formatter: f}}
root: {{level: DEBUG, handlers: [h]}}
",
                yaml_quote(&format)
            );
            if let Some(config) = loaded(logconf::Config::from_yaml_str(&yaml))? {
                let built = config
                    .build()
                    .map_err(|e| TestCaseError::fail(format!("build: {e}")))?;
                tracing::subscriber::with_default(built.subscriber(), || {
                    tracing::info!(answer = 42, "{message}");
                    tracing::warn!(target: "x::y", "{message}");
                });
                rendered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "     {} of {} format strings loaded and rendered",
        rendered.into_inner(),
        tried.into_inner()
    );
    Ok(())
}

fn any_logger_name() -> Result<(), String> {
    let name = prop_oneof!["[a-z_*.:]{0,12}", "\\PC{0,12}"];
    let strategy = (name.clone(), name);
    let (tried, loaded_n) = (AtomicUsize::new(0), AtomicUsize::new(0));
    runner()
        .run(&strategy, |(logger, target)| {
            tried.fetch_add(1, Ordering::Relaxed);
            let yaml = format!(
                "version: 1
handlers:
  h: {{class: logging.NullHandler}}
loggers:
  {}: {{level: DEBUG, handlers: [h]}}
root: {{level: INFO}}
",
                yaml_quote(&logger)
            );
            if let Some(config) = loaded(logconf::Config::from_yaml_str(&yaml))? {
                loaded_n.fetch_add(1, Ordering::Relaxed);
                let text = config.explain(&target);
                prop_assert!(!text.as_str().is_empty());
                // `a.b` and `a::b` are the same logger.
                let built = config
                    .build()
                    .map_err(|e| TestCaseError::fail(format!("build: {e}")))?;
                if !target.contains(':') && !target.split('.').any(str::is_empty) {
                    prop_assert_eq!(
                        route_lines(built.explain(&target).as_str()),
                        route_lines(built.explain(&target.replace('.', "::")).as_str())
                    );
                }
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "     {} of {} logger names loaded",
        loaded_n.into_inner(),
        tried.into_inner()
    );
    Ok(())
}

/// `explain` without its first line (which repeats the target as given).
fn route_lines(text: &str) -> String {
    text.lines().skip(1).collect::<Vec<_>>().join("\n")
}
