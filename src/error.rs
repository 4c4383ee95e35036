//! The crate's error type.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a config could not be loaded, built or installed.
///
/// A config error lists every problem found, each with its place in the
/// file; nothing is installed when any problem is found.
///
/// ```
/// let err = logconf::Config::from_yaml_str("version: 2\n").unwrap_err();
/// assert!(err.to_string().contains("version"));
/// ```
pub struct Error {
    kind: ErrorKind,
}

enum ErrorKind {
    Config {
        source: String,
        problems: Vec<Problem>,
    },
    Io {
        context: String,
        path: PathBuf,
        source: io::Error,
    },
    Install(String),
}

/// One problem in a config: where it is, what is wrong, and a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    line: u64,
    column: u64,
    key_path: String,
    message: String,
    help: Option<String>,
}

impl Problem {
    /// A problem at `key_path` (`handlers.logfile.maxBytes`), at a 1-based
    /// line and column (0 when unknown).
    pub(crate) fn new(
        line: u64,
        column: u64,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            line,
            column,
            key_path: key_path.into(),
            message: message.into(),
            help: None,
        }
    }

    /// Adds a suggestion (``did you mean `file`?``).
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// The 1-based line, or 0 when the problem has no single place.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The 1-based column, or 0 when unknown.
    pub fn column(&self) -> u64 {
        self.column
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
        if self.line > 0 {
            write!(f, "{}:{}: ", self.line, self.column)?;
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
        let context = context.to_owned();
        let path = path.to_owned();
        move |source| Error {
            kind: ErrorKind::Io {
                context,
                path,
                source,
            },
        }
    }

    pub(crate) fn install(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Install(message.into()),
        }
    }

    /// Every problem found in the config (empty for I/O and install errors).
    pub fn problems(&self) -> &[Problem] {
        match &self.kind {
            ErrorKind::Config { problems, .. } => problems,
            _ => &[],
        }
    }

    /// Whether this is a problem with the config's content.
    pub fn is_config(&self) -> bool {
        matches!(self.kind, ErrorKind::Config { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Config { source, problems } => {
                let n = problems.len();
                write!(
                    f,
                    "invalid logging config {source}: {n} problem{}",
                    if n == 1 { "" } else { "s" }
                )?;
                for p in problems {
                    if p.line > 0 {
                        write!(f, "\n  {source}:{p}")?;
                    } else {
                        write!(f, "\n  {source}: {p}")?;
                    }
                }
                Ok(())
            }
            ErrorKind::Io {
                context,
                path,
                source,
            } => write!(f, "{context} {}: {source}", path.display()),
            ErrorKind::Install(message) => f.write_str(message),
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
            _ => None,
        }
    }
}
