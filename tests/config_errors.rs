//! Golden tests for config errors.
//!
//! Every `tests/config_errors/NAME.yaml` (or `NAME.json`) is a bad config;
//! `tests/config_errors/NAME.expected` is the full `Display` text of the
//! error it must produce. Loading must fail, never panic, and print exactly
//! the golden text.
//!
//! To regenerate the goldens after an intended change of messages, run
//!
//! ```text
//! LOGCONF_BLESS=1 cargo test --test config_errors
//! ```
//!
//! and review the diff before committing.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

/// The corpus folder, relative to the package root (the test's working
/// directory), so that the source names in the goldens are the same everywhere.
const CORPUS: &str = "tests/config_errors";

fn bless() -> bool {
    std::env::var_os("LOGCONF_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// `text` as the default build prints it: the goldens are of the default
/// build, and classes behind cargo features (`otlp`) are left out of the
/// lists of classes in messages (`` `a`, `b` or `c` ``).
fn default_build_text(text: &str) -> String {
    const FEATURE_CLASSES: &[&str] = &["`logconf.OtlpHandler`"];
    let mut text = text.to_owned();
    for class in FEATURE_CLASSES {
        // In the middle of a list, or first.
        text = text.replace(&format!(", {class}"), "");
        text = text.replace(&format!("{class}, "), "");
        // Last: `a`, `b` or CLASS becomes `a` or `b`.
        let last = format!(" or {class}");
        while let Some(at) = text.find(&last) {
            let head = &text[..at];
            let line_start = head.rfind('\n').map_or(0, |i| i + 1);
            let (before, tail) = match head[line_start..].rfind(", `") {
                Some(i) if !head[line_start + i + 2..].contains(' ') => {
                    let i = line_start + i;
                    (
                        format!("{} or {}", &head[..i], &head[i + 2..]),
                        at + last.len(),
                    )
                }
                _ => (head.to_owned(), at + last.len()),
            };
            text = format!("{before}{}", &text[tail..]);
        }
    }
    text
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(CORPUS)
        .expect("the corpus folder exists")
        .map(|e| Path::new(CORPUS).join(e.expect("a folder entry").file_name()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml") | Some("json") | Some("ini") | Some("conf")
            )
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn corpus_matches_goldens() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let err = match logconf::Config::from_path(case) {
            Ok(_) => {
                failures.push(format!("{}: loaded without error", case.display()));
                continue;
            }
            Err(err) => err,
        };
        assert!(err.is_config(), "{}: {err}", case.display());
        assert!(!err.problems().is_empty(), "{}", case.display());
        let actual = default_build_text(&format!("{err}\n"));
        let golden = case.with_extension("expected");
        if bless() {
            fs::write(&golden, &actual).expect("write the golden file");
            continue;
        }
        match fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                case.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no golden file (run with LOGCONF_BLESS=1)\n{actual}",
                case.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_golden_has_a_case() {
    for entry in fs::read_dir(CORPUS).expect("the corpus folder exists") {
        let path = entry.expect("a folder entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("expected") {
            let has_case = ["yaml", "json", "ini", "conf"]
                .iter()
                .any(|ext| path.with_extension(ext).exists());
            assert!(has_case, "{} has no config", path.display());
        }
    }
}

#[test]
fn problems_are_sorted_and_placed() {
    for case in cases() {
        let Err(err) = logconf::Config::from_path(&case) else {
            continue;
        };
        let places: Vec<(Option<u64>, Option<u64>)> = err
            .problems()
            .iter()
            .map(|p| (p.line(), p.column()))
            .collect();
        let mut sorted = places.clone();
        sorted.sort();
        assert_eq!(places, sorted, "{}", case.display());
        for p in err.problems() {
            assert!(
                !p.message().ends_with('.'),
                "{}: {}",
                case.display(),
                p.message()
            );
            let first = p.message().chars().next().unwrap_or('a');
            assert!(!first.is_uppercase(), "{}: {}", case.display(), p.message());
        }
    }
}

#[test]
fn several_problems_are_all_reported() {
    let err = logconf::Config::from_path(Path::new(CORPUS).join("several_problems.yaml"))
        .expect_err("the config is bad");
    let paths: Vec<&str> = err.problems().iter().map(|p| p.key_path()).collect();
    for expected in [
        "version",
        "handlers.console.class",
        "handlers.console.formatter",
        "handlers.logfile.maxBytes",
        "handlers.logfile.encodng",
        "loggers.app.level",
        "loggers.app.handlers[0]",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[test]
fn unknown_reference_has_place_and_suggestion() {
    let text = "version: 1\nhandlers:\n  file:\n    class: logging.NullHandler\nloggers:\n  app:\n    handlers: [file, fil]\n";
    let err = logconf::Config::from_yaml_str(text).expect_err("bad reference");
    let [p] = err.problems() else {
        panic!("one problem expected: {err}");
    };
    assert_eq!((p.line(), p.column()), (Some(7), Some(22)));
    assert_eq!(p.key_path(), "loggers.app.handlers[1]");
    assert_eq!(p.message(), "unknown handler `fil`");
    assert_eq!(p.help(), Some("did you mean `file`?"));
}

#[test]
fn very_large_file_is_refused() {
    let mut text = String::from("version: 1\nformatters:\n");
    let mut i = 0;
    while text.len() <= 5 * 1024 * 1024 {
        text.push_str(&format!("  f{i}:\n    format: \"%(message)s\"\n"));
        i += 1;
    }
    let err = logconf::Config::from_yaml_str(&text).expect_err("too large");
    assert_eq!(err.problems().len(), 1);
    assert!(err.problems()[0].message().contains("too large"), "{err}");
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let err =
        logconf::Config::from_json_str("{\n  \"version\": 1,\n  \"root\": {\"level\": INFO}\n}\n")
            .expect_err("bad JSON");
    let p = &err.problems()[0];
    assert_eq!(p.line(), Some(3));
    assert!(p.column() > Some(0));
}

#[test]
fn json_validation_problems_have_places() {
    let text = "{\"version\": 1,\n \"root\": {\"level\": \"LOUD\"}}";
    let err = logconf::Config::from_json_str(text).expect_err("bad level");
    let p = &err.problems()[0];
    assert_eq!(
        (p.line(), p.column(), p.key_path()),
        (Some(2), Some(20), "root.level")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = logconf::Config::from_yaml_str(&text);
        let _ = logconf::Config::from_json_str(&text);
    }

    #[test]
    fn config_like_text_never_panics(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("version: 1\n"), Just("root:\n"), Just("  level: "), Just("INFO\n"),
                Just("handlers:\n"), Just("  h:\n"), Just("    class: "),
                Just("logging.FileHandler\n"), Just("    filename: x\n"), Just("[a, {b: *c}]\n"),
                Just("&c 1\n"), Just("loggers:\n"), Just("  \"\":\n"), Just("    handlers: [h]\n"),
                Just("- "), Just("\t"), Just("{"), Just("'"), Just("\""), Just("%(mess"),
                Just("    maxBytes: 1e400\n"), Just("    permissions: 0777\n"),
            ],
            0..40,
        )
    ) {
        let text: String = parts.concat();
        let _ = logconf::Config::from_yaml_str(&text);
    }
}
