//! Python's numeric logging levels, with `TRACE` (5) added for `tracing`.

use std::borrow::Cow;
use std::fmt;

/// A logging level as Python numbers it.
///
/// | name | number | `tracing` level |
/// |---|---|---|
/// | `NOTSET` | 0 | |
/// | `TRACE` | 5 | `TRACE` |
/// | `DEBUG` | 10 | `DEBUG` |
/// | `INFO` | 20 | `INFO` |
/// | `WARNING` (`WARN`) | 30 | `WARN` |
/// | `ERROR` | 40 | `ERROR` |
/// | `CRITICAL` (`FATAL`) | 50 | |
///
/// Any other non-negative number is a valid level too (`level: 15` in a
/// config); its name is `Level 15`, as in Python.
///
/// ```
/// use logconf::Level;
/// assert_eq!(Level::from_tracing(&tracing::Level::WARN), Level::WARNING);
/// assert_eq!(Level::WARNING.name(), "WARNING");
/// assert_eq!(Level::from_number(15).name(), "Level 15");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u32);

impl Level {
    /// 0: on a logger, "inherit from the parent"; on a handler, "everything".
    pub const NOTSET: Level = Level(0);
    /// 5: `tracing::Level::TRACE` (Python has no such level).
    pub const TRACE: Level = Level(5);
    /// 10: `tracing::Level::DEBUG`.
    pub const DEBUG: Level = Level(10);
    /// 20: `tracing::Level::INFO`.
    pub const INFO: Level = Level(20);
    /// 30: `tracing::Level::WARN`, printed as `WARNING`.
    pub const WARNING: Level = Level(30);
    /// 40: `tracing::Level::ERROR`.
    pub const ERROR: Level = Level(40);
    /// 50: no `tracing` level reaches it.
    pub const CRITICAL: Level = Level(50);

    /// The level with this number.
    pub const fn from_number(n: u32) -> Level {
        Level(n)
    }

    /// The level's number (`%(levelno)d`).
    pub const fn number(self) -> u32 {
        self.0
    }

    /// The level of a `tracing` event.
    pub const fn from_tracing(level: &tracing::Level) -> Level {
        match *level {
            tracing::Level::TRACE => Level::TRACE,
            tracing::Level::DEBUG => Level::DEBUG,
            tracing::Level::INFO => Level::INFO,
            tracing::Level::WARN => Level::WARNING,
            tracing::Level::ERROR => Level::ERROR,
        }
    }

    /// The name `%(levelname)s` prints: `WARNING` for 30, `Level N` for a
    /// number without a name.
    pub fn name(self) -> Cow<'static, str> {
        match self.static_name() {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(format!("Level {}", self.0)),
        }
    }

    /// The name of a named level, without allocating.
    pub const fn static_name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NOTSET",
            5 => "TRACE",
            10 => "DEBUG",
            20 => "INFO",
            30 => "WARNING",
            40 => "ERROR",
            50 => "CRITICAL",
            _ => return None,
        })
    }

    /// Parses a level name as a config writes it. Python's names are
    /// accepted in any case (`WARNING`, `warn`, `Fatal`), plus `TRACE`.
    pub fn from_name(name: &str) -> Option<Level> {
        const NAMES: [(&str, Level); 9] = [
            ("NOTSET", Level::NOTSET),
            ("TRACE", Level::TRACE),
            ("DEBUG", Level::DEBUG),
            ("INFO", Level::INFO),
            ("WARNING", Level::WARNING),
            ("WARN", Level::WARNING),
            ("ERROR", Level::ERROR),
            ("CRITICAL", Level::CRITICAL),
            ("FATAL", Level::CRITICAL),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, level)| level)
    }

    /// Every level name [`Level::from_name`] accepts, for suggestions.
    pub const NAMES: &'static [&'static str] = &[
        "NOTSET", "TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL",
    ];
}

impl From<tracing::Level> for Level {
    fn from(level: tracing::Level) -> Level {
        Level::from_tracing(&level)
    }
}

/// The error of parsing a [`Level`] from a string that is neither a level
/// name nor a non-negative number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLevelError(String);

impl fmt::Display for ParseLevelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown level `{}`", self.0)
    }
}

impl std::error::Error for ParseLevelError {}

impl std::str::FromStr for Level {
    type Err = ParseLevelError;

    /// A name as [`Level::from_name`] accepts it, or a number (`15`).
    ///
    /// ```
    /// use logconf::Level;
    /// assert_eq!("warn".parse::<Level>()?, Level::WARNING);
    /// assert_eq!("15".parse::<Level>()?, Level::from_number(15));
    /// assert!("loud".parse::<Level>().is_err());
    /// # Ok::<(), logconf::ParseLevelError>(())
    /// ```
    fn from_str(text: &str) -> Result<Level, ParseLevelError> {
        Level::from_name(text)
            .or_else(|| text.parse::<u32>().ok().map(Level::from_number))
            .ok_or_else(|| ParseLevelError(text.to_owned()))
    }
}

impl fmt::Debug for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Level({} {})", self.0, self.name())
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in Level::NAMES {
            let level = Level::from_name(name).expect("every listed name parses");
            assert!(level.static_name().is_some());
        }
        assert_eq!(Level::from_name("warn"), Some(Level::WARNING));
        assert_eq!(Level::from_name("fatal"), Some(Level::CRITICAL));
        assert_eq!(Level::from_name("DEBG"), None);
    }

    #[test]
    fn tracing_levels_map_to_python_numbers() {
        let pairs = [
            (tracing::Level::TRACE, 5),
            (tracing::Level::DEBUG, 10),
            (tracing::Level::INFO, 20),
            (tracing::Level::WARN, 30),
            (tracing::Level::ERROR, 40),
        ];
        for (t, n) in pairs {
            assert_eq!(Level::from_tracing(&t).number(), n);
        }
        assert_eq!(Level::from_number(30).name(), "WARNING");
        assert_eq!(Level::from_number(25).name(), "Level 25");
    }
}
