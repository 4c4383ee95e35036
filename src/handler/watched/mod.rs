//! `logging.handlers.WatchedFileHandler`: the file handler shell with a
//! [`Rule`] that reopens the path when the file there is no longer the one
//! open, for an external logrotate.
//!
//! ```yaml
//! handlers:
//!   app:
//!     class: logging.handlers.WatchedFileHandler
//!     filename: /var/log/app.log
//! ```
//!
//! CPython 3.13 (`Lib/logging/handlers.py:496-530`), on every record: stat
//! the path (following symlinks) and reopen when the device or inode
//! differs from the ones saved at open, or when the path does not exist.
//! [`WatchedCheck`] gives that verdict; [`WatchRule`] makes the shell
//! close and reopen (with the configured mode, as CPython) before the
//! record is written. A reopen that fails is retried at most once a second
//! (the shell's back-off), so a vanished directory costs no open storm.
//!
//! On Linux the `stat` is made only when an inotify watch ([`inotify`])
//! reported a change since the last check, and on the first record after
//! each open; a record otherwise asks the inotify descriptor how many bytes
//! are queued (one system call, about a third of a `stat`). The kernel
//! queues the event inside the rename or unlink itself, so no record is
//! written to a renamed file that CPython's per-record `stat` would have
//! sent to the new one.
//! Where inotify cannot see every change (a symlink in the path, a network
//! or FUSE filesystem, inotify limits reached) every record is checked with
//! a `stat`, as in CPython.
//!
//! Differences from CPython, for the shell to keep: the identity is taken at
//! *every* open ([`WatchedCheck::of_file`] on the handle just opened,
//! delayed opens and reopens included), so there is no spurious reopen
//! after a delayed open (which in CPython truncates away the first record
//! with `mode: w`); and a stat error other than "not found" is returned
//! to the shell, to be reported once, never raised into the application.

use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;

use super::class::{BuildContext, HandlerClass, HandlerSettings};
use super::clock::Clock;
use super::file::{FILE_KEYS, Failure, FileHandler, LogFile, Rule, parse_options};
use super::report::{Op, Reporter};
use super::{FileOptions, Handler};

#[cfg(any(target_os = "linux", target_os = "android"))]
mod inotify;

/// `logging.handlers.WatchedFileHandler`: the keys of `logging.FileHandler`.
pub(crate) const CLASS: HandlerClass = HandlerClass {
    name: "logging.handlers.WatchedFileHandler",
    keys: FILE_KEYS,
    terminator: "\n",
    parse: |args| Some(Arc::new(WatchedSettings(parse_options(args)?))),
};

/// A watched file handler's settings: those of a plain file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WatchedSettings(pub(crate) FileOptions);

impl HandlerSettings for WatchedSettings {
    fn build(&self, ctx: &BuildContext<'_>) -> io::Result<Box<dyn Handler>> {
        let handler = FileHandler::new(
            &self.0,
            WatchRule::default(),
            ctx.reporter(),
            Arc::clone(&ctx.clock),
        )?;
        Ok(Box::new(handler))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Reopen when the path no longer holds the open file: a "rollover" that
/// renames nothing.
#[derive(Debug, Default)]
pub(crate) struct WatchRule {
    /// The identity of the open file, taken right after each open; `None`
    /// if it could not be read (then nothing is compared).
    identity: Option<WatchedCheck>,
    /// What tells that the path may have changed, built at each open;
    /// `None`: `stat` every record.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    watch: Option<inotify::Watch>,
    /// The next record `stat`s the path whatever the watch says: after an
    /// open (a change between the open and the watch raised no event) and
    /// after a `stat` that failed.
    check_next: bool,
    /// `stat`s made, for the tests.
    #[cfg(test)]
    stats: u32,
}

impl WatchRule {
    /// Whether the path must be `stat`ed for this record: always without a
    /// watch; with one, when it reported a change (a watch that may have
    /// lost events is built again; one that cannot be read is dropped, and
    /// every record is checked from then on).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn must_check(&mut self, file: &LogFile) -> bool {
        if std::mem::take(&mut self.check_next) {
            return true;
        }
        let Some(watch) = &self.watch else {
            return true;
        };
        match watch.changed() {
            Ok(inotify::News::Quiet) => false,
            Ok(inotify::News::Changed) => true,
            Ok(inotify::News::Stale) => {
                self.watch = file
                    .handle()
                    .and_then(|handle| inotify::Watch::new(file.path(), handle));
                true
            }
            Err(_) => {
                self.watch = None;
                true
            }
        }
    }

    /// Without inotify, every record is checked.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn must_check(&mut self, _file: &LogFile) -> bool {
        true
    }
}

