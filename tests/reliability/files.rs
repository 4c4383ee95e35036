//! File permissions: created log files and their rotated backups are mode
//! 0640 by default (never world-writable), whatever the umask allows more.

use std::os::unix::fs::PermissionsExt as _;
use std::process::{Command, ExitCode};

use crate::{Test, child_command, run_in, temp_with};

pub(crate) const TESTS: &[(&str, Test)] = &[
    ("files_mode_0640_umask_022", mode_umask_022),
    ("files_mode_0640_umask_000", mode_umask_000),
    ("files_mode_umask_077_is_stricter", mode_umask_077),
    ("files_mode_from_permissions_key", mode_from_config),
    ("files_created_folders_umask_022", dirs_umask_022),
    (
        "files_created_folders_umask_000_not_world_writable",
        dirs_umask_000,
    ),
];

const CONFIG_DIRS: &str = "version: 1
handlers:
  plain: {class: logging.FileHandler, filename: logs/sub/app.log}
root: {level: INFO, handlers: [plain]}
";

/// The files of `CONFIG` and `CONFIG_0600`.
const FILES: &[&str] = &[
    "plain.log",
    "rot.log",
    "rot.log.1",
    "rot.log.2",
    "rot.log.3",
];

const CONFIG: &str = "version: 1
formatters:
  plain: {format: '%(message)s'}
handlers:
  plain: {class: logging.FileHandler, filename: plain.log, formatter: plain}
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: rot.log
    maxBytes: 200
    backupCount: 3
    formatter: plain
root: {level: INFO, handlers: [plain, rot]}
";

const CONFIG_0600: &str = "version: 1
handlers:
  plain: {class: logging.FileHandler, filename: plain.log, permissions: '0600'}
  rot:
    class: logging.handlers.RotatingFileHandler
    filename: rot.log
    maxBytes: 200
    backupCount: 3
    permissions: '0o600'
root: {level: INFO, handlers: [plain, rot]}
";

/// Children of this module, by name.
pub(crate) fn child_case(name: &str) -> Option<ExitCode> {
    if name != "files" {
        return None;
    }
    let _guard = logconf::init_from_path("log.yaml").unwrap_or_else(|e| panic!("init: {e}"));
    for i in 0..50 {
        tracing::info!("record {i:04} with some padding");
    }
    Some(ExitCode::SUCCESS)
}

/// Runs the `files` child under `umask` (set by `sh`, then `exec`) with
/// `config`, and returns each file's permission bits.
fn modes(umask: &str, config: &str, names: &[&str]) -> Vec<(String, u32)> {
    let tmp = temp_with(&[("log.yaml", config)]);
    let inner = child_command("files", tmp.path());
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\""))
        .arg(inner.get_program());
    cmd.current_dir(tmp.path())
        .env("LOGCONF_RELIAB_CHILD", "files")
        .env_remove("LOG_CFG")
        .env_remove("LOG_PROFILE")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let run = run_in(cmd, tmp);
    run.assert_success();
    assert_eq!(run.stderr, "");
    let mut out = Vec::new();
    for &name in names {
        let meta = std::fs::metadata(run.dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (no rollover?)"));
        out.push((name.to_owned(), meta.permissions().mode() & 0o777));
    }
    out
}

fn assert_modes(umask: &str, config: &str, expected: u32) {
    for (name, mode) in modes(umask, config, FILES) {
        assert_eq!(
            mode, expected,
            "{name}: mode {mode:o}, expected {expected:o} (umask {umask})"
        );
        assert_eq!(mode & 0o002, 0, "{name} is world-writable");
    }
}

fn mode_umask_022() -> Result<(), String> {
    assert_modes("022", CONFIG, 0o640);
    Ok(())
}

fn mode_umask_000() -> Result<(), String> {
    // The default does not rely on the umask.
    assert_modes("000", CONFIG, 0o640);
    Ok(())
}

fn mode_umask_077() -> Result<(), String> {
    assert_modes("077", CONFIG, 0o600);
    Ok(())
}

fn mode_from_config() -> Result<(), String> {
    assert_modes("000", CONFIG_0600, 0o600);
    Ok(())
}

fn dirs_umask_022() -> Result<(), String> {
    for (name, mode) in modes(
        "022",
        CONFIG_DIRS,
        &["logs", "logs/sub", "logs/sub/app.log"],
    ) {
        let expected = if name.ends_with(".log") { 0o640 } else { 0o750 };
        assert_eq!(mode, expected, "{name}: mode {mode:o}");
    }
    Ok(())
}

/// Folders logconf creates for a log file must not be world-writable
/// whatever the umask: a world-writable log folder lets any user put a
/// symlink where the log file will be opened. They were created with the
/// process's default mode (0777 less the umask: 0777 under umask 000);
/// since c42a577 they get the file's permissions with an execute bit
/// wherever a read bit is set (0750 for 0640).
fn dirs_umask_000() -> Result<(), String> {
    for (name, mode) in modes("000", CONFIG_DIRS, &["logs", "logs/sub"]) {
        assert_eq!(mode & 0o002, 0, "{name} is world-writable: mode {mode:o}");
        assert_eq!(mode, 0o750, "{name}: mode {mode:o}");
    }
    Ok(())
}
