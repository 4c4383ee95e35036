//! Log injection: control characters in a message reach a terminal or a
//! file escaped by default; `escape_newlines` keeps a record on one line;
//! `escape_control: false` writes the bytes unchanged.

use std::process::ExitCode;

use crate::{Test, child};

pub(crate) const TESTS: &[(&str, Test)] = &[("log_injection_escaping", log_injection)];

/// ESC `[31m`, CR, BEL, the C1 control CSI (U+009B), a tab and ESC `[0m`.
const HOSTILE: &str = "A\x1b[31mRED\rB\x07C\u{9b}D\tE\x1b[0m";
/// `HOSTILE` as written by default (`escape_control: true`): every control
/// but tab as `\xNN` literal text.
const HOSTILE_ESCAPED: &str = "A\\x1b[31mRED\\x0dB\\x07C\\x9bD\tE\\x1b[0m";
/// A message spread over lines, as an attacker forging records would send.
const MULTILINE: &str = "first\nINFO:forged:second\r\nthird";

const CONFIG: &str = "version: 1
formatters:
  plain: {format: '%(message)s'}
  oneline: {format: '%(message)s', escape_newlines: true}
  raw: {format: '%(message)s', escape_control: false}
handlers:
  out: {class: logging.StreamHandler, stream: ext://sys.stdout, formatter: plain}
  file: {class: logging.FileHandler, filename: default.log, formatter: plain}
  oneline: {class: logging.FileHandler, filename: oneline.log, formatter: oneline}
  raw: {class: logging.FileHandler, filename: raw.log, formatter: raw}
loggers:
  inj.default: {level: DEBUG, handlers: [out, file], propagate: false}
  inj.oneline: {level: DEBUG, handlers: [oneline], propagate: false}
  inj.raw: {level: DEBUG, handlers: [raw], propagate: false}
";

/// Children of this module, by name.
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    if name != "injection" {
        return None;
    }
    let _guard = logconf::init_from_path("log.yaml").unwrap_or_else(|e| panic!("init: {e}"));
    tracing::info!(target: "inj.default", "{HOSTILE}");
    tracing::info!(target: "inj.default", user = "x\x1b[2J\ry", "login");
    tracing::info!(target: "inj.default", user = %"x\x1b[2J\ry", "login");
    tracing::info!(target: "inj.oneline", "{MULTILINE}");
    tracing::info!(target: "inj.raw", "{HOSTILE}");
    tracing::info!(target: "inj.raw", "{MULTILINE}");
    Some(ExitCode::SUCCESS)
}

fn log_injection() -> Result<(), String> {
    let run = child("injection", &[("log.yaml", CONFIG)], &[]);
    run.assert_success();
    assert_eq!(run.stderr, "");
    // Field values: a `str` field is recorded by `tracing` as its Debug
    // form (quoted, `\u{1b}`); a Display (`%`) field is escaped like the
    // message.
    let escaped = format!(
        "{HOSTILE_ESCAPED}\nlogin user=\"x\\u{{1b}}[2J\\ry\"\nlogin user=x\\x1b[2J\\x0dy\n"
    );
    // The terminal and the file get the same escaped text, with no raw
    // control byte (ESC, CR, BEL, or the UTF-8 of U+009B).
    assert_eq!(run.stdout, escaped, "stdout");
    assert_eq!(run.file("default.log"), escaped, "default.log");
    for bytes in [run.stdout.as_bytes(), &run.bytes("default.log")] {
        assert!(
            !bytes
                .iter()
                .any(|&b| b == 0x1b || b == b'\r' || b == 0x07 || b == 0x9b),
            "raw control byte in {bytes:?}"
        );
    }
    // escape_newlines: one record, one line, newlines as literal `\n`.
    assert_eq!(
        run.file("oneline.log"),
        "first\\nINFO:forged:second\\r\\nthird\n"
    );
    // escape_control: false: the bytes as they were.
    assert_eq!(
        run.bytes("raw.log"),
        format!("{HOSTILE}\n{MULTILINE}\n").as_bytes()
    );
    Ok(())
}
