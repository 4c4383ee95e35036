//! A config that follows its file: [`Guard::reload`](crate::Guard::reload),
//! the watch (`logconf: {watch: <seconds>}`) and `SIGHUP`
//! (`logconf: {reload_on_sighup: true}`, cargo feature `sighup`).
//!
//! A reload reads the file, checks it and builds the whole new config
//! (opening its files) while the current one keeps writing. Only when all
//! of that succeeded is the new config swapped in, atomically (routes and
//! handlers together, [`Runtime::swap`]), `tracing`'s callsite interest
//! rebuilt, and the old config flushed and dropped. Any failure changes
//! nothing: it is reported once on stderr and returned. Handlers whose
//! settings did not change are carried over, open (see
//! [`build_shared`](crate::api::build_shared)). Reloads are serialised.

mod source;
mod watch;

#[cfg(all(feature = "sighup", unix))]
mod sighup;

use source::read_as;
pub(crate) use source::{Read, Source, read};

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use crate::env_levels::EnvLevel;
use crate::error::Error;
use crate::handler::clock::Clock;
use crate::handler::report::{ErrorSink, Stderr};
use crate::model::LiveOptions;
use crate::subscriber::Runtime;

/// Where a config came from, kept by [`Config`](crate::Config) for the
/// [`Logging`](crate::Logging) it builds.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    /// The file and the version read.
    pub(crate) source: Source,
    /// `RUST_LOG` levels given to the config, applied again to each new
    /// version (unless it opts out).
    pub(crate) rust_log: Option<Vec<EnvLevel>>,
}

/// A built config and the file it follows.
#[derive(Debug)]
pub(crate) struct Live {
    /// The cell the layer reads.
    runtime: Arc<Runtime>,
    /// The file (absolute).
    path: PathBuf,
    /// Its name in messages, as first given.
    shown: String,
    /// See [`Origin::rust_log`].
    rust_log: Option<Vec<EnvLevel>>,
    /// The clock every generation's handlers use (`None`: the system's).
    clock: Option<Arc<dyn Clock>>,
    /// Where a failed reload is reported.
    errors: Arc<dyn ErrorSink>,
    /// Itself, for the threads it starts (which must not keep it alive).
    me: Weak<Live>,
    /// The version in use and the threads; locked for a whole reload.
    state: Mutex<State>,
}

/// What a reload reads and changes.
#[derive(Debug)]
struct State {
    /// The file's stamp when last read.
    stamp: Option<source::Stamp>,
    /// The hash of the bytes last tried (loaded, or refused).
    hash: u64,
    /// The watch found the file there but could not read it, and said so;
    /// it says so again only after a successful read.
    unreadable: bool,
    /// The polling thread, if the config asks for one.
    watch: Option<watch::Watcher>,
    /// The `SIGHUP` listener, if the config asks for one.
    #[cfg(all(feature = "sighup", unix))]
    sighup: Option<sighup::Listener>,
}

impl Live {
    /// Follows `origin`'s file for `runtime`, starting the watch and the
    /// `SIGHUP` listener if `options` ask for them.
    pub(crate) fn start(
        runtime: Arc<Runtime>,
        origin: &Origin,
        clock: Option<Arc<dyn Clock>>,
        options: &LiveOptions,
    ) -> Arc<Live> {
        Live::with_errors(runtime, origin, clock, options, Arc::new(Stderr))
    }

