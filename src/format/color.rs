//! `colorlog.ColoredFormatter`: a text format with ANSI colors by level.
//!
//! ```yaml
//! formatters:
//!   colored:
//!     (): colorlog.ColoredFormatter          # or class:
//!     format: "%(log_color)s%(levelname)-8s%(reset)s %(blue)s%(message)s"
//!     log_colors: {DEBUG: cyan, INFO: green, WARNING: yellow, ERROR: red, CRITICAL: "red,bg_white"}
//!     secondary_log_colors: {message: {ERROR: red}}   # %(message_log_color)s
//! ```
//!
//! Keys, as colorlog 6 reads them: `format` (or `fmt`; default
//! `%(log_color)s%(levelname)s:%(name)s:%(message)s` in the chosen style),
//! `datefmt`, `style`, `validate`, `defaults`, `log_colors` (level name to
//! a comma-separated list of color names; default DEBUG white, INFO green,
//! WARNING yellow, ERROR red, CRITICAL bold_red), `secondary_log_colors`,
//! `reset` (default true: a reset code ends every colored record),
//! `no_color`, `force_color`, and `stream` (`ext://sys.stderr`, the
//! default, or `ext://sys.stdout`).
//!
//! Every colorlog escape name is an attribute: `%(reset)s`, `%(bold)s`,
//! `%(thin)s`, the colors (`red`, `light_blue`, ...) with the prefixes
//! `bold_`, `thin_`, `fg_`, `fg_bold_`, `fg_thin_`, `bg_`, and `fg_0` to
//! `fg_255`, `bg_0` to `bg_255`. An unknown color name is a load error
//! (colorlog fails per record).
//!
//! Colors are written when `force_color` is true or `FORCE_COLOR` is set;
//! else not when `no_color` is true or `NO_COLOR` is set; else only when
//! `stream` is a terminal. colorlog without `stream` colors everything: a
//! difference listed in the README. The choice is made once, when the
//! config is loaded. Each level's escape codes are compiled in, so a
//! record costs what a plain format costs.

use std::io::IsTerminal as _;
use std::sync::Arc;

use super::class::{FormatterClass, RecordFormat, place_in_string};
use super::{Formatter, FormatterOptions, Needs, OwnedValue, Record, Style};
use crate::args::{Args, show};
use crate::suggest::did_you_mean;
use crate::tree::Value;

/// `colorlog.ColoredFormatter`.
pub(crate) const CLASS: FormatterClass = FormatterClass {
    name: "colorlog.ColoredFormatter",
    keys: &[
        "format",
        "fmt",
        "datefmt",
        "style",
        "validate",
        "defaults",
        "log_colors",
        "secondary_log_colors",
        "reset",
        "no_color",
        "force_color",
        "stream",
    ],
    parse: |args| Some(Arc::new(parse(args)?)),
};

/// colorlog's `default_log_colors`.
const DEFAULT_LOG_COLORS: &[(&str, &str)] = &[
    ("DEBUG", "white"),
    ("INFO", "green"),
    ("WARNING", "yellow"),
    ("ERROR", "red"),
    ("CRITICAL", "bold_red"),
];

/// colorlog's reset code.
const RESET: &str = "\x1b[0m";

/// Foreground colors and their codes.
const FOREGROUND: &[(&str, u8)] = &[
    ("black", 30),
    ("red", 31),
    ("green", 32),
    ("yellow", 33),
    ("blue", 34),
    ("purple", 35),
    ("cyan", 36),
    ("white", 37),
    ("light_black", 90),
    ("light_red", 91),
    ("light_green", 92),
    ("light_yellow", 93),
    ("light_blue", 94),
    ("light_purple", 95),
    ("light_cyan", 96),
    ("light_white", 97),
];

