//! The entry points: [`init`], [`init_debug`], [`init_from_path`], and
//! the search for a config (its names are in [`crate::sources`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::Config;
use crate::api::Guard;
use crate::error::Error;
use crate::sources::{
    ConfigSource, DEBUG_FILES, DEFAULT_FILES, EMBEDDED_DEBUG, EMBEDDED_DEFAULT, LOG_CFG,
    LOG_PROFILE, Profile,
};

/// Where a config comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The file named by `LOG_CFG`.
    LogCfg(PathBuf),
    /// A file found by the search.
    File(PathBuf),
    /// One of the embedded configs.
    Embedded(&'static str),
}

/// Decides which config to load. `env` reads an environment variable;
/// `exists` tells whether a file exists.
pub(crate) fn locate(
    debug: bool,
    env: impl Fn(&str) -> Option<OsString>,
    exists: impl Fn(&Path) -> bool,
) -> Source {
    if let Some(path) = env(LOG_CFG).filter(|v| !v.is_empty()) {
        return Source::LogCfg(PathBuf::from(path));
    }
    let debug = debug || env(LOG_PROFILE).is_some_and(|v| v.eq_ignore_ascii_case("debug"));
    let (files, embedded) = if debug {
        (DEBUG_FILES, EMBEDDED_DEBUG)
    } else {
        (DEFAULT_FILES, EMBEDDED_DEFAULT)
    };
    files
        .iter()
        .map(PathBuf::from)
        .find(|p| exists(p))
        .map_or(Source::Embedded(embedded), Source::File)
}

fn init_profile(debug: bool) -> Result<Guard, Error> {
    // Before any file is opened (a `mode: w` file would be truncated).
    let _installing = crate::bridge::installing();
    crate::bridge::ensure_no_global_subscriber()?;
    let source = locate(debug, |k| std::env::var_os(k), Path::is_file);
    let profile = if debug {
        Profile::Debug
    } else {
        Profile::Default
    };
    let config = match source {
        Source::LogCfg(path) => {
            Config::read(&path, Error::log_cfg(&path))?.with_source(ConfigSource::LogCfg(path))
        }
        Source::File(path) => {
            // The profile that found it (`LOG_PROFILE=debug` selects the debug files).
            let profile = if DEBUG_FILES.iter().any(|f| path == Path::new(f)) {
                Profile::Debug
            } else {
                profile
            };
            let found = crate::handler::file::absolute(&path).unwrap_or_else(|_| path.clone());
            Config::from_path(&path)?.with_source(ConfigSource::Found {
                path: found,
                profile,
            })
        }
        Source::Embedded(text) => {
            let profile = if text == EMBEDDED_DEBUG {
                Profile::Debug
            } else {
                profile
            };
            Config::from_yaml_str(text)?.with_source(ConfigSource::Embedded(profile))
        }
    };
    with_env_levels(config, |k| std::env::var_os(k))?
        .build()?
        .install()
}

/// The environment variable whose directives [`init`] applies as logger
/// levels (see [`Config::with_rust_log`]).
const RUST_LOG: &str = "RUST_LOG";

