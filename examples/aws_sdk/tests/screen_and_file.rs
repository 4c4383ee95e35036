//! Runs `sts_whoami` in a temp dir with each profile and checks what
//! reached the screen (stdout) and the file (`logs/sts_whoami.log`).

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::{Command, Output};

/// The example's access key ids share this prefix; the SDK's INFO lines
/// print them.
const KEY_ID: &str = "AKIDEXAMPLE";
/// The secret keys of both profiles end with this.
const SECRET: &str = "EXAMPLEKEY";

/// One record: the fields between `|`, without the timestamp.
#[derive(Debug, PartialEq, Eq)]
struct Record {
    level: String,
    /// `%(name)s` in the file, `%(module)s.%(funcName)s` on the screen.
    source: String,
    /// `funcName` in the file; empty on the screen (it is in `source`).
    func: String,
    message: String,
}

/// Runs the example in `dir` with `args`, the `LOG_*` and `AWS_*`
/// variables of this process removed and `extra` set.
fn run(dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sts_whoami"));
    command.args(args).current_dir(dir).env("HOME", dir);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("AWS_") || text.starts_with("LOG_") {
            command.env_remove(&name);
        }
    }
    command.envs(extra.iter().copied());
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// True for `2026-12-04 14:09:16,123|`: where a record starts.
fn starts_record(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 24
        && b[4] == b'-'
        && b[10] == b' '
        && b[19] == b','
        && b[23] == b'|'
        && line[..4].bytes().all(|c| c.is_ascii_digit())
}

/// Splits output into records (a message may span lines), drops the
/// timestamp and the line number, and writes the stand-in's port as `PORT`.
fn records(output: &str, file_format: bool) -> Vec<Record> {
    let mut raw: Vec<String> = Vec::new();
    for line in output.lines() {
        match raw.last_mut() {
            Some(last) if !starts_record(line) => {
                last.push('\n');
                last.push_str(line);
            }
            _ => {
                assert!(starts_record(line), "not a record: {line:?}");
                raw.push(line.to_owned());
            }
        }
    }
    raw.iter()
        .map(|r| {
            let mut fields = r[24..].splitn(if file_format { 4 } else { 3 }, '|');
            let level = fields.next().unwrap_or_default().to_owned();
            let source;
            let func;
            if file_format {
                source = fields.next().unwrap_or_default().to_owned();
                func = fields.next().unwrap_or_default().to_owned();
            } else {
                source = fields.next().unwrap_or_default().to_owned();
                func = String::new();
            }
            let strip_line = |s: String| match s.rsplit_once(':') {
                Some((head, _line)) => head.to_owned(),
                None => s,
            };
            let (source, func) = if file_format {
                (source, strip_line(func))
            } else {
                (strip_line(source), func)
            };
            Record {
                level,
                source,
                func,
                message: port_free(fields.next().unwrap_or_default()),
            }
        })
        .collect()
}

/// `http://127.0.0.1:40123` -> `http://127.0.0.1:PORT`.
fn port_free(message: &str) -> String {
    match message.split_once("127.0.0.1:") {
        Some((head, tail)) => {
            let rest = tail.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{head}127.0.0.1:PORT{rest}")
        }
        None => message.to_owned(),
    }
}

fn rec(level: &str, source: &str, func: &str, message: &str) -> Record {
    Record {
        level: level.to_owned(),
        source: source.to_owned(),
        func: func.to_owned(),
        message: message.to_owned(),
    }
}

/// Records whose logger is one of the AWS SDK's crates or its HTTP stack.
fn sdk_records(records: &[Record]) -> Vec<&Record> {
    records
        .iter()
        .filter(|r| r.source.starts_with("aws_") || r.source.starts_with("hyper"))
        .collect()
}

const REFUSED: &str = "profile retired: GetCallerIdentity refused: InvalidClientTokenId: The security token included in the request is invalid.";

