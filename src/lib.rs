//! Python's `logging.config.dictConfig` for `tracing`.
#![doc = include_str!("../README.md")]

mod api;
mod config;
mod error;
mod format;
mod handler;
mod init;
mod level;
mod model;
mod routing;
mod subscriber;

pub use api::{Guard, Logconf};
pub use error::{Error, Problem};
pub use init::{
    DEBUG_FILES, DEFAULT_FILES, EMBEDDED_DEBUG, EMBEDDED_DEFAULT, LOG_CFG, LOG_PROFILE, init,
    init_debug, init_from_path, install_log_bridge,
};
pub use level::Level;
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
    pub fn from_yaml_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Yaml)?;
        Ok(Config { model })
    }

    /// Parses a JSON config held in a string.
    pub fn from_json_str(text: &str) -> Result<Config, Error> {
        let model = config::load(text.as_bytes(), "<string>", config::Syntax::Json)?;
        Ok(Config { model })
    }

    /// Builds the handlers (opening files) and the routing table.
    pub fn build(&self) -> Result<Logconf, Error> {
        api::build(&self.model)
    }

    /// Explains how records from `target` would be routed, without opening
    /// anything: see [`Logconf::explain`].
    pub fn explain(&self, target: &str) -> String {
        routing::Router::new(&self.model).explain(target)
    }
}
