//! Where [`init`](fn@crate::init) and [`init_debug`](crate::init_debug) look
//! for a config: the environment variables, the default file names, and the
//! embedded configs used when no file is found; and [`ConfigSource`], which
//! of them was loaded.

use std::fmt;
use std::path::PathBuf;

/// The environment variable naming the config file; it wins over everything.
pub const LOG_CFG: &str = "LOG_CFG";
/// The environment variable that selects the debug profile when set to `debug`.
pub const LOG_PROFILE: &str = "LOG_PROFILE";

/// Files [`init`](fn@crate::init) looks for, in order, relative to the working directory.
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

/// Which config was loaded: what [`Guard::source`](crate::Guard::source),
/// [`Logging::source`](crate::Logging::source) and
/// [`Config::source`](crate::Config::source) tell. Displays as one line, the
/// text of the DEBUG record logconf logs under its own target, `logconf`,
/// once installed.
///
/// ```
/// use logconf::sources::ConfigSource;
/// let config = logconf::Config::from_yaml_str("version: 1\n")?;
/// assert_eq!(config.source(), &ConfigSource::Text);
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigSource {
    /// The file named by [`LOG_CFG`], as it names it.
    LogCfg(PathBuf),
    /// A file of [`DEFAULT_FILES`] (or, for the debug profile,
    /// [`DEBUG_FILES`]) found in the working directory; the path is absolute.
    Found {
        /// The absolute path of the file.
        path: PathBuf,
        /// The profile that looked for it.
        profile: Profile,
    },
    /// No file was found: [`EMBEDDED_DEFAULT`] or [`EMBEDDED_DEBUG`].
    Embedded(Profile),
    /// A file the program named ([`init_from_path`](crate::init_from_path),
    /// [`Config::from_path`](crate::Config::from_path)).
    File(PathBuf),
    /// Text the program gave ([`Config::from_yaml_str`](crate::Config::from_yaml_str),
    /// [`Config::from_json_str`](crate::Config::from_json_str)).
    Text,
}

/// Which set of files and embedded config [`init`](fn@crate::init) (the default
/// profile) or [`init_debug`](crate::init_debug) and `LOG_PROFILE=debug`
/// (the debug profile) look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// [`DEFAULT_FILES`], then [`EMBEDDED_DEFAULT`].
    Default,
    /// [`DEBUG_FILES`], then [`EMBEDDED_DEBUG`].
    Debug,
}

impl Profile {
    /// The files this profile looks for, in order.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            Profile::Default => DEFAULT_FILES,
            Profile::Debug => DEBUG_FILES,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Default => "default",
            Profile::Debug => "debug",
        })
    }
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::LogCfg(path) => write!(f, "{} (named by {LOG_CFG})", path.display()),
            ConfigSource::Found { path, profile } => write!(
                f,
                "{} (the {profile} profile's file, found in the working directory)",
                path.display()
            ),
            ConfigSource::Embedded(profile) => {
                let files: Vec<String> = profile.files().iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "the embedded {profile} config ({LOG_CFG} is not set, and none of {} is in the working directory)",
                    files.join(", ")
                )
            }
            ConfigSource::File(path) => write!(f, "{}", path.display()),
            ConfigSource::Text => f.write_str("a config given as text"),
        }
    }
}
