//! The application's objects inside logconf: each call into them is
//! guarded, so a panic in application code never takes logconf down.

use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::args::{FactoryArgs, FactoryError, panic_text};
use super::{Filter, Format, Handler, HandlerFactory, LogRecord};
use crate::args::{self, Args};
use crate::error::Problem;
use crate::format::class::RecordFormat;
use crate::format::{Needs, Record};
use crate::handler::class::{BuildContext, HandlerSettings};
use crate::level::Level;
use crate::tree::{Node, Pos};

/// Runs `factory` on `args`, collecting its problems: a returned error not
/// yet recorded, a panic, and the keys it never read (unless it failed).
/// `None` when any problem was recorded.
pub(crate) fn call<T>(
    args: &mut FactoryArgs<'_>,
    skip: &[&str],
    factory: impl FnOnce(&mut FactoryArgs<'_>) -> Result<T, FactoryError>,
) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(|| factory(&mut *args))) {
        Ok(Ok(made)) => {
            args.unknown_keys(skip);
            (!args.failed()).then_some(made)
        }
        Ok(Err(err)) => {
            args.report_error(err);
            None
        }
        Err(payload) => {
            args.report_panic(payload.as_ref());
            None
        }
    }
}

/// Writes one report of a panic in application code on stderr.
fn report_panic(once: &AtomicBool, what: String) {
    if once.swap(true, Ordering::Relaxed) {
        return;
    }
    use crate::handler::report::ErrorSink as _;
    let text = format!(
        "--- Logging error ---\nlogconf: {what} panicked; further panics there are not reported\n"
    );
    crate::handler::report::Stderr.write_report(text.as_bytes());
}

/// A handler entry whose class is a registered factory: the entry's keys,
/// kept until the config is built, when the factory runs.
pub(crate) struct UserHandlerSettings {
    /// The name the config used.
    pub(crate) class: String,
    pub(crate) factory: Arc<HandlerFactory>,
    /// The entry's mapping.
    pub(crate) node: Node,
    /// `handlers.NAME`.
    pub(crate) path: String,
    /// Where the entry's key is.
    pub(crate) pos: Pos,
    /// Keys logconf reads itself.
    pub(crate) skip: Vec<&'static str>,
}

impl fmt::Debug for UserHandlerSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserHandlerSettings")
            .field("class", &self.class)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl UserHandlerSettings {
    /// Runs the factory: the handler, or every problem it recorded.
    pub(crate) fn build_located(
        &self,
        ctx: &BuildContext<'_>,
    ) -> Result<Box<dyn crate::handler::Handler>, Vec<Problem>> {
        let mut problems = Vec::new();
        let entries = args::mapping(&mut problems, &self.node, &self.path).unwrap_or_default();
        let entries = entries
            .into_iter()
            .filter(|e| !self.skip.contains(&e.key))
            .collect();
        let made = {
            let args = Args::new("", self.path.clone(), self.pos, entries, &mut problems);
            let mut args = FactoryArgs::new(args, &self.class);
            call(&mut args, &[], |args| (self.factory)(args))
        };
        match made {
            Some(inner) if problems.is_empty() => Ok(Box::new(UserHandler {
                inner,
                name: ctx.name.to_owned(),
                panicked: AtomicBool::new(false),
            })),
            _ => Err(problems),
        }
    }
}

impl HandlerSettings for UserHandlerSettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn crate::handler::Handler>> {
        self.build_located(ctx).map_err(|problems| {
            let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
            io::Error::other(text.join("; "))
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An application's handler.
#[derive(Debug)]
struct UserHandler {
    inner: Box<dyn Handler>,
    name: String,
    panicked: AtomicBool,
}

impl crate::handler::Handler for UserHandler {
    fn emit(&self, record: &[u8], level: Level) {
        if catch_unwind(AssertUnwindSafe(|| self.inner.emit(record, level))).is_err() {
            report_panic(&self.panicked, format!("handler `{}`", self.name));
        }
    }

    fn flush(&self) {
        if catch_unwind(AssertUnwindSafe(|| self.inner.flush())).is_err() {
            report_panic(&self.panicked, format!("handler `{}`", self.name));
        }
    }
}

/// An application's formatter.
#[derive(Debug)]
pub(crate) struct UserFormat {
    inner: Box<dyn Format>,
    class: String,
    needs: Needs,
    panicked: AtomicBool,
}

impl UserFormat {
    pub(crate) fn new(inner: Box<dyn Format>, class: &str, needs: Needs) -> UserFormat {
        UserFormat {
            inner,
            class: class.to_owned(),
            needs,
            panicked: AtomicBool::new(false),
        }
    }
}

impl RecordFormat for UserFormat {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        let start = out.len();
        let view = LogRecord::new(record);
        if catch_unwind(AssertUnwindSafe(|| self.inner.format(&view, out))).is_err() {
            out.truncate(start);
            out.extend_from_slice(record.message.as_bytes());
            report_panic(&self.panicked, format!("formatter `{}`", self.class));
        }
    }

    fn needs(&self) -> Needs {
        // The application's formatter may read `LogRecord::message`.
        self.needs.union(Needs::FIELD_TEXT)
    }
}

/// An application's filter, compared by identity.
#[derive(Clone)]
pub(crate) struct UserFilter {
    inner: Arc<dyn Filter>,
    class: Arc<str>,
    panicked: Arc<AtomicBool>,
}

impl UserFilter {
    pub(crate) fn new(inner: Box<dyn Filter>, class: &str) -> UserFilter {
        UserFilter {
            inner: Arc::from(inner),
            class: Arc::from(class),
            panicked: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether the record passes (a panic rejects it).
    pub(crate) fn passes(&self, record: &Record<'_>) -> bool {
        let view = LogRecord::new(record);
        match catch_unwind(AssertUnwindSafe(|| self.inner.filter(&view))) {
            Ok(passes) => passes,
            Err(payload) => {
                let what = panic_text(payload.as_ref());
                report_panic(&self.panicked, format!("filter `{}` ({what})", self.class));
                false
            }
        }
    }
}

impl fmt::Debug for UserFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserFilter")
            .field("class", &self.class)
            .finish_non_exhaustive()
    }
}

impl PartialEq for UserFilter {
    fn eq(&self, other: &UserFilter) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for UserFilter {}
