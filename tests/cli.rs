//! The `logconf` command: `check` fails CI on a bad file with every problem
//! listed; `explain` says where a target's records go.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::process::{Command, Output};

fn logconf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_logconf"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn check_passes_good_files() {
    let out = logconf(&[
        "check",
        "configs/logger_config.yaml",
        "configs/seed_logger_config.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "configs/logger_config.yaml: ok\nconfigs/seed_logger_config.yaml: ok\n"
    );
}

#[test]
fn check_fails_with_every_problem() {
    let out = logconf(&[
        "check",
        "configs/logger_config.yaml",
        "tests/config_errors/bad_truthy.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let golden = std::fs::read_to_string("tests/config_errors/bad_truthy.expected").unwrap();
    assert_eq!(stdout, format!("configs/logger_config.yaml: ok\n{golden}"));
}

#[test]
fn check_json_lines_carry_places() {
    let out = logconf(&[
        "check",
        "--format",
        "json",
        "tests/config_errors/bad_truthy.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0]["file"], "tests/config_errors/bad_truthy.yaml");
    assert_eq!(lines[0]["line"], 4);
    assert_eq!(lines[0]["column"], 40);
    assert_eq!(lines[0]["key_path"], "formatters.f.validate");
    assert_eq!(
        lines[0]["message"],
        "expected a boolean, found the string `sure`"
    );
    assert!(
        lines[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("write `true`")
    );
}

#[test]
fn check_github_annotations() {
    let out = logconf(&[
        "check",
        "--format",
        "github",
        "tests/config_errors/bad_truthy.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "::error file=tests/config_errors/bad_truthy.yaml,line=4,col=40,title=formatters.f.validate::expected a boolean, found the string `sure`; write `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`)"
    );
}

#[test]
fn check_reports_an_unreadable_file() {
    let out = logconf(&["check", "no/such/file.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("read logging config no/such/file.yaml: "),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn explain_a_target_and_a_level() {
    let out = logconf(&[
        "explain",
        "configs/logger_config.yaml",
        "deploy_vpc",
        "DEBUG",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("target `deploy_vpc`\n"), "{stdout}");
    assert!(stdout.contains("a record at DEBUG:\n"), "{stdout}");
    let out = logconf(&[
        "explain",
        "configs/logger_config.yaml",
        "aws_sdk_ec2::client",
        "info",
    ]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.ends_with("a record at INFO:\n  dropped: below the effective level WARNING\n"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["check"][..],
        &["explain", "x.yaml"][..],
    ] {
        let out = logconf(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).starts_with("usage: logconf"), "{args:?}");
    }
    let out = logconf(&["explain", "configs/logger_config.yaml", "app", "LOUD"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "unknown level `LOUD`; levels are names like INFO or numbers\n"
    );
}