/// The escape code colorlog names `name`.
pub(crate) fn escape(name: &str) -> Option<String> {
    match name {
        "reset" => return Some(RESET.to_owned()),
        "bold" => return Some("\x1b[1m".to_owned()),
        "thin" => return Some("\x1b[2m".to_owned()),
        _ => {}
    }
    let fg = |n: &str| {
        FOREGROUND
            .iter()
            .find(|(c, _)| *c == n)
            .map(|(_, code)| *code)
    };
    if let Some(rest) = name.strip_prefix("bg_") {
        if let Ok(n) = rest.parse::<u8>()
            && rest == n.to_string()
        {
            return Some(format!("\x1b[48;5;{n}m"));
        }
        // `bold_` backgrounds are colorlog's old names for the light ones.
        let base = rest.strip_prefix("bold_").map_or(rest, |c| c);
        if base != rest && base.starts_with("light_") {
            return None;
        }
        let code = fg(base)? + 10;
        let code = if rest.starts_with("bold_") && code < 90 {
            code + 60
        } else {
            code
        };
        return Some(format!("\x1b[{code}m"));
    }
    let (explicit, rest) = match name.strip_prefix("fg_") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    if explicit
        && let Ok(n) = rest.parse::<u8>()
        && rest == n.to_string()
    {
        return Some(format!("\x1b[38;5;{n}m"));
    }
    if let Some(color) = rest.strip_prefix("bold_") {
        return Some(format!("\x1b[1;{}m", fg(color)?));
    }
    if let Some(color) = rest.strip_prefix("thin_") {
        return Some(format!("\x1b[2;{}m", fg(color)?));
    }
    Some(format!("\x1b[{}m", fg(rest)?))
}

/// colorlog's `parse_colors`: a comma-separated list of names; the first
/// unknown name is the error.
fn parse_colors(list: &str) -> Result<String, &str> {
    let mut out = String::new();
    for name in list.split(',').filter(|n| !n.is_empty()) {
        out.push_str(&escape(name).ok_or(name)?);
    }
    Ok(out)
}

/// A compiled `colorlog.ColoredFormatter`.
#[derive(Debug)]
pub(crate) struct Colored {
    /// Per level name: the format with that level's colors.
    by_level: Vec<(String, Formatter)>,
    /// Levels without colors (all of them when colors are off).
    other: Formatter,
    /// Append a reset code to every record that lacks one.
    reset: bool,
}

impl RecordFormat for Colored {
    fn format(&self, record: &Record<'_>, out: &mut Vec<u8>) {
        let start = out.len();
        let name = record.level.static_name();
        let formatter = self
            .by_level
            .iter()
            .find(|(level, _)| Some(level.as_str()) == name)
            .map_or(&self.other, |(_, f)| f);
        formatter.format(record, out);
        if self.reset && !out[start..].ends_with(RESET.as_bytes()) {
            out.extend_from_slice(RESET.as_bytes());
        }
    }

    fn needs(&self) -> Needs {
        self.other.needs()
    }
}

/// A mapping of level names to color lists, checked.
fn colors(args: &mut Args<'_, '_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (level, node) in args.entries() {
        let Some(list) = args.string(level) else {
            if node.value == Value::Null {
                out.push((level.to_owned(), String::new()));
            }
            continue;
        };
        match parse_colors(list) {
            Ok(codes) => out.push((level.to_owned(), codes)),
            Err(bad) => {
                let help = did_you_mean(bad, FOREGROUND.iter().map(|(c, _)| *c))
                    .unwrap_or_else(|| "colors are colorlog's names: `red`, `bold_green`, `bg_white`, `fg_208`, ...".to_owned());
                args.report(level, format!("unknown color `{}`", show(bad)), Some(help));
            }
        }
    }
    out
}

