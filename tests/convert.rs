//! `fileConfig` INI files converted to YAML dictConfig (`logconf convert`):
//! the YAML configures what the INI file configures.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::process::Command;

/// The `ini: |` block of a conformance scenario.
fn ini_of(scenario: &str) -> String {
    let text = std::fs::read_to_string(scenario).unwrap();
    let mut lines = text.lines().skip_while(|l| *l != "ini: |").skip(1);
    let mut ini = String::new();
    for line in lines.by_ref() {
        if !line.is_empty() && !line.starts_with("  ") {
            break;
        }
        ini.push_str(line.strip_prefix("  ").unwrap_or(line));
        ini.push('\n');
    }
    ini
}

/// Every INI scenario of the conformance suite (CPython's own fileConfig
/// test configs among them) converts to YAML that routes every target the
/// same way, with the same handlers and levels.
#[test]
fn converted_yaml_routes_as_the_ini_file() {
    let mut converted = 0;
    for entry in std::fs::read_dir("tests/conformance/scenarios").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("ini_") {
            continue;
        }
        let ini = ini_of(&path.to_string_lossy());
        assert!(ini.contains("[loggers]"), "{name}: no ini block");
        let from_ini = logconf::Config::from_ini_str(&ini).unwrap();
        let yaml = logconf::Config::ini_to_yaml(&ini).unwrap();
        let from_yaml = logconf::Config::from_yaml_str(&yaml)
            .unwrap_or_else(|e| panic!("{name}: the YAML does not load: {e}\n{yaml}"));
        for target in [
            "app",
            "app::db",
            "compiler",
            "compiler::parser",
            "compiler::lexer",
            "other",
        ] {
            assert_eq!(
                from_yaml.explain(target).to_string(),
                from_ini.explain(target).to_string(),
                "{name}: {target}\n{yaml}"
            );
        }
        converted += 1;
    }
    assert!(converted >= 5, "only {converted} INI scenarios found");
}

#[test]
fn the_command_prints_yaml_and_fails_on_problems() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("logging.conf");
    std::fs::write(
        &good,
        "[loggers]\nkeys=root\n[handlers]\nkeys=console\n[formatters]\nkeys=simple\n\
         [logger_root]\nlevel=INFO\nhandlers=console\n\
         [handler_console]\nclass=StreamHandler\nformatter=simple\nargs=(sys.stdout,)\n\
         [formatter_simple]\nformat=%(levelname)s: %(message)s\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_logconf"))
        .args(["convert", &good.to_string_lossy()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let yaml = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        yaml,
        "version: 1\n\
         formatters:\n  simple:\n    format: \"%(levelname)s: %(message)s\"\n\
         handlers:\n  console:\n    class: logging.StreamHandler\n    formatter: simple\n    stream: ext://sys.stdout\n\
         loggers: {}\n\
         root:\n  level: INFO\n  handlers: [console]\n"
    );
    let bad = dir.path().join("broken.conf");
    std::fs::write(&bad, "[loggers]\nkeys=root,app\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_logconf"))
        .args(["convert", &bad.to_string_lossy()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&*bad.to_string_lossy()), "{text}");
    assert!(text.contains("missing section `[handlers]`"), "{text}");
}
