//! Formatters: a [`Record`] to bytes, in Python's `%`, `{` and `$` styles.
//!
//! A format string is parsed once, when the config is loaded, into a
//! compiled template; rendering never parses and never fails.
//!
//! INTERFACE (kept stable for the rest of the crate):
//! - `Formatter::new(FormatterOptions) -> Result<Formatter, FormatError>`
//! - `Formatter::default_formatter()` (`%(message)s`, Python's `_defaultFormatter`)
//! - `Formatter::format(&self, &Record, &mut Vec<u8>)` appends the text, no terminator
//! - `Formatter::needs(&self) -> Needs`

mod record;

#[allow(unused_imports)]
pub(crate) use record::{FieldValue, Fields, OwnedValue, Record};

use std::fmt;

/// Which format syntax a formatter uses (`style:` in the config).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// `%(name)s`: Python's `PercentStyle` (the default).
    Percent,
    /// `{name}`: `StrFormatStyle` (`str.format`).
    Brace,
    /// `$name`: `StringTemplateStyle` (`string.Template`).
    Dollar,
}

/// What a formatter needs the subscriber to compute for a record, beyond
/// the always-present attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Needs(u8);

impl Needs {
    /// `%(funcName)s`: the innermost span's name must be looked up.
    pub(crate) const FUNC_NAME: Needs = Needs(1);
    /// `%(thread)d` / `%(threadName)s`.
    pub(crate) const THREAD: Needs = Needs(2);

    /// Nothing extra.
    pub(crate) const NONE: Needs = Needs(0);

    /// Both sets.
    pub(crate) const fn union(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }

    /// Every flag of `other` is set in `self`.
    pub(crate) const fn contains(self, other: Needs) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A format string that cannot be used, found when the config is loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FormatError {
    /// Lowercase, no trailing period: ``unknown attribute `levelnme` ``.
    pub(crate) message: String,
    /// Byte offset in the format string where the problem starts, if known.
    pub(crate) offset: Option<usize>,
    /// A suggestion (``did you mean `levelname`?``), if there is one.
    pub(crate) help: Option<String>,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

/// A formatter's config entry, checked for types but not yet compiled.
#[derive(Clone, Debug)]
pub(crate) struct FormatterOptions<'a> {
    /// `format:`; `None` is the style's `%(message)s` equivalent.
    pub(crate) format: Option<&'a str>,
    /// `datefmt:`; `None` is `%Y-%m-%d %H:%M:%S` followed by `,mmm`.
    pub(crate) datefmt: Option<&'a str>,
    /// `style:`.
    pub(crate) style: Style,
    /// `validate:` (default true).
    pub(crate) validate: bool,
    /// `defaults:`: values for names the record does not have.
    pub(crate) defaults: Vec<(String, OwnedValue)>,
    /// logconf's `escape_control:` (default true): control characters in
    /// the message and field values are written as `\x1b`-style escapes.
    pub(crate) escape_control: bool,
    /// logconf's `escape_newlines:` (default false): newlines in the message
    /// and field values are written as `\n`, so one record is one line.
    pub(crate) escape_newlines: bool,
}

/// A compiled formatter: Python's `logging.Formatter`.
#[derive(Debug)]
pub(crate) struct Formatter {
    _private: (),
}

impl Formatter {
    /// Compiles a formatter from its config entry.
    pub(crate) fn new(options: FormatterOptions<'_>) -> Result<Formatter, FormatError> {
        let _ = options;
        Ok(Formatter { _private: () })
    }

    /// Python's default formatter: `%(message)s`.
    pub(crate) fn default_formatter() -> Formatter {
        Formatter { _private: () }
    }

    /// Appends the formatted record (no line terminator) to `out`.
    pub(crate) fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        out.extend_from_slice(record.message.as_bytes());
    }

    /// What this formatter needs computed.
    pub(crate) fn needs(&self) -> Needs {
        Needs::NONE
    }
}
