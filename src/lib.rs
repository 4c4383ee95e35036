//! Python's `logging.config.dictConfig` for `tracing`.
#![doc = include_str!("../README.md")]

mod api;
mod args;
mod bridge;
mod config;
mod error;
mod format;
mod handler;
mod init;
mod level;
mod model;
mod registry;
mod routing;
mod subscriber;
mod suggest;
mod tree;
mod truthy;

pub mod sources;

pub use api::{Explanation, Guard, Logging};
#[cfg(feature = "log")]
pub use bridge::install_log_bridge;
pub use error::{Error, Problem};
pub use format::FieldValue;
pub use init::{init, init_debug, init_from_path};
pub use level::{Level, ParseLevelError};
pub use registry::{
    FactoryArgs, FactoryError, Filter, Format, Handler, LogRecord, Registry, TextFormat,
};
pub use subscriber::{LogconfLayer, RouteFilter};

use std::path::Path;

/// A loaded and checked logging config.
///
/// ```
/// let config = logconf::Config::from_yaml_str("version: 1\nroot: {level: INFO}\n")?;
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Debug)]
pub struct Config {
    model: model::Model,
}

impl Config {
    /// Reads a config file: JSON if the name ends in `.json`; Python's
    /// `fileConfig` INI format if it ends in `.conf`, `.ini` or `.cfg`, or
    /// (for other names but `.yaml`/`.yml`) if its first line that is not
    /// blank or a comment is a `[section]` header; YAML otherwise.
    ///
    /// # Errors
    ///
    /// The file cannot be read ([`Error::is_io`]), or its content is not a
    /// valid config ([`Error::is_config`]: every problem, each with its
    /// line, column and key path).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, Error> {
        Config::from_path_with(path, registry::empty())
    }

    /// Reads a config file whose classes may name the factories of
    /// `registry` (see [`Registry`]), like [`Config::from_path`].
    ///
    /// ```no_run
    /// let registry = logconf::Registry::new();
    /// let config = logconf::Config::from_path_with("logging.yaml", &registry)?;
    /// # let _ = config;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Config::from_path`]; an unknown factory name is a config
    /// problem that says how to register one.
    pub fn from_path_with(path: impl AsRef<Path>, registry: &Registry) -> Result<Config, Error> {
        let path = path.as_ref();
        // Read one byte past the limit at most, so `/dev/zero` is "too
        // large", not the end of the memory.
        let mut text = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| {
                use std::io::Read as _;
                file.take(config::MAX_CONFIG_BYTES as u64 + 1)
                    .read_to_end(&mut text)
            })
            .map_err(Error::io("read logging config", path))?;
        let syntax = config_syntax(path, &text);
        let model = config::load(&text, &path.display().to_string(), syntax, registry)?;
        Ok(Config { model })
    }

    /// Parses a YAML config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_yaml_str(text: &str) -> Result<Config, Error> {
        Config::from_yaml_str_with(text, registry::empty())
    }

    /// Parses a YAML config whose classes may name the factories of
    /// `registry`.
    ///
    /// ```
    /// let registry = logconf::Registry::new();
    /// let config = logconf::Config::from_yaml_str_with("version: 1\n", &registry)?;
    /// # let _ = config;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_yaml_str_with(text: &str, registry: &Registry) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Yaml, registry)?;
        Ok(Config { model })
    }

    /// Parses a JSON config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_json_str(text: &str) -> Result<Config, Error> {
        Config::from_json_str_with(text, registry::empty())
    }

    /// Parses a JSON config whose classes may name the factories of
    /// `registry`.
    ///
    /// ```
    /// let registry = logconf::Registry::new();
    /// let config = logconf::Config::from_json_str_with(r#"{"version": 1}"#, &registry)?;
    /// # let _ = config;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_json_str_with(text: &str, registry: &Registry) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Json, registry)?;
        Ok(Config { model })
    }

    /// Builds the handlers (opening files) and the routing table.
    ///
    /// # Errors
    ///
    /// A handler's output cannot be opened ([`Error::is_io`]; each problem
    /// is placed at the handler's entry, with the `io::Error` as its cause).
    /// Nothing is left open.
    pub fn build(&self) -> Result<Logging, Error> {
        api::build(&self.model)
    }

    /// Explains how records from `target` would be routed, without opening
    /// anything: see [`Logging::explain`].
    ///
    /// ```
    /// let config = logconf::Config::from_yaml_str("version: 1\nroot: {level: INFO}\n")?;
    /// assert!(config.explain("app").to_string().contains("root: level INFO"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn explain(&self, target: &str) -> Explanation {
        Explanation::new(routing::Router::new(&self.model).explain(target))
    }

    /// Parses a `fileConfig` INI config (`logging.conf`) held in a string:
    /// `[loggers]`, `[handlers]`, `[formatters]` and their sections, read
    /// as CPython's `fileConfig` reads them, with problems placed in the
    /// INI text.
    ///
    /// ```
    /// let ini = "[loggers]\nkeys=root\n[handlers]\nkeys=console\n[formatters]\nkeys=\n\
    ///            [logger_root]\nlevel=INFO\nhandlers=console\n\
    ///            [handler_console]\nclass=StreamHandler\nargs=(sys.stdout,)\n";
    /// let config = logconf::Config::from_ini_str(ini)?;
    /// assert!(config.explain("app").to_string().contains("handler `console`"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_ini_str(text: &str) -> Result<Config, Error> {
        Config::from_ini_str_with(text, registry::empty())
    }

    /// Parses a `fileConfig` INI config whose classes may name the
    /// factories of `registry`.
    ///
    /// ```
    /// let ini = "[loggers]\nkeys=root\n[handlers]\nkeys=\n[formatters]\nkeys=\n[logger_root]\nhandlers=\n";
    /// let config = logconf::Config::from_ini_str_with(ini, &logconf::Registry::new())?;
    /// # let _ = config;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_ini_str_with(text: &str, registry: &Registry) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Ini, registry)?;
        Ok(Config { model })
    }
}

/// Which parser reads the file at `path` holding `text`.
fn config_syntax(path: &Path, text: &[u8]) -> config::Syntax {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("json") => config::Syntax::Json,
        Some("conf" | "ini" | "cfg") => config::Syntax::Ini,
        Some("yaml" | "yml") => config::Syntax::Yaml,
        _ if std::str::from_utf8(text).is_ok_and(config::ini::sniff) => config::Syntax::Ini,
        _ => config::Syntax::Yaml,
    }
}
