//! The logger hierarchy compiled into a table: Python's `Logger.isEnabledFor`
//! and `Logger.callHandlers`, decided once per target instead of per record.
//!
//! For a target `a::b::c` the chain is the configured loggers that are the
//! target itself or one of its ancestors, most specific first, then the root.
//! At each depth at most one logger applies: a configured logger beats the
//! quiet preset; a literal name beats a glob; among globs the one with more
//! literal text wins; then the earlier in the config.
//!
//! Everything Python checks per record that depends only on the logger name
//! (effective level, the origin logger's filters, each handler's filters,
//! where `propagate: false` cuts the chain, whether lastResort applies) is
//! folded into a [`Route`]; only the record's level is left to compare.

mod checks;
mod preset;

pub(crate) use checks::Checks;

pub(crate) use crate::model::{NamePattern, segments};
pub(crate) use preset::QUIET_DEPENDENCIES;

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::env_levels::{EnvLevel, OFF};
use crate::level::Level;
use crate::model::{FilterSpec, LoggerSpec, Model};

/// The level at which Python's `lastResort` handler writes.
pub(crate) const LAST_RESORT_LEVEL: Level = Level::WARNING;

/// Where a logger in the table came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// `loggers:` entry number n.
    Config(usize),
    /// The quiet list of noisy dependencies.
    Preset,
    /// Made by a `RUST_LOG` directive for a name the file does not configure.
    Env,
}

#[derive(Clone, Debug)]
struct TableLogger {
    spec: LoggerSpec,
    origin: Origin,
    /// The `RUST_LOG` directive that set its level, and the level it had
    /// before (`None` for a logger the directive made).
    env: Option<(String, Option<Level>)>,
}

/// One handler a route delivers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// Index into the model's handlers.
    pub(crate) handler: usize,
    /// That handler's level: the record must be at least this.
    pub(crate) level: Level,
}

/// What happens to a record from one target, by level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    /// The origin logger's effective level: records below it are dropped.
    pub(crate) effective: Level,
    /// The handlers that receive a record that passed `effective`, in
    /// Python's order (origin first; a handler on two loggers appears twice).
    /// Handlers whose filters reject this target are left out.
    pub(crate) deliveries: Vec<Delivery>,
    /// No logger in the chain has any handler: WARNING and above go to
    /// stderr as the bare message.
    pub(crate) last_resort: bool,
    /// The lowest level that produces any output (`None`: nothing ever does).
    pub(crate) threshold: Option<Level>,
    /// Registered filters to ask per record (`None`, the usual case: the
    /// route is decided by target and level alone).
    pub(crate) checks: Option<Box<Checks>>,
    /// Whether its records must carry their fields as ` key=value` text in
    /// the message (the subscriber sets it from the handlers' formatters;
    /// `true` until it does).
    pub(crate) field_text: bool,
}

impl Route {
    /// Whether a record at `level` produces any output.
    pub(crate) fn enabled(&self, level: Level) -> bool {
        self.threshold.is_some_and(|t| level >= t)
    }
}

/// The compiled hierarchy.
#[derive(Debug, Clone)]
pub(crate) struct Router {
    loggers: Vec<TableLogger>,
    root: LoggerSpec,
    filters: Vec<FilterSpec>,
    /// Per handler: its level and its filters.
    handlers: Vec<(Level, Vec<usize>)>,
    handler_names: Vec<String>,
    /// Per handler: its formatter, as `explain` names it.
    handler_formatters: Vec<String>,
    /// `RUST_LOG` levels for loggers other than the root, the last
    /// directive for a name first.
    env_levels: Vec<EnvLevel>,
    /// The `RUST_LOG` directive that set the root's level, and the file's.
    root_env: Option<(String, Level)>,
    /// Per handler: the handlers it passes records on to (a MemoryHandler's
    /// target, a QueueHandler's handlers), for `explain`.
    handler_downstream: Vec<Vec<usize>>,
}

/// A level as `explain` shows it (`OFF` for `RUST_LOG`'s `off`).
fn show(level: Level) -> String {
    if level == OFF {
        "OFF".to_owned()
    } else {
        level.to_string()
    }
}

/// Whether `logging.Filter(name)` passes a record from `target`.
fn filter_passes(filter: &FilterSpec, target: &[&str]) -> bool {
    if filter.logger.is_empty() {
        return true;
    }
    let mut want = segments(&filter.logger);
    let mut got = target.iter();
    loop {
        match (want.next(), got.next()) {
            (None, _) => return true,
            (Some(w), Some(g)) if w == *g => {}
            _ => return false,
        }
    }
}

