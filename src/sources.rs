//! Where [`init`](crate::init()) and [`init_debug`](crate::init_debug) look
//! for a config: the environment variables, the default file names, and the
//! embedded configs used when no file is found.

/// The environment variable naming the config file; it wins over everything.
pub const LOG_CFG: &str = "LOG_CFG";
/// The environment variable that selects the debug profile when set to `debug`.
pub const LOG_PROFILE: &str = "LOG_PROFILE";

/// Files [`init`](crate::init()) looks for, in order, relative to the working directory.
pub const DEFAULT_FILES: &[&str] = &["logger_config.yaml", "configs/logger_config.yaml"];
/// Files [`init_debug`](crate::init_debug) looks for, in order, relative to the working directory.
pub const DEBUG_FILES: &[&str] = &[
    "logger_config_debug.yaml",
    "configs/logger_config_debug.yaml",
];

/// The config used when no file is found: Python's
/// `logging.basicConfig(level=INFO)` (stderr, `LEVEL:name:message`).
pub const EMBEDDED_DEFAULT: &str = "\
version: 1
formatters:
  basic: {format: \"%(levelname)s:%(name)s:%(message)s\"}
handlers:
  stderr: {class: logging.StreamHandler, formatter: basic, stream: \"ext://sys.stderr\"}
root: {level: INFO, handlers: [stderr]}
";

/// The debug profile's embedded config: the same at DEBUG, with the quiet
/// list of noisy dependencies off.
pub const EMBEDDED_DEBUG: &str = "\
version: 1
logconf: {quiet_dependencies: false}
formatters:
  basic: {format: \"%(levelname)s:%(name)s:%(message)s\"}
handlers:
  stderr: {class: logging.StreamHandler, formatter: basic, stream: \"ext://sys.stderr\"}
root: {level: DEBUG, handlers: [stderr]}
";