impl Rule for WatchRule {
    fn opened(&mut self, file: &LogFile, reporter: &mut Reporter) {
        self.identity = match file.handle().map(WatchedCheck::of_file) {
            Some(Ok(identity)) => Some(identity),
            Some(Err(err)) => {
                reporter.report(Op::Stat, &err, || {
                    format!("cannot read the identity of {}", file.path().display())
                });
                None
            }
            None => None,
        };
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // The old watch goes first: its descriptor and watches are
            // released before new ones count against inotify's limits.
            self.watch = None;
            self.watch = file
                .handle()
                .and_then(|handle| inotify::Watch::new(file.path(), handle));
        }
        self.check_next = true;
    }

    fn should_roll_over(
        &mut self,
        file: &mut LogFile,
        _record: &[u8],
        _clock: &dyn Clock,
        reporter: &mut Reporter,
    ) -> bool {
        let Some(identity) = self.identity else {
            return false;
        };
        if !self.must_check(file) {
            return false;
        }
        #[cfg(test)]
        {
            self.stats += 1;
        }
        match identity.check(file.path()) {
            Ok(change) => change.needs_reopen(),
            Err(err) => {
                // CPython lets this escape into the application.
                reporter.report(Op::Stat, &err, || {
                    format!("cannot check {}", file.path().display())
                });
                self.check_next = true;
                false
            }
        }
    }

    fn roll_over(&mut self, _file: &LogFile, _clock: &dyn Clock) -> Result<(), Failure> {
        Ok(())
    }
}

/// What the path holds now, compared with the file the handler has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PathChange {
    /// The same file (also after a copy-truncate, which keeps the inode):
    /// keep writing.
    Unchanged,
    /// Another file (renamed away and recreated, or replaced): reopen.
    Replaced,
    /// Nothing (deleted or renamed away): reopen, which creates it.
    Missing,
}

impl PathChange {
    /// Whether the handler must close its handle and open the path again.
    pub(crate) fn needs_reopen(self) -> bool {
        !matches!(self, PathChange::Unchanged)
    }
}

/// The identity (device, inode) of the file a handler has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WatchedCheck {
    /// `st_dev` of the open file.
    dev: u64,
    /// `st_ino` of the open file.
    ino: u64,
}

impl WatchedCheck {
    /// The identity of an open handle (`fstat`, Python's `_statstream`):
    /// call it right after every open, so the identity is that of the file
    /// actually opened even if the path changed in between (bpo-14632).
    pub(crate) fn of_file(file: &File) -> io::Result<WatchedCheck> {
        file.metadata().map(|m| WatchedCheck::of_metadata(&m))
    }

    /// The identity in `metadata`.
    pub(crate) fn of_metadata(metadata: &Metadata) -> WatchedCheck {
        WatchedCheck {
            dev: metadata.dev(),
            ino: metadata.ino(),
        }
    }

    /// Stats `path` (following symlinks, as `os.stat`) and compares.
    ///
    /// An error other than "not found" (permission denied, a path component
    /// that is not a directory, ...) is returned: CPython lets it escape
    /// into the application; the shell should report it and keep its
    /// handle.
    pub(crate) fn check(&self, path: &Path) -> io::Result<PathChange> {
        self.compare(fs::metadata(path))
    }