/// A logger's spec with its handler list as Python's `addHandler` leaves
/// it: a handler listed twice on one logger is attached once.
fn attached(spec: &LoggerSpec) -> LoggerSpec {
    let mut spec = spec.clone();
    let mut seen = Vec::with_capacity(spec.handlers.len());
    spec.handlers.retain(|h| {
        let first = !seen.contains(h);
        seen.push(*h);
        first
    });
    spec
}

impl Router {
    /// Compiles the model's loggers (plus the quiet preset when enabled).
    pub(crate) fn new(model: &Model) -> Router {
        let mut loggers: Vec<TableLogger> = model
            .loggers
            .iter()
            .enumerate()
            .map(|(i, spec)| TableLogger {
                spec: attached(spec),
                origin: Origin::Config(i),
                env: None,
            })
            .collect();
        if model.quiet_dependencies {
            for name in QUIET_DEPENDENCIES {
                let Ok(pattern) = NamePattern::parse(name) else {
                    continue;
                };
                loggers.push(TableLogger {
                    spec: LoggerSpec {
                        name: (*name).to_owned(),
                        pattern,
                        level: Level::WARNING,
                        handlers: Vec::new(),
                        filters: Vec::new(),
                        propagate: true,
                    },
                    origin: Origin::Preset,
                    env: None,
                });
            }
        }
        let mut root = attached(&model.root);
        let mut root_env = None;
        if let Some(env) = model.env_levels.iter().rev().find(|l| l.is_root()) {
            root_env = Some((env.directive.clone(), root.level));
            root.level = env.level;
        }
        Router {
            loggers,
            root,
            root_env,
            env_levels: model
                .env_levels
                .iter()
                .rev()
                .filter(|l| !l.is_root())
                .cloned()
                .collect(),
            filters: model.filters.clone(),
            handlers: model
                .handlers
                .iter()
                .map(|h| (h.level, h.filters.clone()))
                .collect(),
            handler_names: model.handlers.iter().map(|h| h.name.clone()).collect(),
            handler_formatters: model
                .handlers
                .iter()
                .map(|h| {
                    h.formatter
                        .and_then(|f| model.formatters.get(f))
                        .map_or_else(
                            || "the default `%(message)s`".to_owned(),
                            |f| format!("`{}`", f.name),
                        )
                })
                .collect(),
            handler_downstream: model
                .handlers
                .iter()
                .map(|h| h.downstream.clone())
                .collect(),
        }
    }

