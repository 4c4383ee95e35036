//! The `tracing` glue: a [`Layer`] that routes each event through the
//! compiled table, builds a record, formats it once per distinct formatter
//! and hands the bytes to the handlers; plus the per-layer filter that
//! rejects whole callsites when they register.

mod forward;
mod record;
mod routes;
#[cfg(feature = "log")]
mod targets;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use arc_swap::ArcSwap;

use tracing_core::dispatcher::WeakDispatch;
use tracing_core::subscriber::Interest;
use tracing_core::{Dispatch, Event, Metadata, Subscriber};
#[cfg(feature = "log")]
use tracing_log::NormalizeEvent;
use tracing_subscriber::layer::{Context, Filter, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::format::class::RecordFormat;
use crate::format::{Needs, Record};
use crate::handler::class::HandlerSettings;
use crate::handler::clock::Clock;
use crate::handler::{EventSpan, Handler};
use crate::level::Level;
use crate::routing::{LAST_RESORT_LEVEL, Route, Router};

pub(crate) use forward::Forward;
pub(crate) use record::{START, Scratch, SpanData};
use routes::CallsiteRoutes;

/// What makes the layer look at spans: their names or their fields.
const SPAN_NEEDS: Needs = Needs::FUNC_NAME
    .union(Needs::SPANS)
    .union(Needs::SPAN_FIELDS);

/// A built handler, the formatter it uses and its terminator.
#[derive(Debug)]
pub(crate) struct Slot {
    /// The sink, shared with the next config when a reload keeps it.
    pub(crate) handler: Arc<dyn Handler>,
    /// What it was built from (`None` for lastResort), to tell whether a
    /// reload may keep it.
    pub(crate) settings: Option<Arc<dyn HandlerSettings>>,
    /// Index into [`Shared::formatters`].
    pub(crate) formatter: usize,
    /// Index into [`Shared::terminators`].
    pub(crate) terminator: usize,
    /// How the handler passes records on, if it does (`MemoryHandler`,
    /// `QueueHandler`).
    pub(crate) forward: Option<Forward>,
}

/// The config the layer, the filter and the guards currently use: one cell
/// swapped whole (routes and handlers together) by a reload.
#[derive(Debug)]
pub(crate) struct Runtime {
    current: ArcSwap<Shared>,
    /// Which config `current` holds, unique in the process (from
    /// [`GENERATIONS`]): answers kept per thread for `log` targets are
    /// valid for one generation.
    generation: AtomicU64,
}

/// The source of [`Runtime`] generations: never 0, never the same twice.
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

impl Runtime {
    /// A runtime whose config is `shared`.
    pub(crate) fn new(shared: Arc<Shared>) -> Runtime {
        Runtime {
            current: ArcSwap::new(shared),
            generation: AtomicU64::new(next_generation()),
        }
    }

    /// The current config.
    pub(crate) fn current(&self) -> arc_swap::Guard<Arc<Shared>> {
        self.current.load()
    }

    /// Makes `shared` the current config and returns the previous one.
    /// Callsite interest is rebuilt, so callsites the old config disabled
    /// for good are asked again; answers kept for `log` targets are
    /// dropped, and the `log` crate's max level follows the new config if
    /// this one is installed. The caller drops (and so flushes) the old
    /// config after this returns.
    pub(crate) fn swap(&self, shared: Arc<Shared>) -> Arc<Shared> {
        let old = self.current.swap(shared);
        // After the swap: a thread that sees the new generation reads the
        // new config.
        self.generation.store(next_generation(), Ordering::Release);
        #[cfg(feature = "log")]
        crate::bridge::config_swapped(self);
        tracing_core::callsite::rebuild_interest_cache();
        old
    }

    /// Flushes every handler of the current config and waits for their
    /// background work (compressions) queued so far.
    pub(crate) fn finish(&self) {
        self.current().finish();
    }

    /// Flushes without waiting long for a busy handler (from a panic hook).
    pub(crate) fn try_flush(&self) {
        self.current().try_flush();
    }

    /// Closes every handler of the current config (the guard dropped).
    pub(crate) fn close(&self) {
        self.current().close();
    }
}

/// Everything the layer and filter share: built once per config.
#[derive(Debug)]
pub(crate) struct Shared {
    router: Router,
    handlers: Vec<Slot>,
    /// Python's `lastResort`: WARNING and above to stderr, for records whose
    /// logger chain has no handler.
    last_resort: Slot,
    /// The config's formatters, then Python's default formatter (for
    /// handlers without one and for lastResort).
    formatters: Vec<Arc<dyn RecordFormat>>,
    /// The distinct terminators of the handlers.
    terminators: Vec<Box<[u8]>>,
    /// What any formatter needs computed.
    needs: Needs,
    /// Per handler: whether a record it receives must carry the fields as
    /// ` key=value` text in its message ([`Needs::FIELD_TEXT`]): its
    /// formatter prints it, or it passes records on or takes them whole.
    field_text: Vec<bool>,
    /// Whether some handler takes structured records
    /// ([`Handler::takes_records`]): only then are spans looked up.
    records: bool,
    /// Routes of `tracing` callsites, filled as they register.
    callsites: CallsiteRoutes,
    /// Routes by target name, for `log` records and unregistered callsites.
    targets: RwLock<HashMap<String, Arc<Route>>>,
    /// The clock of record timestamps when one was injected; `None` reads
    /// the system clock directly (no virtual call per record).
    clock: Option<Arc<dyn Clock>>,
    /// Dropped with the config: wakes its flush thread to end it.
    flusher: std::sync::Mutex<Option<std::sync::mpsc::Sender<()>>>,
}

/// How many target names keep their computed route (`tracing` callsites are
/// finite and always kept; `log` targets may be made at run time).
const MAX_CACHED_TARGETS: usize = 4096;

/// Whether `meta` is one of the `tracing-log` callsites that carry `log`
/// records (their real target is only known per record).
fn is_log_callsite(meta: &Metadata<'_>) -> bool {
    meta.fields().field("log.target").is_some()
}

impl Shared {
    /// The config made of `router`, the `handlers` (their formatters index
    /// into `formatters`, whose last is Python's default formatter, and
    /// their terminators into `terminators`, whose first is `\n`) and the
    /// lastResort handler; records are stamped by `clock` (`None`: the
    /// system clock).
    pub(crate) fn new(
        router: Router,
        handlers: Vec<Slot>,
        last_resort: Slot,
        formatters: Vec<Arc<dyn RecordFormat>>,
        terminators: Vec<Box<[u8]>>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Shared {
        let needs = formatters
            .iter()
            .fold(Needs::NONE, |acc, f| acc.union(f.needs()));
        let records = handlers.iter().any(|slot| slot.handler.takes_records());
        let field_text = handlers
            .iter()
            .map(|slot| {
                slot.forward.is_some()
                    || slot.handler.takes_records()
                    || formatters
                        .get(slot.formatter)
                        .is_none_or(|f| f.needs().contains(Needs::FIELD_TEXT))
            })
            .collect();
        Shared {
            router,
            handlers,
            last_resort,
            formatters,
            terminators,
            needs,
            field_text,
            clock,
            records,
            callsites: CallsiteRoutes::default(),
            targets: RwLock::new(HashMap::new()),
            flusher: std::sync::Mutex::new(None),
        }
    }

    /// Keeps `stop`, whose drop with this config ends its flush thread.
    pub(crate) fn set_flusher(&self, stop: std::sync::mpsc::Sender<()>) {
        *self.flusher.lock().unwrap_or_else(PoisonError::into_inner) = Some(stop);
    }

    pub(crate) fn router(&self) -> &Router {
        &self.router
    }

    /// The handlers built for this config, with their settings.
    pub(crate) fn slots(&self) -> &[Slot] {
        &self.handlers
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
        let mut route = self.router.route(target);
        route.field_text = self.field_text(&route);
        let route = Arc::new(route);
        let mut targets = self.targets.write().unwrap_or_else(PoisonError::into_inner);
        // `log` targets can be made at run time (`target: &format!(..)`):
        // past a bound, routes are computed per record instead of kept.
        if targets.len() >= MAX_CACHED_TARGETS {
            return route;
        }
        targets.entry(target.to_owned()).or_insert(route).clone()
    }

    /// The route for a `tracing` callsite, computed once per callsite.
    fn route_for_callsite(&self, meta: &Metadata<'_>) -> Cow<'_, Arc<Route>> {
        let id = meta.callsite();
        if let Some(route) = self.callsites.get(&id) {
            return route;
        }
        let route = self.route_for_target(meta.target());
        self.callsites.insert(id, Arc::clone(&route));
        Cow::Owned(route)
    }

    /// Flushes every handler.
    pub(crate) fn flush(&self) {
        for slot in &self.handlers {
            slot.handler.flush();
        }
        self.last_resort.handler.flush();
    }

    /// Flushes every handler and waits for its background work.
    pub(crate) fn finish(&self) {
        for slot in &self.handlers {
            slot.handler.finish();
        }
        self.last_resort.handler.flush();
    }

    /// Python's shutdown: closes each handler no other handler passes
    /// records on to (a handler that passes records on closes the handlers
    /// it passes them to after itself), then flushes every handler.
    pub(crate) fn close(&self) {
        let mut downstream = vec![false; self.handlers.len()];
        for forward in self.handlers.iter().filter_map(|s| s.forward.as_ref()) {
            for &(h, _) in &forward.downstream {
                if let Some(d) = downstream.get_mut(h) {
                    *d = true;
                }
            }
        }
        for (slot, downstream) in self.handlers.iter().zip(downstream) {
            if !downstream {
                slot.handler.close();
            }
        }
        self.finish();
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

    /// Whether a record on `route` must carry its fields as ` key=value`
    /// text in its message ([`Route::field_text`]): when a formatter it
    /// reaches prints it, and whenever something else might read it
    /// (registered filters, handlers that pass records on or take them
    /// whole, lastResort).
    fn field_text(&self, route: &Route) -> bool {
        route.checks.is_some()
            || route.last_resort
            || route.deliveries.iter().any(|delivery| {
                self.field_text
                    .get(delivery.handler)
                    .copied()
                    .unwrap_or(true)
            })
    }

    /// Whether the layer must see spans: a formatter prints `funcName` or
    /// spans, or a handler reads the event's span (OTLP's trace context).
    fn wants_spans(&self) -> bool {
        self.needs.intersects(SPAN_NEEDS) || self.records
    }

    /// Routes, formats and writes one event. `dispatch` is the subscriber
    /// the layer is part of, when known.
    fn dispatch<S>(&self, event: &Event<'_>, ctx: &Context<'_, S>, dispatch: Option<&WeakDispatch>)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        // A `log` record carries its real target in its fields.
        // (`tracing-log`'s callsites have the target `log`: no other event
        // pays for the question.)
        #[cfg(feature = "log")]
        let normalized = if event.metadata().target() == "log" {
            event.normalized_metadata()
        } else {
            None
        };
        #[cfg(not(feature = "log"))]
        let normalized: Option<Metadata<'_>> = None;
        let (meta, route) = match &normalized {
            Some(meta) => (meta, Cow::Owned(self.route_for_target(meta.target()))),
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
        // Only for record-taking handlers: the event's span and its subscriber.
        let span = if self.records {
            ctx.event_span(event)
                .map(|span| span.id())
                .zip(dispatch.and_then(WeakDispatch::upgrade))
        } else {
            None
        };
        let span = span
            .as_ref()
            .map(|(id, dispatch)| EventSpan { id, dispatch });
        let route = &*route;
        Scratch::with(|scratch| {
            // Out of the closures: the record is built and delivered by a
            // plain call, its arguments in registers.
            if wants_thread {
                record::with_thread(true, |thread| {
                    self.deliver(
                        scratch, event, ctx, meta, level, route, func_name, thread, span,
                    );
                });
            } else {
                self.deliver(
                    scratch, event, ctx, meta, level, route, func_name, None, span,
                );
            }
        });
    }

    /// Builds the record of `event` in `scratch` and hands it to the
    /// handlers of `route`.
    #[allow(
        clippy::too_many_arguments,
        reason = "one call site; the parts of an event"
    )]
    fn deliver<S>(
        &self,
        scratch: &mut record::ScratchParts<'_>,
        event: &Event<'_>,
        ctx: &Context<'_, S>,
        meta: &Metadata<'_>,
        level: Level,
        route: &Route,
        func_name: Option<&'static str>,
        thread: Option<(u64, &str)>,
        span: Option<EventSpan<'_>>,
    ) where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let span_text = self.needs.contains(Needs::SPANS);
        let span_fields = self.needs.contains(Needs::SPAN_FIELDS);
        scratch.visit(event, route.field_text);
        if (span_text || span_fields)
            && let Some(scope) = ctx.event_scope(event)
        {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let data = extensions.get::<SpanData>();
                scratch.add_span(span.name(), data, span_text, span_fields);
            }
        }
        let (record, out) = scratch.record(
            meta,
            level,
            func_name,
            thread,
            self.needs,
            self.clock.as_deref(),
        );
        // Registered filters: asked per record, only on routes through one.
        let checks = route.checks.as_deref();
        if let Some(checks) = checks
            && !self.router.passes(&checks.origin, &record)
        {
            return;
        }
        for (i, delivery) in route.deliveries.iter().enumerate() {
            if level < delivery.level {
                continue;
            }
            if let Some(checks) = checks
                && let Some(ids) = checks.deliveries.get(i)
                && !self.router.passes(ids, &record)
            {
                continue;
            }
            let Some(slot) = self.handlers.get(delivery.handler) else {
                continue;
            };
            if self.records && slot.handler.takes_records() {
                self.emit_record(slot, out, &record, span);
                continue;
            }
            self.emit(slot, out, &record, level);
        }
        if route.last_resort && level >= LAST_RESORT_LEVEL {
            self.emit(&self.last_resort, out, &record, level);
        }
    }
}

