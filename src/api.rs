//! The built config ([`Logconf`]), its layer and subscriber, and the [`Guard`].

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use tracing_core::Subscriber;
use tracing_subscriber::filter::Filtered;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;

use crate::error::{Error, Problem};
use crate::format::Formatter;
use crate::handler;
use crate::model::Model;
use crate::routing::Router;
use crate::subscriber::{LogconfLayer, RouteFilter, Shared, Slot};

/// A config compiled into handlers and a routing table: what
/// [`Config::build`](crate::Config::build) returns.
///
/// Use it as a [`Layer`](tracing_subscriber::Layer) beside your own layers
/// ([`Logconf::layer`]), as a subscriber that is not installed globally
/// ([`Logconf::subscriber`], for tests and `with_default`), or install it
/// ([`Logconf::install`]).
///
/// ```
/// let built = logconf::Config::from_yaml_str(
///     "version: 1\nhandlers: {h: {class: logging.NullHandler}}\nroot: {handlers: [h]}\n",
/// )?
/// .build()?;
/// tracing::subscriber::with_default(built.subscriber(), || tracing::warn!("hello"));
/// # Ok::<(), logconf::Error>(())
/// ```
#[derive(Clone)]
pub struct Logconf {
    shared: Arc<Shared>,
}

impl fmt::Debug for Logconf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logconf").finish_non_exhaustive()
    }
}

/// Builds handlers and the routing table. Every handler that cannot be
/// opened is reported; nothing is returned half-built.
pub(crate) fn build(model: &Model) -> Result<Logconf, Error> {
    // Anchor `relativeCreated` no later than the first build.
    let _ = *crate::subscriber::START;
    let mut formatters: Vec<Arc<Formatter>> = model
        .formatters
        .iter()
        .map(|f| Arc::clone(&f.formatter))
        .collect();
    let default_formatter = formatters.len();
    formatters.push(Arc::new(Formatter::default_formatter()));

    let mut problems = Vec::new();
    let mut slots = Vec::with_capacity(model.handlers.len());
    for spec in &model.handlers {
        match handler::build(&spec.name, &spec.kind) {
            Ok(h) => slots.push(Slot {
                handler: h,
                formatter: spec.formatter.unwrap_or(default_formatter),
            }),
            Err(e) => problems.push(Problem::new(
                0,
                0,
                format!("handlers.{}", spec.name),
                format!("cannot open the handler's output: {e}"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::config(model.source.clone(), problems));
    }
    let router = Router::new(model);
    let shared = Arc::new(Shared::new(router, slots, formatters));
    if let Some(interval) = shared.flush_interval() {
        start_flusher(&shared, interval);
    }
    Ok(Logconf { shared })
}

/// Writes buffered records every `interval` until the config is dropped.
/// If the thread cannot be started, buffers are still written when full,
/// at their flush level and when the guard drops.
fn start_flusher(shared: &Arc<Shared>, interval: std::time::Duration) {
    let weak = Arc::downgrade(shared);
    let _ = std::thread::Builder::new()
        .name("logconf-flush".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                match weak.upgrade() {
                    Some(shared) => shared.flush(),
                    None => return,
                }
            }
        });
}

/// The configs whose buffered records a panic writes first.
static PANIC_FLUSH: OnceLock<Mutex<Vec<Weak<Shared>>>> = OnceLock::new();

/// Makes a panic write `shared`'s buffered records before the panic is
/// reported. One hook is installed, once, for every config; configs that
/// are gone are forgotten.
fn flush_on_panic(shared: &Arc<Shared>) {
    let list = PANIC_FLUSH.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // `try_lock`: the panicking thread may hold the list's lock.
            if let Some(Ok(list)) = PANIC_FLUSH.get().map(Mutex::try_lock) {
                for shared in list.iter().filter_map(Weak::upgrade) {
                    shared.try_flush();
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
        .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(shared)))
    {
        list.push(Arc::downgrade(shared));
    }
}

impl Logconf {
    /// The config as a [`Layer`](tracing_subscriber::Layer) with its own
    /// per-layer filter, to stack beside other layers (OpenTelemetry,
    /// tokio-console, ...). Events that no handler can receive are disabled
    /// for this layer only; callsites nobody wants are disabled for good.
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    /// let built = logconf::Config::from_yaml_str("version: 1\n")?.build()?;
    /// let subscriber = tracing_subscriber::registry().with(built.layer());
    /// tracing::subscriber::with_default(subscriber, || tracing::error!("to stderr"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn layer<S>(&self) -> Filtered<LogconfLayer, RouteFilter, S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let layer = LogconfLayer::new(Arc::clone(&self.shared));
        let filter = layer.filter();
        tracing_subscriber::Layer::with_filter(layer, filter)
    }

    /// A complete subscriber (a registry with this config's layer), not
    /// installed anywhere: pass it to `tracing::subscriber::with_default`
    /// or `set_global_default`.
    pub fn subscriber(&self) -> impl Subscriber + Send + Sync + 'static {
        tracing_subscriber::registry().with(self.layer())
    }

    /// Flushes every handler.
    pub fn flush(&self) {
        self.shared.flush();
    }

    /// Explains how records from `target` are routed: the logger chain,
    /// the effective level, the handlers reached, the lowest level written.
    ///
    /// ```
    /// let built = logconf::Config::from_yaml_str("version: 1\nroot: {level: INFO}\n")?.build()?;
    /// let text = built.explain("aws_sdk_s3::client");
    /// assert!(text.contains("quiet preset"));
    /// # Ok::<(), logconf::Error>(())
    /// ```
    pub fn explain(&self, target: &str) -> String {
        self.shared.router().explain(target)
    }

    /// Installs this config as the global `tracing` subscriber and routes
    /// `log` records into it. Fails, installing nothing, if a global
    /// subscriber or another `log` logger is already set.
    pub fn install(self) -> Result<Guard, Error> {
        crate::init::install_log_bridge()?;
        tracing::subscriber::set_global_default(self.subscriber()).map_err(|_| {
            Error::install("a global tracing subscriber is already installed; use `Logconf::layer` to add logconf to it")
        })?;
        flush_on_panic(&self.shared);
        Ok(Guard {
            shared: self.shared,
        })
    }

    /// A guard that flushes this config's handlers when dropped, without
    /// installing anything (for a config used through [`Logconf::layer`]).
    /// It also makes a panic write buffered records first.
    pub fn guard(&self) -> Guard {
        flush_on_panic(&self.shared);
        Guard {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Flushes every handler when dropped. Keep it alive for as long as the
/// program logs (bind it in `main`: `let _guard = logconf::init()?;`).
#[must_use = "dropping the guard at once flushes and ends nothing useful; bind it: `let _guard = ...`"]
pub struct Guard {
    shared: Arc<Shared>,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard").finish_non_exhaustive()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.flush();
    }
}