    /// The chain of loggers for `target`, origin first, root last. A
    /// `RUST_LOG` level for a name in the chain replaces the level of the
    /// logger there (keeping its handlers, filters and `propagate`), or
    /// adds a logger without handlers that propagates.
    fn chain(&self, target: &[&str]) -> Vec<Cow<'_, TableLogger>> {
        let mut chain = self.file_chain(target);
        if self.env_levels.is_empty() {
            return chain;
        }
        for depth in (1..=target.len()).rev() {
            let prefix = &target[..depth];
            let Some(env) = self
                .env_levels
                .iter()
                .find(|l| l.pattern.matches_exactly(prefix))
            else {
                continue;
            };
            let at = chain.iter().position(|l| l.spec.pattern.depth() <= depth);
            match at {
                Some(i) if chain[i].spec.pattern.depth() == depth => {
                    let logger = chain[i].to_mut();
                    logger.env = Some((env.directive.clone(), Some(logger.spec.level)));
                    logger.spec.level = env.level;
                }
                _ => {
                    let logger = TableLogger {
                        spec: LoggerSpec {
                            name: env.pattern.to_string(),
                            pattern: env.pattern.clone(),
                            level: env.level,
                            handlers: Vec::new(),
                            filters: Vec::new(),
                            propagate: true,
                        },
                        origin: Origin::Env,
                        env: Some((env.directive.clone(), None)),
                    };
                    chain.insert(at.unwrap_or(chain.len()), Cow::Owned(logger));
                }
            }
        }
        chain
    }

    /// The chain of the file's (and the preset's) loggers for `target`.
    fn file_chain(&self, target: &[&str]) -> Vec<Cow<'_, TableLogger>> {
        let mut chain = Vec::new();
        for depth in (1..=target.len()).rev() {
            let prefix = &target[..depth];
            let best = self
                .loggers
                .iter()
                .filter(|l| {
                    l.spec.pattern.depth() == depth && l.spec.pattern.matches_prefix(prefix)
                })
                .min_by_key(|l| {
                    (
                        matches!(l.origin, Origin::Preset),
                        !l.spec.pattern.is_literal(),
                        std::cmp::Reverse(l.spec.pattern.literal_len()),
                        match l.origin {
                            Origin::Config(i) => i,
                            Origin::Preset | Origin::Env => usize::MAX,
                        },
                    )
                });
            if let Some(best) = best {
                chain.push(Cow::Borrowed(best));
            }
        }
        chain
    }

    /// Routes records from `target` (`a::b` or `a.b`).
    pub(crate) fn route(&self, target: &str) -> Route {
        let segs: Vec<&str> = segments(target).filter(|s| !s.is_empty()).collect();
        let chain = self.chain(&segs);
        let loggers = chain
            .iter()
            .map(|l| &l.spec)
            .chain(std::iter::once(&self.root));

        // Python: the first non-zero level walking up; the root's level
        // (WARNING unless configured) ends the walk; a NOTSET root lets all through.
        let effective = loggers
            .clone()
            .map(|l| l.level)
            .find(|&level| level != Level::NOTSET)
            .unwrap_or(Level::NOTSET);

        // Logger filters run on the origin logger only: the one named
        // exactly like the target (an unconfigured origin has none).
        let origin_filters: &[usize] = match chain.first() {
            Some(origin) if origin.spec.pattern.matches_exactly(&segs) => &origin.spec.filters,
            _ if segs.is_empty() => &self.root.filters,
            _ => &[],
        };
        let origin_passes = origin_filters
            .iter()
            .all(|&f| self.filters.get(f).is_some_and(|f| filter_passes(f, &segs)));

        let mut deliveries = Vec::new();
        let mut found = 0usize;
        for logger in loggers {
            for &h in &logger.handlers {
                found += 1;
                let Some((level, filters)) = self.handlers.get(h) else {
                    continue;
                };
                let passes = filters
                    .iter()
                    .all(|&f| self.filters.get(f).is_some_and(|f| filter_passes(f, &segs)));
                if passes {
                    deliveries.push(Delivery {
                        handler: h,
                        level: *level,
                    });
                }
            }
            if !logger.propagate {
                break;
            }
        }
        let last_resort = found == 0;

        let lowest_output = deliveries
            .iter()
            .map(|d| d.level)
            .chain(last_resort.then_some(LAST_RESORT_LEVEL))
            .min();
        let threshold = match (origin_passes, lowest_output) {
            // `RUST_LOG`'s `off`: above every level a record can have.
            _ if effective == OFF => None,
            (true, Some(lowest)) => Some(lowest.max(effective)),
            _ => None,
        };
        let checks = self.checks(origin_filters, &deliveries);
        Route {
            effective,
            deliveries,
            last_resort,
            threshold,
            checks,
            field_text: true,
        }
    }

    /// A level below which no record is written, whatever its target: no
    /// route's threshold ([`Route::threshold`]) is below it. A route's
    /// threshold is the higher of its effective level (some logger's level
    /// that is not NOTSET, or NOTSET when the root is) and the lowest level
    /// of a handler it reaches (or lastResort's WARNING), so the higher of
    /// the lowest of each bounds them all. Filters only ever raise a
    /// threshold. (The `log` crate's max level is set from it.)
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn lowest_output(&self) -> Level {
        let effective = self
            .loggers
            .iter()
            .map(|l| l.spec.level)
            .chain(self.env_levels.iter().map(|e| e.level))
            .filter(|&level| level != Level::NOTSET)
            .chain(std::iter::once(self.root.level))
            .min()
            .unwrap_or(Level::NOTSET);
        let handlers = self
            .handlers
            .iter()
            .map(|&(level, _)| level)
            .chain(std::iter::once(LAST_RESORT_LEVEL))
            .min()
            .unwrap_or(Level::NOTSET);
        effective.max(handlers)
    }

    /// Whether the filters of handler `h` pass records from `target`
    /// (Python's `Handler.filter`, when another handler passes a record on).
    pub(crate) fn handler_passes(&self, h: usize, target: &str) -> bool {
        let Some((_, filters)) = self.handlers.get(h) else {
            return true;
        };
        if filters.is_empty() {
            return true;
        }
        let segs: Vec<&str> = segments(target).filter(|s| !s.is_empty()).collect();
        filters
            .iter()
            .all(|&f| self.filters.get(f).is_some_and(|f| filter_passes(f, &segs)))
    }

    /// A human-readable account of how records from `target` are routed.
    pub(crate) fn explain(&self, target: &str) -> String {
        self.explain_at(target, None)
    }

    /// [`Router::explain`], and with `level`, what happens to a record at
    /// that level: dropped at the origin, or which handlers write it and
    /// which do not, and why.
    pub(crate) fn explain_at(&self, target: &str, level: Option<Level>) -> String {
        let segs: Vec<&str> = segments(target).filter(|s| !s.is_empty()).collect();
        let chain = self.chain(&segs);
        let route = self.route(target);
        let mut out = String::new();
        let _ = writeln!(out, "target `{target}`");
        for l in &chain {
            let mut from = match l.origin {
                Origin::Config(_) => "config".to_owned(),
                Origin::Preset => "quiet preset".to_owned(),
                Origin::Env => "RUST_LOG".to_owned(),
            };
            let level = match &l.env {
                Some((directive, file_level)) => {
                    if let Some(file_level) = file_level {
                        let _ = write!(
                            from,
                            "; level from RUST_LOG `{directive}`, was {file_level}"
                        );
                    } else {
                        let _ = write!(from, " `{directive}`");
                    }
                    show(l.spec.level)
                }
                None => show(l.spec.level),
            };
            let _ = writeln!(
                out,
                "  logger `{}` ({from}): level {level}, handlers [{}], propagate {}",
                l.spec.name,
                self.names(&l.spec.handlers),
                l.spec.propagate
            );
            if !l.spec.propagate {
                break;
            }
        }
        if chain.iter().all(|l| l.spec.propagate) {
            let (level, from) = match &self.root_env {
                Some((directive, file_level)) => (
                    show(self.root.level),
                    format!(" (level from RUST_LOG `{directive}`, was {file_level})"),
                ),
                None => (show(self.root.level), String::new()),
            };
            let _ = writeln!(
                out,
                "  root{from}: level {level}, handlers [{}]",
                self.names(&self.root.handlers)
            );
        }
        let _ = writeln!(out, "  effective level: {}", show(route.effective));
        for d in &route.deliveries {
            let name = self
                .handler_names
                .get(d.handler)
                .map_or("?", String::as_str);
            let formatter = self
                .handler_formatters
                .get(d.handler)
                .map_or("?", String::as_str);
            let _ = writeln!(
                out,
                "  -> handler `{name}` (level {}, formatter {formatter})",
                d.level
            );
            if let Some(downstream) = self.handler_downstream.get(d.handler)
                && !downstream.is_empty()
            {
                let _ = writeln!(
                    out,
                    "     which passes records on to [{}]",
                    self.names(downstream)
                );
            }
        }
        if route.last_resort {
            let _ = writeln!(
                out,
                "  -> lastResort: WARNING and above to stderr, bare message"
            );
        }
        self.explain_checks(&route, &mut out);
        match route.threshold {
            Some(t) => {
                let _ = writeln!(out, "  lowest level written: {t}");
            }
            None => {
                let _ = writeln!(out, "  nothing from this target is ever written");
            }
        }
        if let Some(level) = level {
            self.explain_record(&mut out, &route, level);
        }
        out
    }

    /// What happens to one record at `level` on `route`.
    fn explain_record(&self, out: &mut String, route: &Route, level: Level) {
        let _ = writeln!(out, "a record at {level}:");
        if level < route.effective {
            let _ = writeln!(
                out,
                "  dropped: below the effective level {}",
                route.effective
            );
            return;
        }
        let mut written = false;
        for d in &route.deliveries {
            let name = self
                .handler_names
                .get(d.handler)
                .map_or("?", String::as_str);
            if level >= d.level {
                written = true;
                let _ = writeln!(out, "  written by `{name}`");
            } else {
                let _ = writeln!(
                    out,
                    "  not written by `{name}`: below its level {}",
                    d.level
                );
            }
        }
        if route.last_resort {
            if level >= LAST_RESORT_LEVEL {
                written = true;
                let _ = writeln!(out, "  written by lastResort (stderr)");
            } else {
                let _ = writeln!(
                    out,
                    "  not written: no handler, and lastResort writes WARNING and above"
                );
            }
        }
        if !written && !route.last_resort {
            let _ = writeln!(out, "  written by no handler");
        }
    }

    fn names(&self, handlers: &[usize]) -> String {
        handlers
            .iter()
            .map(|&h| self.handler_names.get(h).map_or("?", String::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests;