    /// [`Live::start`], reporting failed reloads to `errors`.
    pub(crate) fn with_errors(
        runtime: Arc<Runtime>,
        origin: &Origin,
        clock: Option<Arc<dyn Clock>>,
        options: &LiveOptions,
        errors: Arc<dyn ErrorSink>,
    ) -> Arc<Live> {
        let live = Arc::new_cyclic(|me| Live {
            runtime,
            path: origin.source.path.clone(),
            shown: origin.source.shown.clone(),
            rust_log: origin.rust_log.clone(),
            clock,
            errors,
            me: me.clone(),
            state: Mutex::new(State {
                stamp: origin.source.stamp,
                hash: origin.source.hash,
                unreadable: false,
                watch: None,
                #[cfg(all(feature = "sighup", unix))]
                sighup: None,
            }),
        });
        live.follow(&mut live.lock(), options);
        live
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the file and swaps its config in: see the module docs.
    pub(crate) fn reload(&self) -> Result<(), Error> {
        let mut state = self.lock();
        match read_as(&self.path, self.shown.clone()) {
            Ok(read) => self.apply(&mut state, &read),
            Err(err) => {
                self.report(&err);
                Err(err)
            }
        }
    }

    /// One check of the watch: reloads if the file's stamp changed and its
    /// content differs from the last version tried. A missing file (mid
    /// rename) is checked again next time; one that is there but cannot be
    /// read is reported once.
    fn poll(&self) {
        let mut state = self.lock();
        let stamp = source::Stamp::of(&self.path);
        if stamp.is_none() || stamp == state.stamp {
            return;
        }
        let read = match read_as(&self.path, self.shown.clone()) {
            Ok(read) => read,
            Err(err) => {
                if !state.unreadable {
                    state.unreadable = true;
                    self.report(&err);
                }
                return;
            }
        };
        state.unreadable = false;
        if read.source.hash == state.hash {
            state.stamp = read.source.stamp;
            return;
        }
        // Reported in `apply`, and not tried again until the file changes.
        let _ = self.apply(&mut state, &read);
    }

    /// Loads, builds and swaps in `read`; on failure reports and keeps the
    /// running config. Either way, this version is not tried again by the
    /// watch.
    fn apply(&self, state: &mut State, read: &Read) -> Result<(), Error> {
        state.stamp = read.source.stamp;
        state.hash = read.source.hash;
        match self.swap_in(read) {
            Ok(options) => {
                self.follow(state, &options);
                Ok(())
            }
            Err(err) => {
                self.report(&err);
                Err(err)
            }
        }
    }

    /// Builds the config in `read` in full, then swaps it in, rebuilds the
    /// interest cache, and flushes and drops the old one. Returns the new
    /// config's options for a running process.
    fn swap_in(&self, read: &Read) -> Result<LiveOptions, Error> {
        let mut model = read.load()?;
        if let Some(levels) = &self.rust_log
            && model.live.rust_log
        {
            model.env_levels.clone_from(levels);
        }
        // A full reference, not a short-lived load: building opens files.
        let current = Arc::clone(&*self.runtime.current());
        // A reloaded config writes streams to the real stdout and stderr.
        let shared = crate::api::build_shared(&model, self.clock.clone(), Some(&current), false)?;
        drop(current);
        let old = self.runtime.swap(shared);
        old.flush();
        drop(old);
        Ok(model.live)
    }

    /// Starts, restarts or stops the watch and the `SIGHUP` listener as
    /// `options` say.
    fn follow(&self, state: &mut State, options: &LiveOptions) {
        if state.watch.as_ref().map(watch::Watcher::period) != options.watch {
            // Dropping the old watcher wakes its thread, which ends.
            state.watch = options
                .watch
                .and_then(|period| watch::Watcher::start(self.me.clone(), period));
        }
        #[cfg(all(feature = "sighup", unix))]
        if !options.reload_on_sighup {
            state.sighup = None;
        } else if state.sighup.is_none() {
            state.sighup = sighup::Listener::start(self.me.clone(), &*self.errors);
        }
    }

    /// Reports a failed reload on the error sink, in one write.
    fn report(&self, err: &Error) {
        let text = format!(
            "--- Logging error ---\nlogconf: cannot reload the logging config; the running config is kept: {err}\n"
        );
        self.errors.write_report(text.as_bytes());
    }
}

/// [`Live::reload`], or the error of a config without a file.
pub(crate) fn reload(live: Option<&Live>) -> Result<(), Error> {
    match live {
        Some(live) => live.reload(),
        None => Err(Error::not_reloadable()),
    }
}

#[cfg(test)]
mod tests;
