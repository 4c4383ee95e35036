//! The built config ([`Logging`]), its layer and subscriber, and the [`Guard`].

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use tracing_core::Subscriber;
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;

use crate::error::{Error, Problem};
use crate::format::Formatter;
use crate::format::class::RecordFormat;
use crate::handler::class::{BuildContext, HandlerSettings as _};
use crate::handler::clock::{Clock, SystemClock};
use crate::handler::forward::ForwardKind;
use crate::handler::report;
use crate::handler::stream::StreamHandler;
use crate::handler::{Handler, StreamTarget};
use crate::level::Level;
use crate::live::Live;
use crate::model::Model;
use crate::routing::Router;
use crate::sources::ConfigSource;
use crate::subscriber::{Forward, LogconfLayer, RouteFilter, Runtime, Shared, Slot};

/// A config compiled into handlers and a routing table: what
/// [`Config::build`](crate::Config::build) returns.
///
/// Use it as a [`Layer`](tracing_subscriber::Layer) beside your own layers
/// ([`Logging::layer`]), as a subscriber that is not installed globally
/// ([`Logging::subscriber`], for tests and `with_default`), or install it
/// ([`Logging::install`]). Clones share the same handlers.
///
/// ```
/// let logging = logconf::Config::from_yaml_str(
///     "version: 1\nhandlers: {h: {class: logging.NullHandler}}\nroot: {handlers: [h]}\n",
/// )?
/// .build()?;
/// tracing::subscriber::with_default(logging.subscriber(), || tracing::warn!("hello"));
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Clone)]
pub struct Logging {
    runtime: Arc<Runtime>,
    /// The file it was loaded from, for reloads (`None` for a config from
    /// a string).
    live: Option<Arc<Live>>,
    source: Arc<ConfigSource>,
}

impl fmt::Debug for Logging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logging").finish_non_exhaustive()
    }
}

/// The terminator every handler uses unless its class or config says otherwise.
const NEWLINE: &[u8] = b"\n";

