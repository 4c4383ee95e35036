//! The `tracing` glue: a [`Layer`] that routes each event through the
//! compiled table, builds a record, formats it once per distinct formatter
//! and hands the bytes to the handlers; plus the per-layer filter that
//! rejects whole callsites when they register.

mod record;

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, PoisonError, RwLock};

use tracing_core::callsite::Identifier;
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Metadata, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::format::{Formatter, Needs, Record};
use crate::handler::Handler;
use crate::level::Level;
use crate::routing::{LAST_RESORT_LEVEL, Route, Router};

pub(crate) use record::{START, Scratch};

/// A built handler and the formatter it uses.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The sink.
    pub(crate) handler: Box<dyn Handler>,
    /// Index into [`Shared::formatters`].
    pub(crate) formatter: usize,
}

/// Everything the layer and filter share: built once per config.
#[derive(Debug)]
pub(crate) struct Shared {
    router: Router,
    handlers: Vec<Slot>,
    /// The config's formatters, then Python's default formatter (for
    /// handlers without one and for lastResort).
    formatters: Vec<Arc<Formatter>>,
    /// What any formatter needs computed.
    needs: Needs,
    /// Routes of `tracing` callsites, filled as they register.
    callsites: RwLock<HashMap<Identifier, Arc<Route>, BuildPtrHasher>>,
    /// Routes by target name, for `log` records and unregistered callsites.
    targets: RwLock<HashMap<String, Arc<Route>>>,
}

/// A hasher for callsite identities, which hash as a pointer or two: one
/// multiply-rotate per word instead of SipHash (the keys are addresses of
/// statics, not attacker-chosen).
#[derive(Debug, Default, Clone, Copy)]
struct PtrHasher(u64);

impl std::hash::Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

type BuildPtrHasher = std::hash::BuildHasherDefault<PtrHasher>;

/// How many target names keep their computed route (`tracing` callsites are
/// finite and always kept; `log` targets may be made at run time).
const MAX_CACHED_TARGETS: usize = 4096;

/// Whether `meta` is one of the `tracing-log` callsites that carry `log`
/// records (their real target is only known per record).
fn is_log_callsite(meta: &Metadata<'_>) -> bool {
    meta.fields().field("log.target").is_some()
}

impl Shared {
    pub(crate) fn new(
        router: Router,
        handlers: Vec<Slot>,
        formatters: Vec<Arc<Formatter>>,
    ) -> Shared {
        let needs = formatters
            .iter()
            .fold(Needs::NONE, |acc, f| acc.union(f.needs()));
        Shared {
            router,
            handlers,
            formatters,
            needs,
            callsites: RwLock::new(HashMap::default()),
            targets: RwLock::new(HashMap::new()),
        }
    }

    /// Index of Python's default formatter.
    fn default_formatter(&self) -> usize {
        self.formatters.len().saturating_sub(1)
    }

    pub(crate) fn router(&self) -> &Router {
        &self.router
    }

    /// The route for records from `target`, computed once per name.
    fn route_for_target(&self, target: &str) -> Arc<Route> {
        if let Some(route) = self
            .targets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(target)
        {
            return Arc::clone(route);
        }
        let route = Arc::new(self.router.route(target));
        let mut targets = self.targets.write().unwrap_or_else(PoisonError::into_inner);
        // `log` targets can be made at run time (`target: &format!(..)`):
        // past a bound, routes are computed per record instead of kept.
        if targets.len() >= MAX_CACHED_TARGETS {
            return route;
        }
        targets.entry(target.to_owned()).or_insert(route).clone()
    }

