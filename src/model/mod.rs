//! The validated model: every reference resolved, every default applied.
//!
//! Built from the raw config tree by the checker in `config/check/`; every
//! problem found on the way is collected (with its location) before
//! anything is returned.

use std::sync::Arc;

mod pattern;

pub(crate) use pattern::{NamePattern, segments};

use crate::format::class::RecordFormat;
use crate::handler::class::HandlerSettings;
use crate::level::Level;
use crate::tree::Pos;

/// A checked config, ready to be compiled into routing and handlers.
#[derive(Debug)]
pub(crate) struct Model {
    /// Where the config came from, for messages (`configs/app.yaml`, `<string>`).
    pub(crate) source: String,
    /// Formatters, referenced by index.
    pub(crate) formatters: Vec<NamedFormatter>,
    /// Filters, referenced by index.
    pub(crate) filters: Vec<FilterSpec>,
    /// Handlers, referenced by index, in the config's order.
    pub(crate) handlers: Vec<HandlerSpec>,
    /// Configured loggers (not the root), in the config's order.
    pub(crate) loggers: Vec<LoggerSpec>,
    /// The root logger (level WARNING unless the config says otherwise).
    pub(crate) root: LoggerSpec,
    /// Whether the built-in quiet list of noisy dependencies applies
    /// (`logconf: {quiet_dependencies: false}` turns it off).
    pub(crate) quiet_dependencies: bool,
    /// logconf's keys for a running process (`watch`, `reload_on_sighup`,
    /// `rust_log`).
    pub(crate) live: LiveOptions,
    /// Logger levels set from outside the file (`RUST_LOG`), over the
    /// file's.
    pub(crate) env_levels: Vec<crate::env_levels::EnvLevel>,
}

/// logconf's keys for a running process.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LiveOptions {
    /// `watch:`: how often the file is checked for changes (`None`: never).
    pub(crate) watch: Option<std::time::Duration>,
    /// `reload_on_sighup:`: reload when the process receives `SIGHUP`.
    pub(crate) reload_on_sighup: bool,
    /// `rust_log:` (default true): whether [`init`](fn@crate::init) applies `RUST_LOG`.
    pub(crate) rust_log: bool,
}

/// A formatter and the name the config gave it.
#[derive(Debug)]
pub(crate) struct NamedFormatter {
    /// The key under `formatters:`.
    pub(crate) name: String,
    /// The compiled formatter.
    pub(crate) formatter: Arc<dyn RecordFormat>,
}

/// `logging.Filter(name)`: passes records whose logger is `name` or below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterSpec {
    /// The key under `filters:`.
    pub(crate) name: String,
    /// The `name:` argument; `""` passes everything.
    pub(crate) logger: String,
}

/// One handler entry.
#[derive(Debug)]
pub(crate) struct HandlerSpec {
    /// The key under `handlers:`.
    pub(crate) name: String,
    /// Where its key is written (for build errors).
    pub(crate) pos: Pos,
    /// Its class's name (`logging.FileHandler`).
    pub(crate) class: &'static str,
    /// What its class's parse step made of its keys.
    pub(crate) settings: Arc<dyn HandlerSettings>,
    /// What ends each record (`\n`; Python's `terminator`).
    pub(crate) terminator: String,
    /// `level:` (NOTSET when absent).
    pub(crate) level: Level,
    /// Index into [`Model::formatters`]; `None` is Python's default `%(message)s`.
    pub(crate) formatter: Option<usize>,
    /// Indexes into [`Model::filters`].
    pub(crate) filters: Vec<usize>,
}

/// One logger entry (or the root).
#[derive(Debug, Clone)]
pub(crate) struct LoggerSpec {
    /// The name as written in the config (`""` for the root).
    pub(crate) name: String,
    /// The parsed name.
    pub(crate) pattern: NamePattern,
    /// `level:`: NOTSET (inherit) when absent; the root defaults to WARNING.
    pub(crate) level: Level,
    /// Indexes into [`Model::handlers`], in order, as written (routing attaches a
    /// handler listed twice on one logger once, as Python's `addHandler` does).
    pub(crate) handlers: Vec<usize>,
    /// Indexes into [`Model::filters`].
    pub(crate) filters: Vec<usize>,
    /// `propagate:` (default true).
    pub(crate) propagate: bool,
}