/// Builds handlers and the routing table, with `injected` (`None`: the
/// system clock) for every handler's time and every record's timestamp;
/// with `test_writer`, stream handlers and lastResort write through the
/// test harness's capture. Every handler that cannot be opened is reported
/// (at its place in the file, with the I/O error as the cause); nothing is
/// returned half-built.
///
/// With `previous` (a reload), a handler whose settings are the same as
/// one of `previous`'s ([`HandlerSettings::same_output`]) is that handler,
/// shared, not a second one: its file stays open, once, with its rollover
/// state.
///
/// [`HandlerSettings::same_output`]: crate::handler::class::HandlerSettings::same_output
pub(crate) fn build_shared(
    model: &Model,
    injected: Option<Arc<dyn Clock>>,
    previous: Option<&Shared>,
    test_writer: bool,
) -> Result<Arc<Shared>, Error> {
    let clock: Arc<dyn Clock> = match &injected {
        Some(clock) => Arc::clone(clock),
        None => Arc::new(SystemClock),
    };
    // Anchor `relativeCreated` no later than the first build.
    let _ = *crate::subscriber::START;
    let mut formatters: Vec<Arc<dyn RecordFormat>> = model
        .formatters
        .iter()
        .map(|f| Arc::clone(&f.formatter))
        .collect();
    let default_formatter = formatters.len();
    formatters.push(Arc::new(Formatter::default_formatter()));
    let mut terminators: Vec<Box<[u8]>> = vec![NEWLINE.into()];

    let errors: Arc<dyn report::ErrorSink> = Arc::new(report::Stderr);
    let mut problems = Vec::new();
    let mut factory_problems = Vec::new();
    let old = previous.map_or(&[][..], Shared::slots);
    let mut kept = vec![false; old.len()];
    // Handlers that others pass records on to are built first.
    let mut built: Vec<Option<Arc<dyn Handler>>> = vec![None; model.handlers.len()];
    for i in build_order(model) {
        let Some(spec) = model.handlers.get(i) else {
            continue;
        };
        let downstream: Option<Vec<Arc<dyn Handler>>> = spec
            .downstream
            .iter()
            .map(|&d| built.get(d).cloned().flatten())
            .collect();
        // A handler it passes records on to could not be built: reported.
        let Some(downstream) = downstream else {
            continue;
        };
        let ctx = BuildContext {
            name: &spec.name,
            clock: Arc::clone(&clock),
            errors: Arc::clone(&errors),
            downstream: &downstream,
            terminator: &spec.terminator,
        };
        // A reload keeps a handler whose output is the same, file open.
        let same = old.iter().enumerate().position(|(i, slot)| {
            !kept[i]
                && slot
                    .settings
                    .as_ref()
                    .is_some_and(|s| s.same_output(&*spec.settings))
        });
        let is_stream = spec.settings.as_any().is::<StreamTarget>();
        let handler = match same {
            Some(i) => {
                kept[i] = true;
                Ok(Arc::clone(&old[i].handler))
            }
            None if test_writer && is_stream => StreamTarget::Test.build(&ctx).map(Arc::from),
            // A registered factory's problems are config problems, located.
            None => match crate::registry::user_settings(spec.settings.as_ref()) {
                Some(user) => match user.build_located(&ctx) {
                    Ok(handler) => Ok(Arc::from(handler)),
                    Err(more) => {
                        factory_problems.extend(more);
                        continue;
                    }
                },
                None => spec.settings.build(&ctx).map(Arc::from),
            },
        };
        match handler {
            Ok(handler) => {
                if let Some(slot) = built.get_mut(i) {
                    *slot = Some(handler);
                }
            }
            Err(err) => {
                let mut problem = Problem::at(
                    spec.pos,
                    format!("handlers.{}", spec.name),
                    format!("cannot open the output of `{}`: {err}", spec.class),
                )
                .with_cause(err);
                if let Some(path) = spec.settings.file().filter(|p| p.is_relative())
                    && let Ok(dir) = std::env::current_dir()
                {
                    problem = problem.with_help(format!(
                        "`{}` is relative to the working directory, {}",
                        path.display(),
                        dir.display()
                    ));
                }
                problems.push(problem);
            }
        }
    }
    if !factory_problems.is_empty() {
        factory_problems.extend(problems);
        factory_problems.sort_by_key(|p| (p.line(), p.column()));
        return Err(Error::config(model.source.clone(), factory_problems));
    }
    if !factory_problems.is_empty() {
        factory_problems.extend(problems);
        factory_problems.sort_by_key(|p| (p.line(), p.column()));
        return Err(Error::config(model.source.clone(), factory_problems));
    }
    if !problems.is_empty() {
        return Err(Error::open(model.source.clone(), problems));
    }
    let mut slots = Vec::with_capacity(model.handlers.len());
    for (spec, handler) in model.handlers.iter().zip(built) {
        let Some(handler) = handler else {
            continue;
        };
        let terminator = spec.terminator.as_bytes();
        let terminator = match terminators.iter().position(|t| &t[..] == terminator) {
            Some(i) => i,
            None => {
                terminators.push(terminator.into());
                terminators.len() - 1
            }
        };
        let forward = spec.settings.forwarding().map(|f| Forward {
            kind: f.kind,
            downstream: spec
                .downstream
                .iter()
                .map(|&d| (d, model.handlers.get(d).map_or(Level::NOTSET, |h| h.level)))
                .collect(),
            message: match f.kind {
                ForwardKind::Fan { .. } => spec.formatter,
                ForwardKind::Hold => None,
            },
        });
        slots.push(Slot {
            handler,
            settings: Some(Arc::clone(&spec.settings)),
            formatter: spec.formatter.unwrap_or(default_formatter),
            terminator,
            forward,
        });
    }
    let last_resort = Slot {
        handler: Arc::new(StreamHandler::new(
            if test_writer {
                StreamTarget::Test
            } else {
                StreamTarget::Stderr
            },
            report::Reporter::new("lastResort", errors),
        )),
        settings: None,
        formatter: default_formatter,
        terminator: 0,
        forward: None,
    };
    let router = Router::new(model);
    let shared = Arc::new(Shared::new(
        router,
        slots,
        last_resort,
        formatters,
        terminators,
        injected,
    ));
    if let Some(interval) = shared.flush_interval() {
        start_flusher(&shared, interval);
    }
    Ok(shared)
}

