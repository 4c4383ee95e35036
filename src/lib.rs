//! Python's `logging.config.dictConfig` for `tracing`: one YAML (or JSON)
//! file names formatters, handlers and per-logger levels, and logconf
//! compiles it into a layered `tracing` subscriber that routes records the
//! way CPython 3.13 does and writes the same bytes.
//!
//! ```toml
//! [dependencies]
//! logconf = "0.1"
//! tracing = "0.1"
//! tracing-subscriber = "0.3" # for `Logging::layer` beside other layers
//! ```
//!
//! ```no_run
//! fn main() -> Result<(), logconf::Error> {
//!     let _guard = logconf::init()?; // keep the guard: dropping it flushes
//!     tracing::info!("EC2 Session object created");
//!     Ok(())
//! }
//! ```
//!
//! # Which config [`init`](fn@init) loads
//!
//! 1. the file named by the `LOG_CFG` environment variable, if set (a file
//!    that cannot be read is an error that names `LOG_CFG`, not a silent
//!    fallback);
//! 2. with `LOG_PROFILE=debug`, the debug profile (as [`init_debug`]);
//! 3. the first of [`sources::DEFAULT_FILES`] that exists in the working
//!    directory;
//! 4. [`sources::EMBEDDED_DEFAULT`]: Python's `basicConfig(level=INFO)`.
//!
//! [`Guard::source`] tells which one was loaded (a [`sources::ConfigSource`]),
//! and logconf logs it in one DEBUG record under its own target, `logconf`,
//! which the quiet preset holds back unless the config names it
//! (`loggers: {logconf: {level: DEBUG}}`).
//!
//! # Beside other layers, and in tests
//!
//! [`Config::build`] returns a [`Logging`]: [`Logging::layer`] is one layer
//! among others, [`Logging::subscriber`] a subscriber that is not installed
//! globally. Records of the `log` crate reach `tracing` through
//! [`install_log_bridge`] (harmless beside tracing-subscriber's `.init()`,
//! which installs the same bridge). In tests, `stream: ext://test` or
//! [`Config::with_test_writer`] write through the test harness's output
//! capture.
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt as _;
//!
//! let logging = logconf::Config::from_yaml_str("version: 1\nroot: {level: INFO}\n")?
//!     .with_test_writer()
//!     .build()?;
//! let subscriber = tracing_subscriber::registry().with(logging.layer());
//! tracing::subscriber::with_default(subscriber, || tracing::warn!("captured"));
//! println!("{}", logging.explain("aws_sdk_ec2::client"));
//! # Ok::<(), logconf::Error>(())
//! ```
//!
//! # The config
//!
//! The schema is dictConfig's, version 1, with Python's class and key names;
//! every config problem is reported at once with its line, column and key
//! path, and nothing is installed. The configuration reference, the format
//! attributes and the list of deliberate differences from CPython are in
//! the [README](https://docs.rs/crate/logconf/latest/source/README.md).

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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
mod registry;
mod routing;
mod subscriber;
mod suggest;
mod tree;
mod truthy;

pub mod sources;

/// Hooks for tests that drive time by hand; not part of the stable API.
#[doc(hidden)]
pub mod testing {
    pub use crate::handler::clock::ManualClock;
}

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
use std::sync::Arc;

use sources::ConfigSource;