impl Shared {
    /// Formats `record` for `slot` (once per formatter and terminator) and
    /// hands it to the slot's handler.
    fn emit(&self, slot: &Slot, out: &mut Output, record: &Record<'_>, level: Level) {
        if slot.forward.is_some() {
            let parcel = self.parcel(slot, out, record, level);
            slot.handler.forward(parcel, level);
            return;
        }
        let bytes = self.text(slot, out, record);
        slot.handler.emit(bytes, level);
    }

    /// The record as `slot`'s formatter renders it, with its terminator.
    fn text<'o>(&self, slot: &Slot, out: &'o mut Output, record: &Record<'_>) -> &'o [u8] {
        self.rendered(slot, out, record, b"\n")
    }

    /// The record as `slot`'s formatter renders it, with its terminator
    /// (`missing` if the slot's terminator is unknown).
    fn rendered<'o>(
        &self,
        slot: &Slot,
        out: &'o mut Output,
        record: &Record<'_>,
        missing: &'static [u8],
    ) -> &'o [u8] {
        let terminator = self
            .terminators
            .get(slot.terminator)
            .map_or(missing, |t| &t[..]);
        out.formatted(
            slot.formatter,
            slot.terminator,
            terminator,
            &self.formatters,
            record,
        )
    }

    /// Hands `record` to a record-taking handler, with the text of its own
    /// formatter when the config gave it one (Python's OTel handler sends
    /// `format(record)` as the body then, `getMessage()` otherwise).
    fn emit_record(
        &self,
        slot: &Slot,
        out: &mut Output,
        record: &Record<'_>,
        span: Option<EventSpan<'_>>,
    ) {
        let own_formatter = slot.formatter + 1 < self.formatters.len();
        let formatted = own_formatter.then(|| self.rendered(slot, out, record, b""));
        slot.handler.emit_record(record, formatted, span);
    }
}

