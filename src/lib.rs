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
pub use init::{init, init_debug, init_from_path};
pub use level::{Level, ParseLevelError};
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
    /// Reads a config file: JSON if the name ends in `.json`, YAML otherwise.
    ///
    /// # Errors
    ///
    /// The file cannot be read ([`Error::is_io`]), or its content is not a
    /// valid config ([`Error::is_config`]: every problem, each with its
    /// line, column and key path).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, Error> {
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
        let syntax = match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => config::Syntax::Json,
            _ => config::Syntax::Yaml,
        };
        let model = config::load(&text, &path.display().to_string(), syntax)?;
        Ok(Config { model })
    }

    /// Parses a YAML config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_yaml_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Yaml)?;
        Ok(Config { model })
    }

    /// Parses a JSON config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_json_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Json)?;
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

    /// Like [`Config::explain`], followed by what happens to a record from
    /// `target` at `level`: dropped at its logger, or written by which
    /// handlers and not by which (and why).
    ///
    /// ```
    /// let config = logconf::Config::from_yaml_str(
    ///     "version: 1\nhandlers: {h: {class: logging.NullHandler, level: ERROR}}\nroot: {level: INFO, handlers: [h]}\n",
    /// )?;
    /// let text = config.explain_at("app", logconf::Level::WARNING).to_string();
    /// assert!(text.contains("not written by `h`: below its level ERROR"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn explain_at(&self, target: &str, level: Level) -> Explanation {
        Explanation::new(routing::Router::new(&self.model).explain_at(target, Some(level)))
    }
}
