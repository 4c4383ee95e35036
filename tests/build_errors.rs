//! Errors of building a config: a handler whose output cannot be opened is
//! a problem placed at the handler's entry, with the `io::Error` as cause.

use std::error::Error as _;

#[test]
fn an_unopenable_handler_is_located_with_its_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A file where a folder is needed: the log file cannot be created.
    let blocker = dir.path().join("not_a_dir");
    std::fs::write(&blocker, "x").expect("write");
    let yaml = format!(
        "version: 1\nhandlers:\n  ok: {{class: logging.NullHandler}}\n  logfile:\n    class: logging.FileHandler\n    filename: {}\nroot: {{handlers: [ok, logfile]}}\n",
        blocker.join("app.log").display()
    );
    let config = logconf::Config::from_yaml_str(&yaml).expect("the config itself is valid");
    let err = config.build().expect_err("the file cannot be opened");
    assert!(err.is_io(), "{err}");
    assert!(!err.is_config());
    assert!(!err.is_install());
    let problems = err.problems();
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].key_path(), "handlers.logfile");
    assert_eq!(
        (problems[0].line(), problems[0].column()),
        (Some(4), Some(3))
    );
    let cause = problems[0].cause().expect("the io::Error is kept");
    // Creating the parent folder fails: a file is in the way.
    assert_eq!(cause.kind(), std::io::ErrorKind::AlreadyExists, "{cause}");
    let source = err.source().expect("source() is the io::Error");
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    let text = err.to_string();
    assert!(
        text.starts_with("cannot open the outputs of logging config <string>: 1 problem\n  <string>:4:3: handlers.logfile: cannot open the output of `logging.FileHandler`: cannot create the directory "),
        "{text}"
    );
    // Nothing was created.
    assert!(!blocker.join("app.log").exists());
}

#[test]
fn a_config_problem_has_no_cause_and_a_place() {
    let err = logconf::Config::from_yaml_str("version: 1\nroot: {level: LOUD}\n")
        .expect_err("unknown level");
    assert!(err.is_config());
    assert!(!err.is_io());
    assert!(err.source().is_none());
    assert_eq!(err.problems()[0].line(), Some(2));
    assert!(err.problems()[0].cause().is_none());
}

#[test]
fn a_problem_without_a_place_has_no_line() {
    let huge = format!("version: 1\n#{}\n", "x".repeat(4 * 1024 * 1024));
    let err = logconf::Config::from_yaml_str(&huge).expect_err("too large");
    let problem = &err.problems()[0];
    assert_eq!((problem.line(), problem.column()), (None, None));
    let text = err.to_string();
    assert!(
        text.starts_with("invalid logging config <string>: 1 problem\n  <string>: "),
        "{text}"
    );
}

#[test]
fn explanation_displays_the_route() {
    let config = logconf::Config::from_yaml_str(
        "version: 1\nhandlers: {h: {class: logging.NullHandler}}\nloggers: {app: {level: DEBUG, handlers: [h]}}\n",
    )
    .expect("valid");
    let explanation = config.explain("app::db");
    let text = explanation.to_string();
    assert_eq!(text, explanation.as_str());
    assert!(text.starts_with("target `app::db`\n"), "{text}");
    assert!(
        text.contains("logger `app` (config): level DEBUG, handlers [h]"),
        "{text}"
    );
}