/// `config` with `RUST_LOG` (read by `env`) applied, unless it is unset or
/// empty or the config says `logconf: {rust_log: false}`. The levels are
/// kept either way, for reloads of a file that does not opt out; a
/// `RUST_LOG` logconf cannot read is an error only for a config that
/// applies it.
fn with_env_levels(
    mut config: Config,
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Config, Error> {
    let applies = config.model.live.rust_log;
    let levels = match env(RUST_LOG) {
        None => return Ok(config),
        Some(value) if value.is_empty() => return Ok(config),
        Some(value) => match value.into_string() {
            Ok(text) => crate::env_levels::parse(&text, RUST_LOG),
            Err(_) => Err(Error::config(
                RUST_LOG,
                vec![crate::error::Problem::new(
                    0,
                    0,
                    "",
                    "RUST_LOG is not valid UTF-8",
                )],
            )),
        },
    };
    match levels {
        Ok(levels) => {
            config.set_env_levels(levels);
            Ok(config)
        }
        Err(err) if applies => Err(err),
        Err(_) => Ok(config),
    }
}

/// Loads, builds and installs the logging config, and returns the guard
/// that flushes it (and reloads it: [`Guard::reload`]).
///
/// Which config:
/// 1. the file named by `LOG_CFG`, if set (a path that cannot be read is an
///    error, not a silent fallback);
/// 2. with `LOG_PROFILE=debug`, the debug profile ([`init_debug`]);
/// 3. the first of [`DEFAULT_FILES`] that exists in the working directory;
/// 4. [`EMBEDDED_DEFAULT`].
///
/// [`Guard::source`] tells which one was loaded.
///
/// Then `RUST_LOG`, if set, sets logger levels over the file's (`info`,
/// `app=debug`; see [`Config::with_rust_log`]), unless the config says
/// `logconf: {rust_log: false}`.
///
/// # Errors
///
/// The config cannot be read, is not valid, or a handler cannot be opened
/// (see [`Config::from_path`] and [`Config::build`]); `RUST_LOG` holds a
/// directive logconf cannot apply (span and field directives); a global
/// subscriber is already installed ([`Error::is_install`]).
///
/// ```no_run
/// fn main() -> Result<(), logconf::Error> {
///     let _guard = logconf::init()?;
///     tracing::info!("EC2 Session object created");
///     Ok(())
/// }
/// ```
pub fn init() -> Result<Guard, Error> {
    init_profile(false)
}

/// Like [`init`], with the debug profile: `LOG_CFG` still wins; then the
/// first of [`DEBUG_FILES`]; then [`EMBEDDED_DEBUG`].
///
/// # Errors
///
/// As [`init`].
///
/// ```no_run
/// let _guard = logconf::init_debug()?;
/// # Ok::<(), logconf::Error>(())
/// ```
pub fn init_debug() -> Result<Guard, Error> {
    init_profile(true)
}

/// Loads, builds and installs the config in `path` (JSON if it ends in
/// `.json`, YAML otherwise), with `RUST_LOG` applied as [`init`] does.
///
/// # Errors
///
/// As [`init`].
///
/// ```no_run
/// let _guard = logconf::init_from_path("configs/logger_config.yaml")?;
/// # Ok::<(), logconf::Error>(())
/// ```
pub fn init_from_path(path: impl AsRef<Path>) -> Result<Guard, Error> {
    let _installing = crate::bridge::installing();
    crate::bridge::ensure_no_global_subscriber()?;
    with_env_levels(Config::from_path(path)?, |k| std::env::var_os(k))?
        .build()?
        .install()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn log_cfg_wins_over_everything() {
        let got = locate(
            true,
            env(&[("LOG_CFG", "x.yaml"), ("LOG_PROFILE", "debug")]),
            |_| true,
        );
        assert_eq!(got, Source::LogCfg("x.yaml".into()));
    }

    #[test]
    fn empty_log_cfg_is_ignored() {
        let got = locate(false, env(&[("LOG_CFG", "")]), |_| false);
        assert_eq!(got, Source::Embedded(EMBEDDED_DEFAULT));
    }

    #[test]
    fn profile_selects_debug_files() {
        let got = locate(false, env(&[("LOG_PROFILE", "debug")]), |p| {
            p == Path::new("configs/logger_config_debug.yaml")
        });
        assert_eq!(got, Source::File("configs/logger_config_debug.yaml".into()));
        let got = locate(true, env(&[]), |_| false);
        assert_eq!(got, Source::Embedded(EMBEDDED_DEBUG));
    }

    #[test]
    fn rust_log_applies_unless_the_config_opts_out() {
        let explain = |yaml: &str, rust_log: &str| {
            let config = Config::from_yaml_str(yaml).map_err(|e| e.to_string());
            let config = config.and_then(|c| {
                with_env_levels(c, env(&[("RUST_LOG", rust_log)])).map_err(|e| e.to_string())
            });
            config.map(|c| c.explain("app::db").to_string())
        };
        let text = explain("version: 1\nroot: {level: WARNING}\n", "app=debug");
        assert!(
            text.as_ref().is_ok_and(|t| t
                .contains("logger `app` (RUST_LOG `app=debug`): level DEBUG")
                && t.contains("effective level: DEBUG")),
            "{text:?}"
        );
        let text = explain(
            "version: 1\nlogconf: {rust_log: false}\nroot: {level: WARNING}\n",
            "app=debug",
        );
        assert!(
            text.as_ref()
                .is_ok_and(|t| !t.contains("RUST_LOG") && t.contains("effective level: WARNING")),
            "{text:?}"
        );
        let text = explain("version: 1\n", "");
        assert!(text.is_ok_and(|t| !t.contains("RUST_LOG")));
        let err = explain("version: 1\n", "app[span]=debug");
        assert!(err.is_err_and(|e| e.contains("span and field directives")));
        // Not applied, so not refused.
        let ok = explain(
            "version: 1\nlogconf: {rust_log: false}\n",
            "app[span]=debug",
        );
        assert!(ok.is_ok_and(|t| !t.contains("RUST_LOG")));
    }

    #[test]
    fn default_search_order() {
        let got = locate(false, env(&[]), |_| true);
        assert_eq!(got, Source::File("logger_config.yaml".into()));
        let got = locate(false, env(&[]), |p| {
            p == Path::new("configs/logger_config.yaml")
        });
        assert_eq!(got, Source::File("configs/logger_config.yaml".into()));
    }
}