/// The per-layer filter: rejects a callsite for good when nothing in the
/// config can ever write it, so a quieted event costs what a disabled
/// `tracing` event costs, without hiding events from other layers.
#[derive(Debug, Clone)]
pub struct RouteFilter {
    runtime: Arc<Runtime>,
}

impl<S> Filter<S> for RouteFilter {
    fn enabled(&self, meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        let shared = self.runtime.current();
        if meta.is_span() {
            return shared.wants_spans();
        }
        let level = Level::from_tracing(meta.level());
        if is_log_callsite(meta) {
            // `tracing-log` asks with the record's real target; the event
            // that follows is routed again on that target.
            return meta.target() == "log" || shared.route_for_target(meta.target()).enabled(level);
        }
        shared.route_for_callsite(meta).enabled(level)
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        let shared = self.runtime.current();
        if meta.is_span() {
            return if shared.wants_spans() {
                Interest::always()
            } else {
                Interest::never()
            };
        }
        if is_log_callsite(meta) {
            return Interest::sometimes();
        }
        let level = Level::from_tracing(meta.level());
        if shared.route_for_callsite(meta).enabled(level) {
            Interest::always()
        } else {
            Interest::never()
        }
    }
}

/// The layer that writes records: see [`crate::Logging::layer`].
#[derive(Debug, Clone)]
pub struct LogconfLayer {
    runtime: Arc<Runtime>,
    /// The subscriber this layer is part of, once registered: handlers
    /// that read a span's context ask it.
    dispatch: OnceLock<WeakDispatch>,
}

