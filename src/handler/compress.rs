//! logconf's `compress: gzip` and retention (`maxAgeDays`,
//! `maxTotalBytes`) for the rotating file handlers: extensions CPython has
//! only through a `namer`/`rotator` set in code (the cookbook's gzip
//! recipe), which its dictConfig cannot express.
//!
//! A rollover renames the file as CPython does (fast, under the handler's
//! lock), then queues the compression on the handler's own worker thread,
//! never the logging thread. The worker writes `NAME.gz.tmp`, syncs it,
//! gives it the source's modification time, renames it to `NAME.gz` and
//! only then removes `NAME`: a crash leaves the plain file, or a complete
//! `.gz` (next to the plain file if the crash fell between the last two
//! steps), never a truncated `.gz`. A failed compression is reported once
//! and the plain file kept. A temporary file left by a crash is removed
//! when the handler is next built.
//!
//! The worker runs jobs in order; [`Worker::wait`] returns when everything
//! queued so far is done: a guard's drop, [`crate::Logging::flush`] and a
//! dropped config wait for it, so the files on disk are final when they
//! return.
//!
//! Retention runs after each rollover (and its compression) over exactly
//! the handler's backups, plain and compressed alike, newest first: a
//! backup is deleted when its modification time is more than `maxAgeDays`
//! days before now (the handler's clock), or when it and the newer backups
//! together exceed `maxTotalBytes`. The live file is never counted nor
//! deleted.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use super::file::{Background, Failure};
use super::report::{Op, Reporter};

/// The extension of a compressed backup.
pub(crate) const GZ: &str = ".gz";
/// The extension of a compression in progress.
pub(crate) const TMP: &str = ".gz.tmp";

/// `compress:` and the retention keys of a rotating handler.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Keep {
    /// `compress: gzip`.
    pub(crate) gzip: bool,
    /// `maxAgeDays`: backups older than this are deleted.
    pub(crate) max_age: Option<Duration>,
    /// `maxTotalBytes`: the backups kept, newest first, total at most this.
    pub(crate) max_total_bytes: Option<u64>,
}

impl Keep {
    /// The extensions a backup may carry besides the plain name.
    pub(crate) fn extensions(&self) -> &'static [&'static str] {
        if self.gzip { &[GZ] } else { &[] }
    }

    /// Whether anything runs after a rollover besides CPython's steps.
    pub(crate) fn has_retention(&self) -> bool {
        self.max_age.is_some() || self.max_total_bytes.is_some()
    }
}

/// Reads `compress`, `maxAgeDays` and `maxTotalBytes`.
pub(crate) fn parse_keep(args: &mut crate::args::Args<'_, '_>) -> Keep {
    let gzip = args
        .choice("compress", "unsupported compression", &[("gzip", true)])
        .unwrap_or(false);
    // 100 years of days, 2^62 bytes: far beyond any disk, still no overflow.
    let max_age = args
        .count("maxAgeDays", 36_500)
        .map(|days| Duration::from_secs(days * 86_400));
    if max_age == Some(Duration::ZERO) {
        args.report(
            "maxAgeDays",
            "maxAgeDays must be at least 1".into(),
            Some("remove the key to keep backups whatever their age".into()),
        );
    }
    let max_total_bytes = args.count("maxTotalBytes", 1 << 62);
    if max_total_bytes == Some(0) {
        args.report(
            "maxTotalBytes",
            "maxTotalBytes must be at least 1".into(),
            Some("remove the key to keep backups whatever their size".into()),
        );
    }
    Keep {
        gzip,
        max_age,
        max_total_bytes,
    }
}

/// `path` with `ext` appended to its file name.
pub(crate) fn with_extension(path: &Path, ext: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(ext);
    PathBuf::from(name)
}

/// Compresses `src` to `src.gz` (see the module documentation for the
/// order of steps). The `.gz` is created with `permissions` and keeps the
/// source's modification time. A source that is gone (pruned by a
/// later rollover's retention before its turn came) is no error.
pub(crate) fn gzip_file(src: &Path, permissions: u32) -> io::Result<()> {
    let tmp = with_extension(src, TMP);
    let result = gzip_to(src, &tmp, permissions);
    if let Err(err) = &result
        && err.kind() == io::ErrorKind::NotFound
        && !src.exists()
    {
        return Ok(());
    }
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    fs::rename(&tmp, with_extension(src, GZ))?;
    fs::remove_file(src)
}

/// Writes the gzip of `src` to `tmp`, synced, with `src`'s mtime.
fn gzip_to(src: &Path, tmp: &Path, permissions: u32) -> io::Result<()> {
    let input = File::open(src)?;
    let modified = input.metadata()?.modified()?;
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(permissions);
    }
    #[cfg(not(unix))]
    let _ = permissions;
    let output = options.open(tmp)?;
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mtime = super::timed::schedule::whole_seconds(modified);
    let mut encoder = flate2::GzBuilder::new()
        .filename(name)
        .mtime(u32::try_from(mtime).unwrap_or(0))
        .write(BufWriter::new(output), flate2::Compression::default());
    io::copy(&mut BufReader::new(input), &mut encoder)?;
    let mut output = encoder.finish()?;
    output.flush()?;
    let output = output
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    output.sync_all()?;
    output.set_modified(modified)?;
    Ok(())
}