/// A loaded and checked logging config.
///
/// Loading and [explaining](Config::explain) open nothing: a config can be
/// checked, or its routes inspected, while another process (or this one)
/// writes to its files. Only [`Config::build`] opens (and, with `mode: w`,
/// truncates) files.
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
    source: ConfigSource,
    test_writer: bool,
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
        Config::read(path, Error::io("read logging config", path), registry)
    }

    /// Reads the config file `path`, its classes naming the factories of
    /// `registry`; `unreadable` makes the error of a file that cannot be
    /// read.
    pub(crate) fn read(
        path: &Path,
        unreadable: impl FnOnce(std::io::Error) -> Error,
        registry: &Registry,
    ) -> Result<Config, Error> {
        let read = live::read(path, unreadable)?;
        let model = read.load(registry)?;
        let mut config = Config::new(model, ConfigSource::File(path.to_owned()));
        config.origin = Some(live::Origin {
            source: read.source,
            rust_log: None,
            registry: registry.clone(),
        });
        Ok(config)
    }

    fn new(model: model::Model, source: ConfigSource) -> Config {
        Config {
            model,
            origin: None,
            source,
            test_writer: false,
        }
    }
    /// Records where the config came from (for `init*()`).
    pub(crate) fn with_source(mut self, source: ConfigSource) -> Config {
        self.source = source;
        self
    }

    /// Which config this is: the file, or text.
    pub fn source(&self) -> &ConfigSource {
        &self.source
    }

    /// Makes every stream handler (and Python's lastResort) write through
    /// the test harness's output capture, as `stream: ext://test` does: in
    /// `cargo test`, a passing test's records are hidden and a failing
    /// test's are shown under its name (tracing-subscriber's
    /// `with_test_writer()`). Files are still written.
    ///
    /// ```
    /// let logging = logconf::Config::from_yaml_str("version: 1\n")?
    ///     .with_test_writer()
    ///     .build()?;
    /// tracing::subscriber::with_default(logging.subscriber(), || {
    ///     tracing::warn!("captured by the test harness")
    /// });
    /// # Ok::<(), logconf::Error>(())
    /// ```
    #[must_use]
    pub fn with_test_writer(mut self) -> Config {
        self.test_writer = true;
        self
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
        Ok(Config::new(model, ConfigSource::Text))
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
        Ok(Config::new(model, ConfigSource::Text))
    }

    /// Builds the handlers (opening files: a `mode: w` file is truncated
    /// now) and the routing table. To see how records would be routed, use
    /// [`Config::explain`], which opens nothing.
    ///
    /// # Errors
    ///
    /// A handler's output cannot be opened ([`Error::is_io`]; each problem
    /// is placed at the handler's entry, with the `io::Error` as its cause,
    /// and a relative path's help names the working directory it was
    /// resolved against). Nothing is left open.
    pub fn build(&self) -> Result<Logging, Error> {
        api::build(
            &self.model,
            None,
            self.origin.as_ref(),
            self.source.clone(),
            self.test_writer,
        )
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

    /// Builds and installs the config, as [`init_from_path`] does: first
    /// checks that no global `tracing` subscriber is installed, so a config
    /// that cannot be installed opens nothing (`build()` then
    /// [`Logging::install`] would open, and with `mode: w` truncate, its
    /// files before finding out).
    ///
    /// # Errors
    ///
    /// As [`Config::build`] and [`Logging::install`]; an install error
    /// comes before anything is opened.
    ///
    /// ```no_run
    /// let _guard = logconf::Config::from_path("logging.yaml")?.install()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn install(&self) -> Result<Guard, Error> {
        let _installing = bridge::installing();
        bridge::ensure_no_global_subscriber()?;
        self.build()?.install()
    }

    /// Builds like [`Config::build`], but every record's timestamp and
    /// every time-based decision (rotation, retries) come from `clock`, so
    /// a test can drive hours of rotation in milliseconds. For tests; not
    /// part of the stable API.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let clock = logconf::testing::ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    /// let logging = logconf::Config::from_yaml_str("version: 1\n")?.build_with_clock(&clock)?;
    /// clock.advance(Duration::from_secs(86_400));
    /// # drop(logging);
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Config::build`].
    #[doc(hidden)]
    pub fn build_with_clock(&self, clock: &testing::ManualClock) -> Result<Logging, Error> {
        api::build(
            &self.model,
            Some(Arc::new(clock.clone())),
            self.origin.as_ref(),
            self.source.clone(),
            self.test_writer,
        )
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

    /// Writes a `fileConfig` INI config (`logging.conf`) as the YAML
    /// dictConfig that configures the same (what `logconf convert` prints).
    ///
    /// ```
    /// let ini = "[loggers]\nkeys=root\n[handlers]\nkeys=console\n[formatters]\nkeys=\n\
    ///            [logger_root]\nlevel=INFO\nhandlers=console\n\
    ///            [handler_console]\nclass=StreamHandler\nargs=(sys.stdout,)\n";
    /// let yaml = logconf::Config::ini_to_yaml(ini)?;
    /// assert!(yaml.contains("class: logging.StreamHandler"));
    /// logconf::Config::from_yaml_str(&yaml)?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The INI text is not a `fileConfig` config: every problem, with its
    /// place. (Classes and references are not checked here: load the YAML
    /// for that.)
    pub fn ini_to_yaml(text: &str) -> Result<String, Error> {
        config::ini_to_yaml(text.as_bytes(), "<string>")
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
        Ok(Config::new(model, ConfigSource::Text))
    }
}