impl LogconfLayer {
    pub(crate) fn new(runtime: Arc<Runtime>) -> LogconfLayer {
        LogconfLayer {
            runtime,
            dispatch: OnceLock::new(),
        }
    }

    pub(crate) fn filter(&self) -> RouteFilter {
        RouteFilter {
            runtime: Arc::clone(&self.runtime),
        }
    }
}

impl<S> Layer<S> for LogconfLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.dispatch.set(subscriber.downgrade());
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        self.runtime
            .current()
            .dispatch(event, &ctx, self.dispatch.get());
    }

    fn on_new_span(
        &self,
        attrs: &tracing_core::span::Attributes<'_>,
        id: &tracing_core::span::Id,
        ctx: Context<'_, S>,
    ) {
        if !self
            .runtime
            .current()
            .needs
            .intersects(Needs::SPANS.union(Needs::SPAN_FIELDS))
        {
            return;
        }
        if let Some(span) = ctx.span(id) {
            let mut data = SpanData::default();
            data.record(|visitor| attrs.record(visitor));
            span.extensions_mut().insert(data);
        }
    }

    fn on_record(
        &self,
        id: &tracing_core::span::Id,
        values: &tracing_core::span::Record<'_>,
        ctx: Context<'_, S>,
    ) {
        if let Some(span) = ctx.span(id)
            && let Some(data) = span.extensions_mut().get_mut::<SpanData>()
        {
            data.record(|visitor| values.record(visitor));
        }
    }
}