/// The order to build the handlers in: each after the handlers it passes
/// records on to (the checker has refused loops).
fn build_order(model: &Model) -> Vec<usize> {
    fn visit(model: &Model, i: usize, seen: &mut [bool], order: &mut Vec<usize>) {
        if seen.get(i).copied().unwrap_or(true) {
            return;
        }
        if let Some(seen) = seen.get_mut(i) {
            *seen = true;
        }
        if let Some(spec) = model.handlers.get(i) {
            for &d in &spec.downstream {
                visit(model, d, seen, order);
            }
        }
        order.push(i);
    }
    let mut seen = vec![false; model.handlers.len()];
    let mut order = Vec::with_capacity(model.handlers.len());
    for i in 0..model.handlers.len() {
        visit(model, i, &mut seen, &mut order);
    }
    order
}

/// Builds `model`, loaded from `source`, on `injected` (`None`: the system
/// clock); `file` is where it was read from (for reloads, the watch and
/// `SIGHUP`).
pub(crate) fn build(
    model: &Model,
    injected: Option<Arc<dyn Clock>>,
    file: Option<&crate::live::Origin>,
    source: ConfigSource,
    test_writer: bool,
) -> Result<Logging, Error> {
    let shared = build_shared(model, injected.clone(), None, test_writer)?;
    let runtime = Arc::new(Runtime::new(shared));
    let live = file.map(|file| Live::start(Arc::clone(&runtime), file, injected, &model.live));
    Ok(Logging {
        runtime,
        live,
        source: Arc::new(source),
    })
}

/// Writes buffered records every `interval` until the config is dropped:
/// the dropped config drops the sender, which wakes the thread at once.
/// If the thread cannot be started, buffers are still written when full,
/// at their flush level and when the guard drops.
fn start_flusher(shared: &Arc<Shared>, interval: std::time::Duration) {
    use std::sync::mpsc::{self, RecvTimeoutError};
    let weak = Arc::downgrade(shared);
    let (stop, stopped) = mpsc::channel::<()>();
    let started = std::thread::Builder::new()
        .name("logconf-flush".to_owned())
        .spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                match weak.upgrade() {
                    Some(shared) => shared.flush(),
                    None => return,
                }
            }
        });
    if started.is_ok() {
        shared.set_flusher(stop);
    }
}

/// The runtimes whose buffered records a panic writes first.
static PANIC_FLUSH: OnceLock<Mutex<Vec<Weak<Runtime>>>> = OnceLock::new();

/// Makes a panic write the buffered records of `runtime`'s current config
/// before the panic is reported. One hook is installed, once, for every
/// config; runtimes that are gone are forgotten.
fn flush_on_panic(runtime: &Arc<Runtime>) {
    let list = PANIC_FLUSH.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // `try_lock`: the panicking thread may hold the list's lock.
            if let Some(Ok(list)) = PANIC_FLUSH.get().map(Mutex::try_lock) {
                for runtime in list.iter().filter_map(Weak::upgrade) {
                    runtime.try_flush();
                }
            }
            previous(info);
        }));
        Mutex::new(Vec::new())
    });
    let mut list = list.lock().unwrap_or_else(PoisonError::into_inner);
    list.retain(|w| w.strong_count() > 0);
    if !list
        .iter()
        .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(runtime)))
    {
        list.push(Arc::downgrade(runtime));
    }
}

/// How records from one target are routed: what [`Logging::explain`] and
/// [`Config::explain`](crate::Config::explain) return. Displays as a few
/// lines of text: the logger chain, the effective level, the handlers
/// reached and the lowest level written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    text: String,
}

impl Explanation {
    pub(crate) fn new(text: String) -> Explanation {
        Explanation { text }
    }