/// Which of `backups` (newest first: path, size, modification time) to
/// delete under `keep`'s age and total-size limits at `now`.
pub(crate) fn over_limits(
    backups: &[(PathBuf, u64, SystemTime)],
    keep: &Keep,
    now: SystemTime,
) -> Vec<PathBuf> {
    let mut total: u64 = 0;
    let mut doomed = Vec::new();
    for (path, size, modified) in backups {
        total = total.saturating_add(*size);
        let too_old = keep.max_age.is_some_and(|age| {
            now.duration_since(*modified)
                .is_ok_and(|elapsed| elapsed > age)
        });
        let too_big = keep.max_total_bytes.is_some_and(|max| total > max);
        if too_old || too_big {
            doomed.push(path.clone());
        }
    }
    doomed
}

/// The size and modification time of each of `paths` (newest first),
/// skipping those that vanished.
pub(crate) fn sized(paths: Vec<PathBuf>) -> Vec<(PathBuf, u64, SystemTime)> {
    paths
        .into_iter()
        .filter_map(|p| {
            let meta = fs::metadata(&p).ok()?;
            let modified = meta.modified().ok()?;
            Some((p, meta.len(), modified))
        })
        .collect()
}

/// Removes each of `paths` (retention); one already gone is fine. Stops
/// at the first failure.
pub(crate) fn remove_all(paths: &[PathBuf]) -> Result<(), Failure> {
    for path in paths {
        if let Err(err) = fs::remove_file(path)
            && err.kind() != io::ErrorKind::NotFound
        {
            return Err(Failure::new(
                Op::Retention,
                format!("cannot remove {}", path.display()),
                err,
            ));
        }
    }
    Ok(())
}

/// A queued piece of work; reports go through the worker's reporter.
pub(crate) type Job = Box<dyn FnOnce(&mut Reporter) + Send>;

/// How many jobs are queued or running.
#[derive(Debug, Default)]
struct Pending {
    /// The count.
    count: Mutex<usize>,
    /// Signalled when the count drops to zero.
    idle: Condvar,
}

impl Pending {
    /// One job fewer.
    fn done(&self) {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.idle.notify_all();
        }
    }
}

/// A handler's worker thread: runs jobs in order, off the logging thread.
/// Started at the first job; ended (after finishing its queue) when the
/// handler is dropped.
#[derive(Debug)]
pub(crate) struct Worker {
    /// The handler's name, for the thread's name.
    name: String,
    /// Jobs queued or running.
    pending: Arc<Pending>,
    /// The queue and the thread, once started.
    thread: Mutex<Option<(Sender<Job>, JoinHandle<()>)>>,
    /// The worker's own reporter (failures reported once per kind).
    reporter: Arc<Mutex<Reporter>>,
}

impl Worker {
    /// A worker for handler `name`, reporting through `reporter`.
    pub(crate) fn new(name: &str, reporter: Reporter) -> Worker {
        Worker {
            name: name.to_owned(),
            pending: Arc::default(),
            thread: Mutex::new(None),
            reporter: Arc::new(Mutex::new(reporter)),
        }
    }

    /// Queues `job`. If no thread can be started, the job runs here.
    pub(crate) fn run(&self, job: Job) {
        *self
            .pending
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner) += 1;
        let mut thread = self.thread.lock().unwrap_or_else(PoisonError::into_inner);
        if thread.is_none() {
            *thread = self.start();
        }
        let job = match thread.as_ref() {
            Some((sender, _)) => match sender.send(job) {
                Ok(()) => return,
                Err(mpsc::SendError(job)) => job,
            },
            None => job,
        };
        drop(thread);
        run_one(job, &self.reporter, &self.pending);
    }

    /// Starts the thread; `None` if the system refuses.
    fn start(&self) -> Option<(Sender<Job>, JoinHandle<()>)> {
        let (sender, jobs) = mpsc::channel::<Job>();
        let pending = Arc::clone(&self.pending);
        let reporter = Arc::clone(&self.reporter);
        let handle = std::thread::Builder::new()
            .name(format!("logconf-compress-{}", self.name))
            .spawn(move || {
                for job in jobs {
                    run_one(job, &reporter, &pending);
                }
            })
            .ok()?;
        Some((sender, handle))
    }
}

/// Runs `job`, writes its reports, counts it done (also if it panicked).
fn run_one(job: Job, reporter: &Mutex<Reporter>, pending: &Pending) {
    let reports = {
        let mut reporter = reporter.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut reporter)));
        reporter.take()
    };
    if let Some(reports) = reports {
        reports.write();
    }
    pending.done();
}

impl Background for Worker {
    fn wait(&self) {
        let mut count = self
            .pending
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *count > 0 {
            count = self
                .pending
                .idle
                .wait(count)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some((sender, handle)) = thread {
            // The thread finishes its queue, then sees the channel closed.
            drop(sender);
            let _ = handle.join();
        }
    }
}

/// Removes the temporary files a crash left among `entries` of `dir`: the
/// names `is_ours` accepts once `.gz.tmp` is cut off.
pub(crate) fn remove_stale_temps(dir: &Path, is_ours: impl Fn(&[u8]) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if let Some(stem) = name.as_encoded_bytes().strip_suffix(TMP.as_bytes())
            && is_ours(stem)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}