/// Formats one record at most once per formatter and terminator.
#[derive(Debug, Default)]
pub(crate) struct Output {
    buf: Vec<u8>,
    /// (formatter, terminator, start, end) of each text already in `buf`.
    done: Vec<(usize, usize, usize, usize)>,
}

impl Output {
    /// Whether the buffer grew beyond `bytes`.
    #[inline]
    pub(crate) fn is_large(&self, bytes: usize) -> bool {
        self.buf.capacity() > bytes
    }

    /// Frees the buffer if it grew beyond `bytes` (after a huge record).
    pub(crate) fn release_large(&mut self, bytes: usize) {
        if self.buf.capacity() > bytes {
            self.buf = Vec::new();
        }
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.done.clear();
    }

    /// The record as `formatter` renders it, followed by `terminator`
    /// (whose index is `terminator_id`).
    fn formatted(
        &mut self,
        formatter: usize,
        terminator_id: usize,
        terminator: &[u8],
        formatters: &[Arc<dyn RecordFormat>],
        record: &Record<'_>,
    ) -> &[u8] {
        let found = self
            .done
            .iter()
            .find(|d| d.0 == formatter && d.1 == terminator_id);
        let range = match found {
            Some(&(_, _, start, end)) => (start, end),
            None => {
                let start = self.buf.len();
                if let Some(f) = formatters.get(formatter) {
                    f.format(record, &mut self.buf);
                }
                match terminator {
                    [byte] => self.buf.push(*byte),
                    _ => self.buf.extend_from_slice(terminator),
                }
                let end = self.buf.len();
                self.done.push((formatter, terminator_id, start, end));
                (start, end)
            }
        };
        self.buf.get(range.0..range.1).unwrap_or(&[])
    }
}