#[test]
fn default_profile_screen_shows_errors_file_tells_the_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[], &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stderr), "");

    // The screen: the one ERROR, nothing else.
    assert_eq!(
        records(&stdout, false),
        [rec("ERROR", "sts_whoami.check_profile", "", REFUSED)]
    );

    // The file: the app's INFO, no DEBUG, not one SDK record.
    let file = text(&std::fs::read(dir.path().join("logs/sts_whoami.log")).unwrap());
    let app = |message: &str| rec("INFO", "sts_whoami", "check_profile", message);
    assert_eq!(
        records(&file, true),
        [
            rec(
                "INFO",
                "sts_whoami",
                "<module>",
                "STS stand-in listening on http://127.0.0.1:PORT (loopback only)"
            ),
            app("profile deploy: STS client ready (region us-east-1)"),
            app(
                "profile deploy: call 1: account 123456789012, arn:aws:iam::123456789012:user/deploy"
            ),
            app(
                "profile deploy: call 2: account 123456789012, arn:aws:iam::123456789012:user/deploy"
            ),
            app(
                "profile deploy: call 3: account 123456789012, arn:aws:iam::123456789012:user/deploy"
            ),
            app(
                "profile deploy: call 4: account 123456789012, arn:aws:iam::123456789012:user/deploy"
            ),
            app(
                "profile deploy: call 5: account 123456789012, arn:aws:iam::123456789012:user/deploy"
            ),
            app("profile retired: STS client ready (region us-east-1)"),
            rec("ERROR", "sts_whoami", "check_profile", REFUSED),
            rec(
                "INFO",
                "sts_whoami",
                "<module>",
                "done: 5 of 6 calls succeeded; the stand-in answered 7 requests (the SDK retried its 503)"
            ),
        ]
    );

    // aws_config's INFO lines print the key id: held back by the preset.
    for output in [&stdout, &file] {
        assert!(!output.contains(KEY_ID), "{output}");
        assert!(!output.contains(SECRET), "{output}");
    }
}

/// The debug profile, selected by `--debug` or by `LOG_PROFILE=debug`.
fn check_debug_profile(args: &[&str], env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), args, env);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stderr), "");

    // The screen: the app's INFO and ERROR; the SDK said nothing at WARNING.
    let screen = records(&stdout, false);
    assert_eq!(screen.len(), 10, "{stdout}");
    assert!(
        screen.iter().all(|r| r.source.starts_with("sts_whoami.")),
        "{stdout}"
    );
    assert_eq!(
        screen[8],
        rec("ERROR", "sts_whoami.check_profile", "", REFUSED)
    );

    let file = text(&std::fs::read(dir.path().join("logs/sts_whoami.log")).unwrap());
    let records = records(&file, true);
    let sdk = sdk_records(&records);
    eprintln!(
        "debug profile: {} records in the file, {} of them from the SDK",
        records.len(),
        sdk.len()
    );
    // Hundreds of SDK records (none with the default profile).
    assert!(sdk.len() >= 150, "{} SDK records:\n{file}", sdk.len());
    let from = |prefix: &str, level: &str| {
        sdk.iter()
            .filter(|r| r.source.starts_with(prefix) && r.level == level)
            .count()
    };
    for target in [
        "aws_smithy_runtime::client::orchestrator",
        "aws_smithy_runtime_api::client::interceptors::context",
        "aws_sdk_sts::operation::get_caller_identity",
        "hyper_util::client::legacy::pool",
        "aws_runtime::env_config",
    ] {
        assert!(from(target, "DEBUG") > 0, "no DEBUG from {target}:\n{file}");
    }
    // The retried 503 shows up only here.
    assert!(
        sdk.iter().any(
            |r| r.source == "aws_smithy_runtime::client::retries::strategy::standard"
                && r.message
                    .starts_with("attempt #1 failed with RetryIndicated")
        ),
        "{file}"
    );
    // The app's DEBUG too.
    assert!(
        records.iter().any(|r| r.level == "DEBUG"
            && r.source == "sts_whoami"
            && r.message
                .starts_with("profile deploy: call 1: user id AIDAEXAMPLEDEPLOYUSER, request id ")),
        "{file}"
    );
    // aws_config's credential INFO, with the key id: the SDK's own text,
    // let through because this profile names aws_config.
    let credentials: Vec<_> = records
        .iter()
        .filter(|r| r.source == "aws_config::profile::credentials" && r.level == "INFO")
        .collect();
    assert!(
        credentials
            .iter()
            .any(|r| r.message.starts_with("loaded base credentials")
                && r.message.contains("access_key_id: \"AKIDEXAMPLE\"")),
        "{credentials:?}"
    );
    assert!(!stdout.contains(KEY_ID), "{stdout}");
    // The SDK redacts the secret.
    assert!(!file.contains(SECRET) && !stdout.contains(SECRET));
}

#[test]
fn debug_profile_by_flag() {
    check_debug_profile(&["--debug"], &[]);
}

#[test]
fn debug_profile_by_environment() {
    check_debug_profile(&[], &[("LOG_PROFILE", "debug")]);
}