    /// The route for a `tracing` callsite, computed once per callsite.
    fn route_for_callsite(&self, meta: &Metadata<'_>) -> Arc<Route> {
        let id = meta.callsite();
        if let Some(route) = self
            .callsites
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
        {
            return Arc::clone(route);
        }
        let route = self.route_for_target(meta.target());
        self.callsites
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&route));
        route
    }

    /// Flushes every handler.
    pub(crate) fn flush(&self) {
        for slot in &self.handlers {
            slot.handler.flush();
        }
    }

    /// Flushes every handler without waiting long for a busy one (from a
    /// panic hook).
    pub(crate) fn try_flush(&self) {
        for slot in &self.handlers {
            slot.handler.try_flush();
        }
    }

    /// The shortest time a buffered handler lets a record wait, if any
    /// handler buffers.
    pub(crate) fn flush_interval(&self) -> Option<std::time::Duration> {
        self.handlers
            .iter()
            .filter_map(|slot| slot.handler.flush_interval())
            .min()
    }

    /// Routes, formats and writes one event.
    fn dispatch<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let normalized = event.normalized_metadata();
        let (meta, route) = match &normalized {
            Some(meta) => (meta, self.route_for_target(meta.target())),
            None => (event.metadata(), self.route_for_callsite(event.metadata())),
        };
        let level = Level::from_tracing(meta.level());
        if !route.enabled(level) {
            return;
        }
        let func_name = if self.needs.contains(Needs::FUNC_NAME) {
            ctx.event_span(event).map(|span| span.name())
        } else {
            None
        };
        let wants_thread = self.needs.contains(Needs::THREAD);
        Scratch::with(|scratch| {
            record::with_thread(wants_thread, |thread| {
                scratch.visit(event);
                let (record, out) = scratch.record(meta, level, func_name, thread, self.needs);
                for delivery in &route.deliveries {
                    if level < delivery.level {
                        continue;
                    }
                    let Some(slot) = self.handlers.get(delivery.handler) else {
                        continue;
                    };
                    let bytes = out.formatted(slot.formatter, &self.formatters, &record);
                    slot.handler.emit(bytes, level);
                }
                if route.last_resort && level >= LAST_RESORT_LEVEL {
                    let bytes = out.formatted(self.default_formatter(), &self.formatters, &record);
                    // Python's lastResort writes to the current stderr; a failure
                    // there has nowhere to be reported.
                    let _ = std::io::stderr().lock().write_all(bytes);
                }
            })
        });
    }
}

/// The per-layer filter: rejects a callsite for good when nothing in the
/// config can ever write it, so a quieted event costs what a disabled
/// `tracing` event costs, without hiding events from other layers.
#[derive(Debug, Clone)]
pub struct RouteFilter {
    shared: Arc<Shared>,
}

impl<S> Filter<S> for RouteFilter {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        if meta.is_span() {
            return self.shared.needs.contains(Needs::FUNC_NAME);
        }
        let level = Level::from_tracing(meta.level());
        if is_log_callsite(meta) {
            // `tracing-log` asks with the record's real target; the event
            // that follows is routed again on that target.
            return meta.target() == "log"
                || self.shared.route_for_target(meta.target()).enabled(level);
        }
        self.shared.route_for_callsite(meta).enabled(level)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if meta.is_span() {
            return if self.shared.needs.contains(Needs::FUNC_NAME) {
                Interest::always()
            } else {
                Interest::never()
            };
        }
        if is_log_callsite(meta) {
            return Interest::sometimes();
        }
        let level = Level::from_tracing(meta.level());
        if self.shared.route_for_callsite(meta).enabled(level) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
}

/// The layer that writes records: see [`crate::Logconf::layer`].
#[derive(Debug, Clone)]
pub struct LogconfLayer {
    shared: Arc<Shared>,
}

impl LogconfLayer {
    pub(crate) fn new(shared: Arc<Shared>) -> LogconfLayer {
        LogconfLayer { shared }
    }

    pub(crate) fn filter(&self) -> RouteFilter {
        RouteFilter {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S> Layer<S> for LogconfLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.shared.dispatch(event, &ctx);
    }
}

/// Formats one record at most once per formatter.
#[derive(Debug, Default)]
pub(crate) struct Output {
    buf: Vec<u8>,
    /// (formatter, start, end) of each text already in `buf`.
    done: Vec<(usize, usize, usize)>,
}

impl Output {
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.done.clear();
    }

    /// The record as `formatter` renders it, terminator included.
    fn formatted(
        &mut self,
        formatter: usize,
        formatters: &[Arc<Formatter>],
        record: &Record<'_>,
    ) -> &[u8] {
        let range = match self.done.iter().find(|d| d.0 == formatter) {
            Some(&(_, start, end)) => (start, end),
            None => {
                let start = self.buf.len();
                if let Some(f) = formatters.get(formatter) {
                    f.format(record, &mut self.buf);
                }
                self.buf.push(b'\n');
                let end = self.buf.len();
                self.done.push((formatter, start, end));
                (start, end)
            }
        };
        self.buf.get(range.0..range.1).unwrap_or(&[])
    }
}
