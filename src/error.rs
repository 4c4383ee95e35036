//! The crate's error type.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::tree::Pos;

/// Why a config could not be loaded, built or installed.
///
/// A config error lists every problem found, each with its place in the
/// file; nothing is installed when any problem is found. A handler whose
/// output cannot be opened when the config is built is a problem too, placed
/// at the handler's entry, with the `io::Error` as its cause
/// ([`Error::is_io`], [`std::error::Error::source`]).
///
/// ```
/// let err = logconf::Config::from_yaml_str("version: 2\n").unwrap_err();
/// assert!(err.is_config());
/// assert_eq!(err.problems()[0].key_path(), "version");
/// assert_eq!(err.problems()[0].line(), Some(1));
/// ```
pub struct Error {
    kind: ErrorKind,
}

enum ErrorKind {
    /// The config's content is wrong.
    Config {
        source: String,
        problems: Vec<Problem>,
    },
    /// The config is right but a handler's output could not be opened.
    Open {
        source: String,
        problems: Vec<Problem>,
    },
    /// What was being done, to which path ("read logging config x.yaml").
    Io { doing: String, source: io::Error },
    /// The config was not read from a file, so it cannot be reloaded.
    NotReloadable,
    /// Nothing was installed.
    Install {
        message: String,
        cause: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

/// One problem in a config: where it is, what is wrong, and a suggestion.
#[derive(Clone, Debug)]
pub struct Problem {
    location: Option<(u64, u64)>,
    key_path: String,
    message: String,
    help: Option<String>,
    cause: Option<Arc<io::Error>>,
}

impl PartialEq for Problem {
    fn eq(&self, other: &Problem) -> bool {
        (&self.location, &self.key_path, &self.message, &self.help)
            == (
                &other.location,
                &other.key_path,
                &other.message,
                &other.help,
            )
    }
}

impl Eq for Problem {}

impl Problem {
    /// A problem at `key_path` (`handlers.logfile.maxBytes`), at a 1-based
    /// line and column (line 0: no single place).
    pub(crate) fn new(
        line: u64,
        column: u64,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            location: (line > 0).then_some((line, column)),
            key_path: key_path.into(),
            message: message.into(),
            help: None,
            cause: None,
        }
    }

    /// A problem at `pos` (line 0: no single place).
    pub(crate) fn at(pos: Pos, key_path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::new(pos.line, pos.column, key_path, message)
    }

    /// Keeps `cause` as the problem's cause.
    pub(crate) fn with_cause(mut self, cause: io::Error) -> Problem {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// Adds a suggestion (``did you mean `file`?``).
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// The 1-based line, or `None` when the problem has no single place.
    pub fn line(&self) -> Option<u64> {
        self.location.map(|(line, _)| line)
    }

    /// The 1-based column, or `None` when the problem has no single place.
    pub fn column(&self) -> Option<u64> {
        self.location.map(|(_, column)| column)
    }

    /// The I/O error behind the problem: set when a handler's output could
    /// not be opened.
    pub fn cause(&self) -> Option<&io::Error> {
        self.cause.as_deref()
    }

    /// Where in the config: `handlers.logfile.maxBytes`, `loggers.app.handlers[0]`.
    pub fn key_path(&self) -> &str {
        &self.key_path
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A suggestion, if there is one.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((line, column)) = self.location {
            write!(f, "{line}:{column}: ")?;
        }
        if !self.key_path.is_empty() {
            write!(f, "{}: ", self.key_path)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

impl Error {
    pub(crate) fn config(source: impl Into<String>, problems: Vec<Problem>) -> Error {
        Error {
            kind: ErrorKind::Config {
                source: source.into(),
                problems,
            },
        }
    }

    /// Returns a closure for `map_err` that adds what was being done and to
    /// which path: `.map_err(Error::io("open log file", &path))`.
    pub(crate) fn io(context: &str, path: &Path) -> impl FnOnce(io::Error) -> Error {
        let doing = format!("{context} {}", path.display());
        move |source| Error {
            kind: ErrorKind::Io { doing, source },
        }
    }

    /// The file `LOG_CFG` names cannot be read.
    pub(crate) fn log_cfg(path: &Path) -> impl FnOnce(io::Error) -> Error {
        let doing = format!(
            "{} names {}, which cannot be read",
            crate::sources::LOG_CFG,
            path.display()
        );
        move |source| Error {
            kind: ErrorKind::Io { doing, source },
        }
    }

    /// Handlers that could not be opened (each problem carries its cause).
    pub(crate) fn open(source: impl Into<String>, problems: Vec<Problem>) -> Error {
        Error {
            kind: ErrorKind::Open {
                source: source.into(),
                problems,
            },
        }
    }

    /// A reload of a config that was not read from a file.
    pub(crate) fn not_reloadable() -> Error {
        Error {
            kind: ErrorKind::NotReloadable,
        }
    }

    pub(crate) fn install(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Install {
                message: message.into(),
                cause: None,
            },
        }
    }

    /// An install error caused by `cause`.
    pub(crate) fn install_because(
        message: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error {
            kind: ErrorKind::Install {
                message: message.into(),
                cause: Some(Box::new(cause)),
            },
        }
    }

    /// Every problem found in the config, or every handler that could not
    /// be opened (empty for other I/O errors and install errors).
    pub fn problems(&self) -> &[Problem] {
        match &self.kind {
            ErrorKind::Config { problems, .. } | ErrorKind::Open { problems, .. } => problems,
            _ => &[],
        }
    }

    /// Whether this is a problem with the config's content.
    pub fn is_config(&self) -> bool {
        matches!(self.kind, ErrorKind::Config { .. })
    }

    /// Whether an I/O operation failed: the config file could not be read,
    /// or a handler's output could not be opened.
    pub fn is_io(&self) -> bool {
        matches!(self.kind, ErrorKind::Io { .. } | ErrorKind::Open { .. })
    }

    /// Whether installing failed (a global subscriber or another `log`
    /// logger was already there). Nothing was installed.
    pub fn is_install(&self) -> bool {
        matches!(self.kind, ErrorKind::Install { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Config { source, problems } | ErrorKind::Open { source, problems } => {
                let n = problems.len();
                let what = if matches!(self.kind, ErrorKind::Config { .. }) {
                    "invalid logging config"
                } else {
                    "cannot open the outputs of logging config"
                };
                write!(
                    f,
                    "{what} {source}: {n} problem{}",
                    if n == 1 { "" } else { "s" }
                )?;
                for p in problems {
                    if p.location.is_some() {
                        write!(f, "\n  {source}:{p}")?;
                    } else {
                        write!(f, "\n  {source}: {p}")?;
                    }
                }
                Ok(())
            }
            ErrorKind::Io { doing, source } => write!(f, "{doing}: {source}"),
            ErrorKind::Install { message, .. } => f.write_str(message),
            ErrorKind::NotReloadable => f.write_str(
                "this logging config was not read from a file, so there is nothing to reload",
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The Display text is the useful one, also for `main() -> Result`.
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            ErrorKind::Open { problems, .. } => problems
                .iter()
                .find_map(|p| p.cause.as_deref())
                .map(|e| e as &(dyn std::error::Error + 'static)),
            ErrorKind::Install { cause, .. } => cause
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            ErrorKind::Config { .. } | ErrorKind::NotReloadable => None,
        }
    }
}