/// The same run with the preset turned off (`LOG_CFG` wins): the SDK's
/// credential INFO lines, access key id included, land in the file.
#[test]
fn without_the_preset_the_key_id_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("no_preset.yaml");
    std::fs::write(
        &config,
        "version: 1\n\
         logconf: {quiet_dependencies: false}\n\
         formatters:\n  plain: {format: '%(levelname)s|%(name)s|%(message)s'}\n\
         handlers:\n  logfile: {class: logging.FileHandler, formatter: plain, filename: out.log}\n\
         root: {level: INFO, handlers: [logfile]}\n",
    )
    .unwrap();
    let out = run(dir.path(), &[], &[("LOG_CFG", config.to_str().unwrap())]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out.stdout), "");
    let file = text(&std::fs::read(dir.path().join("out.log")).unwrap());
    let credentials: Vec<_> = file
        .lines()
        .filter(|l| l.starts_with("INFO|aws_config::profile::credentials|"))
        .collect();
    assert_eq!(credentials.len(), 4, "{file}");
    assert!(
        credentials[1].starts_with(
            "INFO|aws_config::profile::credentials|loaded base credentials creds=Credentials { provider_name: \"ProfileFile\", access_key_id: \"AKIDEXAMPLE\", secret_access_key: \"** redacted **\""
        ),
        "{file}"
    );
    assert!(!file.contains(SECRET));
}

#[test]
fn explain_prints_how_an_sdk_target_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["--explain", "aws_config::profile::credentials"],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    let (explanation, rest) = stdout.split_at(stdout.find("\n\n").unwrap() + 2);
    assert_eq!(explanation, EXPLAIN_DEFAULT);
    assert_eq!(records(rest, false).len(), 1, "{rest}");

    let out = run(
        dir.path(),
        &["--debug", "--explain=aws_config::profile::credentials"],
        &[],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(text(&out.stdout).starts_with(EXPLAIN_DEBUG));
}

/// The quiet preset holds aws_config at WARNING: its INFO lines (with the
/// access key id) are dropped.
const EXPLAIN_DEFAULT: &str = "\
target `aws_config::profile::credentials`
  logger `aws_config` (quiet preset): level WARNING, handlers [], propagate true
  root: level WARNING, handlers [logfile, screen]
  effective level: WARNING
  -> handler `logfile` (level DEBUG, formatter `debug`)
  -> handler `screen` (level ERROR, formatter `fancy`)
  lowest level written: WARNING

";

/// The debug profile names aws_config, which takes it out of the preset.
const EXPLAIN_DEBUG: &str = "\
target `aws_config::profile::credentials`
  logger `aws_config` (config): level DEBUG, handlers [logfile, sdk_screen], propagate false
  effective level: DEBUG
  -> handler `logfile` (level DEBUG, formatter `debug`)
  -> handler `sdk_screen` (level WARNING, formatter `fancy`)
  lowest level written: DEBUG

";

/// Every first segment a real SDK call was seen to log under (HTTP, TLS
/// with h2, the legacy hyper 0.14 client, IMDS, profiles) is in the quiet
/// preset, which the default profile does not override.
#[test]
fn the_preset_covers_every_sdk_crate_seen_logging() {
    let seen = [
        "aws_config::meta::credentials::chain",
        "aws_runtime::env_config",
        "aws_sdk_sts::operation::get_caller_identity",
        "aws_sdk_s3::client",
        "aws_sigv4::http_request::sign",
        "aws_smithy_http_client::client",
        "aws_smithy_runtime::client::orchestrator",
        "aws_smithy_runtime_api::client::interceptors::context",
        "h2::proto::connection",
        "hyper::client::pool",
        "hyper_util::client::legacy::pool",
        "rustls::client::hs",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut args = Vec::new();
    for target in seen {
        args.extend(["--explain", target]);
    }
    let out = run(dir.path(), &args, &[]);
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    let explanations: Vec<&str> = stdout.split("\n\n").take(seen.len()).collect();
    for (target, explanation) in seen.iter().zip(&explanations) {
        let crate_name = target.split("::").next().unwrap_or_default();
        let glob = match crate_name {
            c if c.starts_with("aws_sdk_") => "aws_sdk_*",
            c if c.starts_with("aws_smithy_") => "aws_smithy_*",
            c => c,
        };
        assert!(
            explanation.starts_with(&format!(
                "target `{target}`\n  logger `{glob}` (quiet preset): level WARNING, handlers [], propagate true\n"
            )),
            "{explanation}"
        );
        assert!(
            explanation.contains("  effective level: WARNING\n"),
            "{explanation}"
        );
    }
}

#[test]
fn bad_arguments_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--explain"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("sts_whoami: --explain needs a target\nusage: "));
    assert!(!dir.path().join("logs").exists());
}