    /// The explanation as text (what `Display` prints).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Logging {
    /// The config as a [`Layer`](tracing_subscriber::Layer) with its own
    /// per-layer filter, to stack beside other layers (OpenTelemetry,
    /// tokio-console, ...). Events that no handler can receive are disabled
    /// for this layer only; callsites nobody wants are disabled for good.
    ///
    /// The type is tracing-subscriber's [`Filtered`] of logconf's layer and
    /// filter, named so it can be stored in a struct field.
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    /// let logging = logconf::Config::from_yaml_str("version: 1\n")?.build()?;
    /// let subscriber = tracing_subscriber::registry().with(logging.layer());
    /// tracing::subscriber::with_default(subscriber, || tracing::error!("to stderr"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn layer<S>(&self) -> Filtered<LogconfLayer, RouteFilter, S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let layer = LogconfLayer::new(Arc::clone(&self.runtime));
        let filter = layer.filter();
        tracing_subscriber::Layer::with_filter(layer, filter)
    }

    /// A complete subscriber (a registry with this config's layer), not
    /// installed anywhere: pass it to `tracing::subscriber::with_default`
    /// or `set_global_default`.
    ///
    /// ```
    /// let logging = logconf::Config::from_yaml_str("version: 1\n")?.build()?;
    /// tracing::subscriber::with_default(logging.subscriber(), || tracing::warn!("to stderr"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn subscriber(&self) -> impl Subscriber + Send + Sync + 'static {
        tracing_subscriber::registry().with(self.layer())
    }

    /// Which config this was built from.
    pub fn source(&self) -> &ConfigSource {
        &self.source
    }

    /// Flushes every handler, and waits for the compressions of rotated
    /// files queued so far (`compress: gzip`). A `QueueHandler` first waits
    /// (at most 5 s) for the records queued so far to be written; a
    /// `MemoryHandler` keeps its records until its own rules pass them on.
    pub fn flush(&self) {
        self.runtime.finish();
    }

    /// Explains how records from `target` are routed: the logger chain,
    /// the effective level, the handlers reached, the lowest level written.
    ///
    /// ```
    /// let logging = logconf::Config::from_yaml_str("version: 1\nroot: {level: INFO}\n")?.build()?;
    /// let text = logging.explain("aws_sdk_s3::client").to_string();
    /// assert!(text.contains("quiet preset"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn explain(&self, target: &str) -> Explanation {
        Explanation::new(self.runtime.current().router().explain(target))
    }

    /// Installs this config as the global `tracing` subscriber and routes
    /// `log` records into it (with the `log` feature, on by default; see
    /// [`install_log_bridge`](crate::install_log_bridge)). The `log` crate's
    /// max level then follows the config, through reloads: a `log` record
    /// more verbose than anything the config writes costs one comparison.
    /// A scoped subscriber (`with_default`) that wants `log` records more
    /// verbose than that raises it with `log::set_max_level`.
    ///
    /// # Errors
    ///
    /// Fails, installing nothing, if a global `tracing` subscriber or
    /// another `log` logger (one that does not lead to `tracing`, as the
    /// bridge tracing-subscriber's `.init()` installs does) is already set
    /// ([`Error::is_install`]).
    ///
    /// The config was built (its files opened) before this checks for a
    /// global subscriber: [`Config::install`](crate::Config::install)
    /// checks first.
    ///
    /// ```no_run
    /// let logging = logconf::Config::from_path("logging.yaml")?.build()?;
    /// println!("{}", logging.explain("app"));
    /// let _guard = logging.install()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn install(self) -> Result<Guard, Error> {
        crate::bridge::ensure_no_global_subscriber()?;
        #[cfg(feature = "log")]
        crate::bridge::install_log_bridge()?;
        let dispatch =
            tracing_core::Dispatch::new(tracing_subscriber::registry().with(self.layer()));
        // Where the subscriber lives, for the `log` gate to know it again.
        #[cfg(feature = "log")]
        let address = crate::bridge::installed_address(&dispatch);
        tracing_core::dispatcher::set_global_default(dispatch).map_err(|err| {
            Error::install_because(
                "a global tracing subscriber is already installed; use `Logging::layer` to add logconf to it",
                err,
            )
        })?;
        #[cfg(feature = "log")]
        crate::bridge::installed_globally(address, &self.runtime);
        flush_on_panic(&self.runtime);
        log_source(&self.source);
        Ok(Guard {
            runtime: self.runtime,
            live: self.live,
            source: self.source,
        })
    }

    /// A guard that closes this config's handlers when dropped (see [`Guard`]), without
    /// installing anything (for a config used through [`Logging::layer`]).
    /// It also makes a panic write buffered records first.
    pub fn guard(&self) -> Guard {
        flush_on_panic(&self.runtime);
        Guard {
            runtime: Arc::clone(&self.runtime),
            live: self.live.clone(),
            source: Arc::clone(&self.source),
        }
    }

    /// Reads the config file again and, if the new config is valid and
    /// every handler it adds opened, makes it the current one: see
    /// [`Guard::reload`].
    ///
    /// ```no_run
    /// let logging = logconf::Config::from_path("logging.yaml")?.build()?;
    /// // ... the file is edited ...
    /// logging.reload()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Guard::reload`].
    pub fn reload(&self) -> Result<(), Error> {
        crate::live::reload(self.live.as_deref())
    }
}