fn parse(args: &mut Args<'_, '_>) -> Option<Colored> {
    let style = args.style();
    let format_key = match (args.get("format"), args.get("fmt")) {
        (Some(_), Some(_)) => {
            args.report(
                "fmt",
                "`format` and `fmt` are the same argument".into(),
                Some("keep one".into()),
            );
            "format"
        }
        (None, Some(_)) => "fmt",
        _ => "format",
    };
    let format = args.string(format_key).unwrap_or(match style {
        Style::Percent => "%(log_color)s%(levelname)s:%(name)s:%(message)s",
        Style::Brace => "{log_color}{levelname}:{name}:{message}",
        Style::Dollar => "${log_color}${levelname}:${name}:${message}",
    });
    let datefmt = args.string("datefmt");
    let validate = args.truthy("validate", true);
    let reset = args.truthy("reset", true);
    let no_color = args.truthy("no_color", false);
    let force_color = args.truthy("force_color", false);
    let to_stdout = args
        .choice(
            "stream",
            "unsupported stream",
            &[("ext://sys.stdout", true), ("ext://sys.stderr", false)],
        )
        .unwrap_or(false);
    let mut defaults = Vec::new();
    if let Some(mut entries) = args.mapping("defaults") {
        for (key, node) in entries.entries() {
            let value = match &node.value {
                Value::Str(s) => OwnedValue::Str(s.clone()),
                Value::Bool(b) => OwnedValue::Bool(*b),
                Value::Float(f) => OwnedValue::Float(*f),
                Value::Int(n) => {
                    i64::try_from(*n).map_or(OwnedValue::Float(*n as f64), OwnedValue::Int)
                }
                other => {
                    let message = format!(
                        "expected a string, number or boolean, found {}",
                        other.kind()
                    );
                    entries.report(key, message, None);
                    continue;
                }
            };
            defaults.push((key.to_owned(), value));
        }
    }
    let log_colors = match args.mapping("log_colors") {
        Some(mut entries) => colors(&mut entries),
        None => DEFAULT_LOG_COLORS
            .iter()
            .map(|(l, c)| ((*l).to_owned(), parse_colors(c).unwrap_or_default()))
            .collect(),
    };
    let mut secondary: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if let Some(mut entries) = args.mapping("secondary_log_colors") {
        for (name, _) in entries.entries() {
            if let Some(mut levels) = entries.mapping(name) {
                let list = colors(&mut levels);
                secondary.push((format!("{name}_log_color"), list));
            }
        }
    }
    if args.failed() {
        return None;
    }

    let colorize = if force_color || std::env::var_os("FORCE_COLOR").is_some() {
        true
    } else if no_color || std::env::var_os("NO_COLOR").is_some() {
        false
    } else if to_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };

    // The escape names the format may use, as defaults written raw.
    let mut names: Vec<&str> = format
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| escape(w).is_some())
        .collect();
    names.sort_unstable();
    names.dedup();
    let level_names: Vec<String> = {
        let mut all: Vec<String> = log_colors.iter().map(|(l, _)| l.clone()).collect();
        for (_, list) in &secondary {
            all.extend(list.iter().map(|(l, _)| l.clone()));
        }
        all.sort_unstable();
        all.dedup();
        all
    };
    let code = |list: &[(String, String)], level: Option<&str>| -> String {
        level
            .and_then(|level| list.iter().find(|(l, _)| l == level))
            .map_or_else(String::new, |(_, c)| c.clone())
    };
    let compile = |level: Option<&str>| {
        let mut all = defaults.clone();
        for name in &names {
            let value = if colorize {
                escape(name).unwrap_or_default()
            } else {
                String::new()
            };
            all.push(((*name).to_owned(), OwnedValue::Raw(value)));
        }
        let mut push = |name: &str, value: String| {
            let value = if colorize { value } else { String::new() };
            all.push((name.to_owned(), OwnedValue::Raw(value)));
        };
        push("log_color", code(&log_colors, level));
        for (name, list) in &secondary {
            push(name, code(list, level));
        }
        Formatter::new(FormatterOptions {
            format: Some(format),
            datefmt,
            style,
            validate,
            defaults: all,
            escape_control: true,
            escape_newlines: false,
        })
    };
    let other = match compile(None) {
        Ok(f) => f,
        Err(err) => {
            match args.get(format_key) {
                Some(e) => {
                    let pos = place_in_string(args.text(), e.value.pos, format, err.offset);
                    args.report_at(pos, format_key, err.message, err.help);
                }
                None => args.report_at(args.pos(), "", err.message, err.help),
            }
            return None;
        }
    };
    let mut by_level = Vec::new();
    if colorize {
        for level in &level_names {
            // The same format compiled again: it cannot fail now.
            if let Ok(f) = compile(Some(level)) {
                by_level.push((level.clone(), f));
            }
        }
    }
    Some(Colored {
        by_level,
        other,
        reset: reset && colorize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_names_match_colorlog() {
        assert_eq!(escape("reset").as_deref(), Some("\x1b[0m"));
        assert_eq!(escape("red").as_deref(), Some("\x1b[31m"));
        assert_eq!(escape("bold_red").as_deref(), Some("\x1b[1;31m"));
        assert_eq!(escape("fg_thin_light_blue").as_deref(), Some("\x1b[2;94m"));
        assert_eq!(escape("bg_white").as_deref(), Some("\x1b[47m"));
        assert_eq!(escape("bg_bold_red").as_deref(), Some("\x1b[101m"));
        assert_eq!(escape("bg_light_red").as_deref(), Some("\x1b[101m"));
        assert_eq!(escape("fg_208").as_deref(), Some("\x1b[38;5;208m"));
        assert_eq!(escape("bg_0").as_deref(), Some("\x1b[48;5;0m"));
        assert_eq!(escape("208"), None);
        assert_eq!(escape("fg_256"), None);
        assert_eq!(escape("fg_01"), None);
        assert_eq!(escape("levelname"), None);
        assert_eq!(
            parse_colors("red,bg_white"),
            Ok("\x1b[31m\x1b[47m".to_owned())
        );
        assert_eq!(parse_colors("red,pink"), Err("pink"));
    }
}
