//! Handler classes as data: one table entry per class a config can name.
//!
//! A class is its Python name, the keys it accepts besides the ones every
//! handler has, its default line terminator, and a parse step that reads
//! those keys (with their places, through [`Args`]) into the class's
//! settings. The settings are plain data ([`HandlerSettings`]) until the
//! config is built, when they open what they write to.
//!
//! Adding a class is one file (the handler, its settings and its parse
//! step) plus one entry in [`CLASSES`].

use std::any::Any;
use std::fmt;
use std::io;
use std::sync::Arc;

use super::Handler;
use super::clock::Clock;
use super::forward::Forwarding;
use super::report::{ErrorSink, Reporter};
use crate::args::Args;

/// What a handler needs from the config being built.
#[derive(Debug, Clone)]
pub(crate) struct BuildContext<'a> {
    /// The handler's name (its key under `handlers:`), for reports.
    pub(crate) name: &'a str,
    /// The clock of retries and time-based decisions.
    pub(crate) clock: Arc<dyn Clock>,
    /// Where failure reports go.
    pub(crate) errors: Arc<dyn ErrorSink>,
    /// The handlers this one passes records on to, built already, in the
    /// order of its [`HandlerSettings::forwarding`] (empty for the others).
    pub(crate) downstream: &'a [Arc<dyn Handler>],
    /// What ends each record it is given (its class's, or `.terminator`).
    pub(crate) terminator: &'a str,
}

impl BuildContext<'_> {
    /// A reporter of this handler's failures.
    pub(crate) fn reporter(&self) -> Reporter {
        Reporter::new(self.name, Arc::clone(&self.errors))
    }
}

/// A handler's checked settings: what the parse step of its class made of
/// its keys. Nothing is opened until [`HandlerSettings::build`].
pub(crate) trait HandlerSettings: fmt::Debug + Send + Sync + Any {
    /// Opens what must be opened now and returns the handler. The error of
    /// a failed open names the path ("cannot open /abs/app.log: ...").
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>>;

    /// Whether a handler built from `other` would write to the same output
    /// in the same way, so a reload may keep the handler already built
    /// from `self` (its open file, its rollover state) instead of opening
    /// the output a second time. Classes implement it with
    /// [`same_settings`]; the default (`false`) always builds anew.
    fn same_output(&self, other: &dyn HandlerSettings) -> bool {
        let _ = other;
        false
    }

    /// The file written, as the config names it (for the help of a failed
    /// open: a relative path is resolved against the working directory).
    fn file(&self) -> Option<&std::path::Path> {
        None
    }

    /// The settings as `Any`, to compare or inspect them.
    fn as_any(&self) -> &dyn Any;

    /// The handlers this one passes records on to, by name, and how
    /// (`MemoryHandler`, `QueueHandler`); `None` for a handler that writes
    /// records itself.
    fn forwarding(&self) -> Option<&Forwarding> {
        None
    }
}

/// Whether `other` is a `T` equal to `this`: the usual
/// [`HandlerSettings::same_output`].
pub(crate) fn same_settings<T: PartialEq + 'static>(this: &T, other: &dyn HandlerSettings) -> bool {
    other.as_any().downcast_ref::<T>() == Some(this)
}

/// One handler class.
#[derive(Clone, Copy)]
pub(crate) struct HandlerClass {
    /// The name a config's `class:` uses (`logging.handlers.RotatingFileHandler`).
    pub(crate) name: &'static str,
    /// The keys it accepts besides `class`, `level`, `formatter` and `filters`.
    pub(crate) keys: &'static [&'static str],
    /// What ends each record (Python's `terminator`).
    pub(crate) terminator: &'static str,
    /// Reads the keys into settings; `None` when a problem was reported.
    pub(crate) parse: fn(&mut Args<'_, '_>) -> Option<Arc<dyn HandlerSettings>>,
}

impl fmt::Debug for HandlerClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerClass")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Every handler class logconf implements.
pub(crate) static CLASSES: &[HandlerClass] = &[
    super::stream::CLASS,
    super::file::CLASS,
    super::rotating::CLASS,
    super::null::CLASS,
    super::syslog::CLASS,
    super::timed::handler::CLASS,
    #[cfg(unix)]
    super::watched::CLASS,
    super::memory::CLASS,
    super::queue::CLASS,
    #[cfg(feature = "otlp")]
    super::otlp::CLASS,
];

/// Python's handler classes logconf does not implement, each with what to
/// use instead where logconf has something.
pub(crate) static NOT_SUPPORTED: &[(&str, Option<&str>)] = &[
    #[cfg(not(unix))]
    ("logging.handlers.WatchedFileHandler", None),
    (
        "logging.handlers.QueueListener",
        Some("use `logging.handlers.QueueHandler` with `handlers: [...]`: it makes its listener"),
    ),
    (
        "logging.handlers.BufferingHandler",
        Some("give a file handler a `buffer:` instead"),
    ),
    ("logging.handlers.SMTPHandler", None),
    ("logging.handlers.HTTPHandler", None),
    ("logging.handlers.SocketHandler", None),
    ("logging.handlers.DatagramHandler", None),
    ("logging.handlers.NTEventLogHandler", None),
    ("logging.handlers.BaseRotatingHandler", None),
    ("logging.Handler", None),
    #[cfg(not(feature = "otlp"))]
    (
        "logconf.OtlpHandler",
        Some("build logconf with its `otlp` cargo feature (`cargo add logconf --features otlp`)"),
    ),
];

/// The class named `name`.
pub(crate) fn find(name: &str) -> Option<&'static HandlerClass> {
    CLASSES.iter().find(|c| c.name == name)
}