/// Closes the handlers when dropped, as Python's `logging.shutdown` does:
/// each `QueueHandler` writes out what is queued and joins its thread (at
/// most 5 s), each `MemoryHandler` passes its records on if `flushOnClose`
/// says so, then every handler is flushed and pending compressions of
/// rotated files finish. Keep it alive for as long as the program logs
/// (bind it in `main`: `let _guard = logconf::init()?;`); records logged
/// after it is dropped are still written (a queue handler's on the logging
/// thread).
#[must_use = "dropping the guard at once flushes and ends nothing useful; bind it: `let _guard = ...`"]
pub struct Guard {
    runtime: Arc<Runtime>,
    /// The file the config was loaded from, for reloads.
    live: Option<Arc<Live>>,
    source: Arc<ConfigSource>,
}

impl Guard {
    /// Reads the config file again and, if the new config is valid and
    /// every handler it adds opened, makes it the current one.
    ///
    /// The new config is built whole first (files opened) while the
    /// current one keeps writing; then it is swapped in atomically, the
    /// callsites `tracing` had cached as disabled are asked again, and the
    /// old config's handlers are flushed and closed. Handlers whose settings
    /// did not change are kept, file open, not opened twice. `RUST_LOG`
    /// levels applied when the config was loaded are applied to the new one
    /// too (unless it says `logconf: {rust_log: false}`).
    ///
    /// ```no_run
    /// let guard = logconf::init_from_path("logging.yaml")?;
    /// // ... the file is edited ...
    /// guard.reload()?;
    /// # Ok::<(), logconf::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The file cannot be read ([`Error::is_io`]), the new config is not
    /// valid ([`Error::is_config`], every problem with its line, column and
    /// key path), or a handler it adds cannot be opened ([`Error::is_io`]).
    /// Then nothing changes: the running config keeps writing, and the
    /// error is also reported once on stderr. A config that was not read
    /// from a file (a string, the embedded default) cannot be reloaded.
    pub fn reload(&self) -> Result<(), Error> {
        crate::live::reload(self.live.as_deref())
    }

    /// Which config was loaded and installed: the file `LOG_CFG` names, a
    /// default file found in the working directory, a profile's embedded
    /// config, ...
    ///
    /// ```no_run
    /// let guard = logconf::init()?;
    /// eprintln!("logging config: {}", guard.source());
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn source(&self) -> &ConfigSource {
        &self.source
    }
}

/// Says, in one DEBUG record under logconf's own target, which config was
/// just installed (with the working directory when no file was found).
fn log_source(source: &ConfigSource) {
    let searched = match (source, std::env::current_dir()) {
        (ConfigSource::Embedded(_), Ok(dir)) => format!(" (working directory {})", dir.display()),
        _ => String::new(),
    };
    tracing::debug!(target: "logconf", "logging config: {source}{searched}");
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").finish_non_exhaustive()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Python's shutdown: queues written out and their threads joined,
        // memory handlers' records passed on (`flushOnClose`), then every
        // handler flushed and its compressions finished.
        self.runtime.close();
    }
}

/// The public types can be shared across threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Logging>();
    send_sync::<Guard>();
    send_sync::<Error>();
    send_sync::<crate::Config>();
    send_sync::<Explanation>();
    send_sync::<LogconfLayer>();
    send_sync::<RouteFilter>();
    send_sync::<crate::Level>();
    send_sync::<crate::Problem>();
    send_sync::<crate::Registry>();
    send_sync::<crate::FactoryError>();
    send_sync::<crate::TextFormat>();
};