    /// The verdict for the result of stat-ing the path.
    pub(crate) fn compare(&self, stat: io::Result<Metadata>) -> io::Result<PathChange> {
        match stat {
            Ok(m) if WatchedCheck::of_metadata(&m) == *self => Ok(PathChange::Unchanged),
            Ok(_) => Ok(PathChange::Replaced),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(PathChange::Missing),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs::{self, File, OpenOptions};
    use std::io::{self, Write};
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    use super::{PathChange, WatchedCheck, WatchedSettings};
    use crate::handler::class::{BuildContext, HandlerSettings};
    use crate::handler::clock::FakeClock;
    use crate::handler::report::Captured;
    use crate::handler::{FileMode, FileOptions, Handler};
    use crate::level::Level;

    /// A watched handler on `path`, its clock and its reports.
    fn watched(
        path: &Path,
        mode: FileMode,
        delay: bool,
    ) -> io::Result<(Box<dyn Handler>, Arc<FakeClock>, Captured)> {
        let clock = Arc::new(FakeClock::new());
        let errors = Captured::default();
        let settings = WatchedSettings(FileOptions {
            path: path.to_path_buf(),
            mode,
            delay,
            permissions: 0o640,
            buffer: None,
        });
        let handler = settings.build(&BuildContext {
            name: "w",
            clock: clock.clone(),
            errors: Arc::new(errors.clone()),
            downstream: &[],
            terminator: "\n",
        })?;
        Ok((handler, clock, errors))
    }

    #[test]
    fn a_delayed_open_in_mode_w_keeps_the_first_record() -> io::Result<()> {
        // CPython reopens at the second record (its saved identity is -1)
        // and truncates the first record away.
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        fs::write(&path, "old\n")?;
        let (handler, _clock, errors) = watched(&path, FileMode::Truncate, true)?;
        assert_eq!(fs::read_to_string(&path)?, "old\n");
        handler.emit(b"one\n", Level::INFO);
        handler.emit(b"two\n", Level::INFO);
        assert_eq!(fs::read_to_string(&path)?, "one\ntwo\n");
        assert_eq!(errors.text(), "");
        Ok(())
    }

    #[test]
    fn a_stat_error_is_reported_once_and_the_handle_kept() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let sub = dir.path().join("d");
        let path = sub.join("x.log");
        let (handler, _clock, errors) = watched(&path, FileMode::Append, false)?;
        handler.emit(b"one\n", Level::INFO);
        // The folder moves away and a file takes its name: ENOTDIR.
        let moved = dir.path().join("d2");
        fs::rename(&sub, &moved)?;
        fs::write(&sub, "")?;
        handler.emit(b"two\n", Level::INFO);
        handler.emit(b"three\n", Level::INFO);
        assert_eq!(
            fs::read_to_string(moved.join("x.log"))?,
            "one\ntwo\nthree\n"
        );
        let report = errors.text();
        assert_eq!(
            report.matches("--- Logging error ---").count(),
            1,
            "{report}"
        );
        assert!(report.contains("cannot check "), "{report}");
        Ok(())
    }

    #[test]
    fn a_failing_reopen_is_retried_once_a_second_not_per_record() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let (handler, clock, errors) = watched(&path, FileMode::Append, false)?;
        handler.emit(b"one\n", Level::INFO);
        // A directory takes the file's name: the reopen fails (EISDIR).
        fs::rename(&path, dir.path().join("x.log.1"))?;
        fs::create_dir(&path)?;
        handler.emit(b"lost 1\n", Level::INFO);
        handler.emit(b"lost 2\n", Level::INFO);
        clock.step(Duration::from_secs(1), false);
        handler.emit(b"lost 3\n", Level::INFO);
        assert_eq!(errors.text().matches("--- Logging error ---").count(), 1);
        fs::remove_dir(&path)?;
        handler.emit(b"lost 4: within a second of the last try\n", Level::INFO);
        clock.step(Duration::from_secs(1), false);
        handler.emit(b"back\n", Level::INFO);
        assert_eq!(fs::read_to_string(&path)?, "back\n");
        assert_eq!(fs::read_to_string(dir.path().join("x.log.1"))?, "one\n");
        Ok(())
    }

