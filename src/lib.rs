//! Python's `logging.config.dictConfig` for `tracing`.
#![doc = include_str!("../README.md")]

mod api;
mod args;
mod bridge;
mod config;
mod env_levels;
mod error;
mod format;
mod handler;
mod init;
mod level;
mod live;
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
    /// The file it was read from, for reloads (`None` for a string).
    origin: Option<live::Origin>,
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
        let read = live::read(path.as_ref())?;
        let model = read.load()?;
        let origin = live::Origin {
            source: read.source,
            rust_log: None,
        };
        Ok(Config {
            model,
            origin: Some(origin),
        })
    }

    /// Parses a YAML config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_yaml_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Yaml)?;
        Ok(Config {
            model,
            origin: None,
        })
    }

    /// Parses a JSON config held in a string.
    ///
    /// # Errors
    ///
    /// The text is not a valid config: every problem, with its place.
    pub fn from_json_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Json)?;
        Ok(Config {
            model,
            origin: None,
        })
    }

    /// Builds the handlers (opening files) and the routing table.
    ///
    /// # Errors
    ///
    /// A handler's output cannot be opened ([`Error::is_io`]; each problem
    /// is placed at the handler's entry, with the `io::Error` as its cause).
    /// Nothing is left open.
    pub fn build(&self) -> Result<Logging, Error> {
        api::build(&self.model, self.origin.as_ref())
    }

    /// Applies `RUST_LOG`-style directives (`info,app=debug`) as logger
    /// levels over the file's, unless the config says
    /// `logconf: {rust_log: false}`; [`init`](fn@crate::init) does this with `RUST_LOG`.
    /// The levels are applied again to every reload of the file. See the
    /// README's "RUST_LOG" section for the syntax.
    ///
    /// ```
    /// let config = logconf::Config::from_yaml_str("version: 1\nroot: {level: WARNING}\n")?
    ///     .with_rust_log("info,app=debug")?;
    /// assert!(config.explain("app::db").to_string().contains("RUST_LOG `app=debug`"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A directive is not `level`, `target` or `target=level` (span and
    /// field directives such as `app[req]=debug` are refused): every bad
    /// directive, each with its column in `directives`.
    pub fn with_rust_log(mut self, directives: &str) -> Result<Config, Error> {
        let levels = env_levels::parse(directives, "RUST_LOG")?;
        self.set_env_levels(levels);
        Ok(self)
    }

    /// Keeps `levels` for this config's reloads, and applies them now
    /// unless the config says `rust_log: false`.
    fn set_env_levels(&mut self, levels: Vec<env_levels::EnvLevel>) {
        if self.model.live.rust_log {
            self.model.env_levels.clone_from(&levels);
        }
        if let Some(origin) = &mut self.origin {
            origin.rust_log = Some(levels);
        }
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