    /// The rule and its open file on `path`, as the shell holds them.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn rule_on(
        path: &Path,
    ) -> io::Result<(
        super::WatchRule,
        crate::handler::file::LogFile,
        crate::handler::report::Reporter,
    )> {
        use crate::handler::file::{LogFile, Rule};
        let options = FileOptions {
            path: path.to_path_buf(),
            mode: FileMode::Append,
            delay: false,
            permissions: 0o640,
            buffer: None,
        };
        let mut file = LogFile::new(&options, FileMode::Append)?;
        file.open().map_err(|_| io::Error::other("open"))?;
        let mut reporter =
            crate::handler::report::Reporter::new("w", Arc::new(Captured::default()));
        let mut rule = super::WatchRule::default();
        rule.opened(&file, &mut reporter);
        Ok((rule, file, reporter))
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn with_inotify_the_path_is_stat_ed_only_after_an_open_or_a_change() -> io::Result<()> {
        use crate::handler::file::Rule;
        let dir = tempfile::tempdir()?;
        let path = fs::canonicalize(dir.path())?.join("x.log");
        let (mut rule, mut file, mut reporter) = rule_on(&path)?;
        let clock = FakeClock::new();
        let mut ask = |rule: &mut super::WatchRule, file: &mut _| {
            rule.should_roll_over(file, b"r\n", &clock, &mut reporter)
        };
        assert!(rule.watch.is_some());
        // The first record after the open checks; the next 100 do not.
        for _ in 0..101 {
            assert!(!ask(&mut rule, &mut file));
        }
        assert_eq!(rule.stats, 1);
        // Another name in the folder: one check, no reopen.
        fs::write(dir.path().join("other.log"), "")?;
        assert!(!ask(&mut rule, &mut file));
        assert!(!ask(&mut rule, &mut file));
        assert_eq!(rule.stats, 2);
        // The rotation: checked and reopened.
        fs::rename(&path, dir.path().join("x.log.1"))?;
        assert!(ask(&mut rule, &mut file));
        assert_eq!(rule.stats, 3);
        Ok(())
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn through_a_symlink_every_record_is_stat_ed() -> io::Result<()> {
        use crate::handler::file::Rule;
        let dir = tempfile::tempdir()?;
        let dir = fs::canonicalize(dir.path())?;
        std::os::unix::fs::symlink(dir.join("real.log"), dir.join("x.log"))?;
        let (mut rule, mut file, mut reporter) = rule_on(&dir.join("x.log"))?;
        assert!(rule.watch.is_none());
        let clock = FakeClock::new();
        for _ in 0..10 {
            assert!(!rule.should_roll_over(&mut file, b"r\n", &clock, &mut reporter));
        }
        assert_eq!(rule.stats, 10);
        Ok(())
    }

    /// What a watched handler on `path` writes around `change`: "one"
    /// before it, "two" after; the handler's reports must be empty.
    fn around(path: &Path, change: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        let (handler, _clock, errors) = watched(path, FileMode::Append, false)?;
        handler.emit(b"one\n", Level::INFO);
        change()?;
        handler.emit(b"two\n", Level::INFO);
        assert_eq!(errors.text(), "");
        Ok(())
    }

    #[test]
    fn a_file_renamed_over_the_name_gets_the_next_record() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let fresh = dir.path().join("x.log.new");
        around(&path, || {
            fs::write(&fresh, "fresh\n")?;
            fs::rename(&fresh, &path)
        })?;
        assert_eq!(fs::read_to_string(&path)?, "fresh\ntwo\n");
        Ok(())
    }

    #[test]
    fn a_folder_moved_away_and_made_again_gets_the_next_record() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let top = dir.path().join("a");
        let path = top.join("b").join("x.log");
        fs::create_dir_all(top.join("b"))?;
        around(&path, || {
            fs::rename(&top, dir.path().join("a.old"))?;
            fs::create_dir_all(top.join("b"))
        })?;
        assert_eq!(fs::read_to_string(&path)?, "two\n");
        assert_eq!(
            fs::read_to_string(dir.path().join("a.old").join("b").join("x.log"))?,
            "one\n"
        );
        Ok(())
    }

    #[test]
    fn a_retargeted_symlink_gets_the_next_record() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let link = dir.path().join("x.log");
        let first = dir.path().join("first.log");
        let second = dir.path().join("second.log");
        std::os::unix::fs::symlink(&first, &link)?;
        around(&link, || {
            fs::remove_file(&link)?;
            std::os::unix::fs::symlink(&second, &link)
        })?;
        assert_eq!(fs::read_to_string(&first)?, "one\n");
        assert_eq!(fs::read_to_string(&second)?, "two\n");
        Ok(())
    }

    #[test]
    fn a_chmod_or_a_sibling_reopens_nothing() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        around(&path, || {
            fs::set_permissions(&path, fs::metadata(&path)?.permissions())?;
            fs::write(dir.path().join("y.log"), "")
        })?;
        assert_eq!(fs::read_to_string(&path)?, "one\ntwo\n");
        Ok(())
    }

    /// Opens `path` for appending, creating it, as a file handler does.
    fn open_append(path: &Path) -> io::Result<File> {
        OpenOptions::new().append(true).create(true).open(path)
    }

    #[test]
    fn rename_then_recreate_as_logrotate_create() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let mut file = open_append(&path)?;
        let check = WatchedCheck::of_file(&file)?;
        file.write_all(b"one\n")?;
        assert_eq!(check.check(&path)?, PathChange::Unchanged);
        fs::rename(&path, dir.path().join("x.log.1"))?;
        assert_eq!(check.check(&path)?, PathChange::Missing);
        File::create(&path)?;
        let verdict = check.check(&path)?;
        assert_eq!(verdict, PathChange::Replaced);
        assert!(verdict.needs_reopen());
        // After the reopen the new identity is current.
        let reopened = open_append(&path)?;
        let check = WatchedCheck::of_file(&reopened)?;
        assert_eq!(check.check(&path)?, PathChange::Unchanged);
        assert!(!PathChange::Unchanged.needs_reopen());
        Ok(())
    }

    #[test]
    fn delete_is_missing() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let file = open_append(&path)?;
        let check = WatchedCheck::of_file(&file)?;
        fs::remove_file(&path)?;
        assert_eq!(check.check(&path)?, PathChange::Missing);
        assert!(PathChange::Missing.needs_reopen());
        Ok(())
    }

    #[test]
    fn copy_truncate_keeps_the_inode() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let mut file = open_append(&path)?;
        let check = WatchedCheck::of_file(&file)?;
        file.write_all(b"one\ntwo\n")?;
        fs::copy(&path, dir.path().join("x.log.1"))?;
        OpenOptions::new().write(true).open(&path)?.set_len(0)?;
        assert_eq!(check.check(&path)?, PathChange::Unchanged);
        // With O_APPEND the next write lands at offset 0, as in Python.
        file.write_all(b"three\n")?;
        assert_eq!(fs::read(&path)?, b"three\n");
        assert_eq!(fs::read(dir.path().join("x.log.1"))?, b"one\ntwo\n");
        Ok(())
    }

    #[test]
    fn symlinks_are_followed() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("real.log");
        let link = dir.path().join("x.log");
        std::os::unix::fs::symlink(&target, &link)?;
        let file = open_append(&link)?;
        let check = WatchedCheck::of_file(&file)?;
        assert_eq!(check.check(&link)?, PathChange::Unchanged);
        fs::rename(&target, dir.path().join("real.log.1"))?;
        assert_eq!(check.check(&link)?, PathChange::Missing);
        File::create(&target)?;
        assert_eq!(check.check(&link)?, PathChange::Replaced);
        Ok(())
    }

    #[test]
    fn other_stat_errors_are_returned() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("x.log");
        let file = open_append(&path)?;
        let check = WatchedCheck::of_file(&file)?;
        // A path through a regular file: ENOTDIR, not "not found".
        let err = check.check(&path.join("inner.log")).map_err(|e| e.kind());
        assert_eq!(err, Err(io::ErrorKind::NotADirectory));
        Ok(())
    }
}
