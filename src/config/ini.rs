//! Python's other config format: `logging.config.fileConfig`'s INI files
//! (`logging.conf`), read into the same tree a dictConfig YAML makes, so
//! the same checker reads them and every problem is placed in the INI file.
//!
//! ```ini
//! [loggers]
//! keys=root,app
//!
//! [handlers]
//! keys=console,file
//!
//! [formatters]
//! keys=simple
//!
//! [logger_root]
//! level=WARNING
//! handlers=console
//!
//! [logger_app]
//! level=DEBUG
//! handlers=file
//! propagate=0
//! qualname=app
//!
//! [handler_console]
//! class=StreamHandler
//! formatter=simple
//! args=(sys.stdout,)
//!
//! [handler_file]
//! class=handlers.RotatingFileHandler
//! level=INFO
//! formatter=simple
//! args=('app.log', 'a', 1000000, 5)
//! kwargs={'encoding': 'utf-8'}
//!
//! [formatter_simple]
//! format=%(asctime)s %(levelname)s %(name)s: %(message)s
//! datefmt=%H:%M:%S
//! ```
//!
//! As CPython 3.13 reads them (`configparser.ConfigParser`, then
//! `fileConfig`): option names are case-insensitive; `key = value` and
//! `key: value`; `#` and `;` start comment lines; indented lines continue a
//! value; `[DEFAULT]` options are seen by every section; `%(name)s`
//! interpolation (`%%` for `%`) applies to every option but a formatter's
//! `format`, `datefmt`, `style` and `defaults`, which are read raw. A
//! handler's `class` is looked up in `logging` first (`StreamHandler`,
//! `handlers.RotatingFileHandler`), then as a dotted name (registered
//! factories). `args` and `kwargs` are Python literals: strings, numbers,
//! `True`/`False`/`None`, tuples, lists, dicts, `sys.stdout`, `sys.stderr`,
//! `os.devnull` and the level names (`ERROR`); `args` items are given the
//! names of the class's parameters. Sections no `keys=` list names are
//! ignored, as in Python; an option a section does not use is an error
//! (Python ignores it).

use crate::error::Problem;
use crate::tree::{Node, Pos, Value};

/// One option: its name (lowercased), where the name and value are, and
/// the value as written (continuation lines joined with `\n`).
#[derive(Debug, Clone)]
struct Opt {
    name: String,
    key_pos: Pos,
    value_pos: Pos,
    value: String,
}

/// One `[section]`.
#[derive(Debug, Clone)]
struct Section {
    name: String,
    pos: Pos,
    options: Vec<Opt>,
}

/// The positional parameters of each handler class `args` may fill.
const POSITIONAL: &[(&str, &[&str])] = &[
    ("logging.StreamHandler", &["stream"]),
    (
        "logging.FileHandler",
        &["filename", "mode", "encoding", "delay", "errors"],
    ),
    (
        "logging.handlers.WatchedFileHandler",
        &["filename", "mode", "encoding", "delay", "errors"],
    ),
    (
        "logging.handlers.RotatingFileHandler",
        &[
            "filename",
            "mode",
            "maxBytes",
            "backupCount",
            "encoding",
            "delay",
            "errors",
        ],
    ),
    (
        "logging.handlers.TimedRotatingFileHandler",
        &[
            "filename",
            "when",
            "interval",
            "backupCount",
            "encoding",
            "delay",
            "utc",
            "atTime",
            "errors",
        ],
    ),
    ("logging.NullHandler", &[]),
    (
        "logging.handlers.SysLogHandler",
        &["address", "facility", "socktype"],
    ),
    (
        "logging.handlers.MemoryHandler",
        &["capacity", "flushLevel", "target", "flushOnClose"],
    ),
    ("logging.handlers.QueueHandler", &["queue"]),
];

/// Whether `text` looks like an INI file: its first line that is not blank
/// or a comment is a `[section]` header.
pub(crate) fn sniff(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .is_some_and(|l| l.starts_with('[') && l.ends_with(']') && !l.contains(','))
}

fn pos(line: usize, column: usize) -> Pos {
    Pos {
        line: line as u64,
        column: column as u64,
    }
}

/// configparser's reading: sections and options, or the first syntax error.
fn sections(text: &str) -> Result<Vec<Section>, Problem> {
    let mut out: Vec<Section> = Vec::new();
    let mut last_indent: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.is_empty() {
            // A blank line inside a value is kept (configparser keeps
            // empty lines in values), but ends nothing here.
            if let Some(section) = out.last_mut()
                && let Some(opt) = section.options.last_mut()
                && last_indent.is_some()
            {
                opt.value.push('\n');
            }
            continue;
        }
        // A continuation line: indented deeper than the option's line.
        if let Some(cur) = last_indent
            && indent > cur
            && let Some(section) = out.last_mut()
            && let Some(opt) = section.options.last_mut()
        {
            if !opt.value.is_empty() {
                opt.value.push('\n');
            }
            opt.value.push_str(trimmed);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[')
            && let Some(name) = rest.strip_suffix(']')
        {
            let at = pos(line_no, indent + 1);
            if let Some(first) = out.iter().find(|s| s.name == name) {
                return Err(Problem::at(
                    at,
                    "",
                    format!(
                        "invalid INI: section `[{name}]` is already defined on line {}",
                        first.pos.line
                    ),
                ));
            }
            out.push(Section {
                name: name.to_owned(),
                pos: at,
                options: Vec::new(),
            });
            last_indent = None;
            continue;
        }
        let Some(section) = out.last_mut() else {
            return Err(Problem::at(
                pos(line_no, indent + 1),
                "",
                "invalid INI: an option before the first `[section]` header".to_owned(),
            ));
        };
        let Some(split) = trimmed.find(['=', ':']) else {
            return Err(Problem::at(
                pos(line_no, indent + 1),
                "",
                format!(
                    "invalid INI: expected `key = value`, found `{}`",
                    crate::args::show(trimmed)
                ),
            ));
        };
        let name = trimmed[..split].trim_end().to_lowercase();
        let after = &trimmed[split + 1..];
        let value = after.trim_start();
        let value_col = indent + split + 1 + (after.len() - value.len()) + 1;
        let key_pos = pos(line_no, indent + 1);
        if let Some(first) = section.options.iter().find(|o| o.name == name) {
            return Err(Problem::at(
                key_pos,
                "",
                format!(
                    "invalid INI: option `{name}` of `[{}]` is already set on line {}",
                    section.name, first.key_pos.line
                ),
            ));
        }
        section.options.push(Opt {
            name,
            key_pos,
            value_pos: pos(line_no, value_col),
            value: value.to_owned(),
        });
        last_indent = Some(indent);
    }
    for section in &mut out {
        for opt in &mut section.options {
            let kept = opt.value.trim_end_matches('\n').len();
            opt.value.truncate(kept);
        }
    }
    Ok(out)
}

/// The INI text read into a dictConfig tree, and the problems found on the
/// way (the tree leaves out what they concern).
pub(crate) fn parse(text: &str) -> Result<(Node, Vec<Problem>), Problem> {
    let sections = sections(text)?;
    let mut reader = Reader {
        sections,
        problems: Vec::new(),
    };
    let root = reader.tree();
    Ok((root, reader.problems))
}

struct Reader {
    sections: Vec<Section>,
    problems: Vec<Problem>,
}

fn node(pos: Pos, value: Value) -> Node {
    Node { pos, value }
}

fn key(pos: Pos, name: &str) -> Node {
    node(pos, Value::Str(name.to_owned()))
}

impl Reader {
    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// An option of `section`, or of `[DEFAULT]`.
    fn opt(&self, section: &Section, name: &str) -> Option<Opt> {
        section
            .options
            .iter()
            .find(|o| o.name == name)
            .or_else(|| {
                self.section("DEFAULT")?
                    .options
                    .iter()
                    .find(|o| o.name == name)
            })
            .cloned()
    }

    fn report(&mut self, at: Pos, path: &str, message: String, help: Option<String>) {
        crate::args::report(&mut self.problems, at, path, message, help);
    }

    /// configparser's `BasicInterpolation` of `opt` in `section`.
    fn interpolate(&mut self, section: &Section, opt: &Opt, _path: &str) -> Option<String> {
        let mut out = String::new();
        let path = format!("[{}] {}", section.name, opt.name);
        if self.expand(section, &opt.value, &mut out, 0, opt, &path) {
            Some(out)
        } else {
            None
        }
    }

    fn expand(
        &mut self,
        section: &Section,
        value: &str,
        out: &mut String,
        depth: usize,
        opt: &Opt,
        path: &str,
    ) -> bool {
        if depth > 10 {
            let message = format!(
                "`{}` refers to itself through `%(...)s` too deeply",
                opt.name
            );
            self.report(opt.value_pos, path, message, None);
            return false;
        }
        let mut rest = value;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(tail) = after.strip_prefix('%') {
                out.push('%');
                rest = tail;
            } else if let Some(inner) = after.strip_prefix('(')
                && let Some(close) = inner.find(")s")
            {
                let name = inner[..close].to_lowercase();
                let Some(found) = self.opt(section, &name) else {
                    let message = format!(
                        "`%({name})s` names no option of `[{}]` or `[DEFAULT]`",
                        section.name
                    );
                    let help = "write `%%` for a literal `%`".to_owned();
                    self.report(opt.value_pos, path, message, Some(help));
                    return false;
                };
                if !self.expand(section, &found.value, out, depth + 1, opt, path) {
                    return false;
                }
                rest = &inner[close + 2..];
            } else {
                let message =
                    "a `%` must be followed by `%` or `(name)s` (configparser's interpolation)"
                        .to_owned();
                let help = "write `%%` for a literal `%`".to_owned();
                self.report(opt.value_pos, path, message, Some(help));
                return false;
            }
        }
        out.push_str(rest);
        true
    }

    /// A comma-separated `keys=` list (or `handlers=`), each with its place.
    fn names(&self, opt: &Opt) -> Vec<(String, Pos)> {
        let mut out = Vec::new();
        if opt.value.contains('\n') {
            for name in opt
                .value
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                out.push((name.to_owned(), opt.value_pos));
            }
            return out;
        }
        let mut offset = 0;
        for part in opt.value.split(',') {
            let name = part.trim();
            let leading = part.len() - part.trim_start().len();
            if !name.is_empty() {
                let at = Pos {
                    line: opt.value_pos.line,
                    column: opt.value_pos.column + (offset + leading) as u64,
                };
                out.push((name.to_owned(), at));
            }
            offset += part.len() + 1;
        }
        out
    }

    /// The `keys=` of a required list section (`[loggers]`...).
    fn keys(&mut self, name: &str) -> Vec<(String, Pos)> {
        let Some(section) = self.section(name).cloned() else {
            let message = format!("missing section `[{name}]`");
            let help = format!("fileConfig needs `[{name}]` with `keys=` (empty for none)");
            self.report(Pos::default(), &format!("[{name}]"), message, Some(help));
            return Vec::new();
        };
        self.unknown(&section, &["keys"]);
        match section.options.iter().find(|o| o.name == "keys") {
            Some(opt) => self.names(opt),
            None => {
                let message = format!("missing option `keys` in `[{name}]`");
                self.report(section.pos, &format!("[{name}]"), message, None);
                Vec::new()
            }
        }
    }

    /// Reports the options of `section` that fileConfig does not read.
    fn unknown(&mut self, section: &Section, known: &[&str]) {
        for opt in &section.options {
            if known.contains(&opt.name.as_str()) {
                continue;
            }
            let help = crate::suggest::did_you_mean(&opt.name, known.iter().copied())
                .unwrap_or_else(|| crate::suggest::one_of(known));
            let message = format!(
                "unknown option `{}` in `[{}]`",
                crate::args::show(&opt.name),
                section.name
            );
            self.report(
                opt.key_pos,
                &format!("[{}] {}", section.name, opt.name),
                message,
                Some(help),
            );
        }
    }

    /// The section `[{prefix}_{name}]` a `keys=` entry at `at` names.
    fn member(&mut self, prefix: &str, name: &str, at: Pos) -> Option<Section> {
        let wanted = format!("{prefix}_{name}");
        let found = self.section(&wanted).cloned();
        if found.is_none() {
            let message = format!("`{name}` is listed but there is no section `[{wanted}]`");
            self.report(at, &format!("[{prefix}s] keys"), message, None);
        }
        found
    }

    fn tree(&mut self) -> Node {
        let top = Pos { line: 1, column: 1 };
        let mut entries = vec![(key(top, "version"), node(top, Value::Int(1)))];
        let formatters = self.keys("formatters");
        let handlers = self.keys("handlers");
        let loggers = self.keys("loggers");

        let mut section_nodes = Vec::new();
        for (name, at) in &formatters {
            if let Some(s) = self.member("formatter", name, *at) {
                let value = self.formatter(&s, name);
                section_nodes.push((key(s.pos, name), value));
            }
        }
        entries.push((key(top, "formatters"), node(top, Value::Map(section_nodes))));

        let mut section_nodes = Vec::new();
        for (name, at) in &handlers {
            if let Some(s) = self.member("handler", name, *at) {
                let value = self.handler(&s, name);
                section_nodes.push((key(s.pos, name), value));
            }
        }
        entries.push((key(top, "handlers"), node(top, Value::Map(section_nodes))));

        let mut logger_nodes = Vec::new();
        let mut root = None;
        let mut has_root = false;
        for (name, at) in &loggers {
            let Some(s) = self.member("logger", name, *at) else {
                has_root |= name == "root";
                continue;
            };
            if name == "root" {
                has_root = true;
                root = Some(self.logger(&s, true));
            } else if let Some((qualname, qpos)) = self.qualname(&s) {
                let value = self.logger(&s, false);
                logger_nodes.push((key(qpos, &qualname), value));
            }
        }
        if !has_root && let Some(section) = self.section("loggers").cloned() {
            let at = section
                .options
                .iter()
                .find(|o| o.name == "keys")
                .map_or(section.pos, |o| o.value_pos);
            let message = "`[loggers]` keys must list `root`".to_owned();
            self.report(
                at,
                "[loggers] keys",
                message,
                Some("add `root` and a `[logger_root]` section".into()),
            );
        }
        entries.push((key(top, "loggers"), node(top, Value::Map(logger_nodes))));
        if let Some(root) = root {
            entries.push((key(top, "root"), root));
        }
        node(top, Value::Map(entries))
    }

    fn qualname(&mut self, s: &Section) -> Option<(String, Pos)> {
        let path = s.name.clone();
        match self.opt(s, "qualname") {
            Some(opt) => {
                let value = self.interpolate(s, &opt, &path)?;
                Some((value, opt.value_pos))
            }
            None => {
                let message = format!("missing option `qualname` in `[{}]`", s.name);
                let help = "`qualname` is the logger's name (`qualname=app.db`)".to_owned();
                self.report(s.pos, &format!("[{}]", s.name), message, Some(help));
                None
            }
        }
    }

    fn logger(&mut self, s: &Section, root: bool) -> Node {
        let known: &[&str] = if root {
            &["level", "handlers"]
        } else {
            &["level", "handlers", "propagate", "qualname"]
        };
        self.unknown(s, known);
        let mut entries = Vec::new();
        if let Some(opt) = self.opt(s, "level")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
        {
            entries.push((key(opt.key_pos, "level"), level(opt.value_pos, &v)));
        }
        match self.opt(s, "handlers") {
            Some(opt) => {
                let items = self
                    .names(&opt)
                    .into_iter()
                    .map(|(name, at)| node(at, Value::Str(name)))
                    .collect();
                entries.push((
                    key(opt.key_pos, "handlers"),
                    node(opt.value_pos, Value::Seq(items)),
                ));
            }
            None => {
                let message = format!("missing option `handlers` in `[{}]`", s.name);
                let help = "write `handlers=` (empty for none)".to_owned();
                self.report(s.pos, &format!("[{}]", s.name), message, Some(help));
            }
        }
        if !root
            && let Some(opt) = self.opt(s, "propagate")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
        {
            // `getint`: Python's `int()` of the text.
            match v.trim().parse::<i128>() {
                Ok(n) => entries.push((
                    key(opt.key_pos, "propagate"),
                    node(opt.value_pos, Value::Int(n)),
                )),
                Err(_) => {
                    let message = format!(
                        "`propagate` must be an integer, found `{}`",
                        crate::args::show(&v)
                    );
                    self.report(
                        opt.value_pos,
                        &format!("[{}] propagate", s.name),
                        message,
                        Some("write `propagate=0` or `propagate=1`".into()),
                    );
                }
            }
        }
        node(s.pos, Value::Map(entries))
    }

    fn formatter(&mut self, s: &Section, _name: &str) -> Node {
        self.unknown(
            s,
            &[
                "format", "datefmt", "style", "defaults", "class", "validate",
            ],
        );
        let mut entries = Vec::new();
        for name in ["format", "datefmt", "style"] {
            if let Some(opt) = self.opt(s, name) {
                entries.push((
                    key(opt.key_pos, name),
                    node(opt.value_pos, Value::Str(opt.value.clone())),
                ));
            }
        }
        if let Some(opt) = self.opt(s, "defaults")
            && let Some(value) = self.literal(&opt, &opt.value.clone(), &s.name)
        {
            entries.push((key(opt.key_pos, "defaults"), value));
        }
        if let Some(opt) = self.opt(s, "validate") {
            // fileConfig does not pass `validate`; read it as dictConfig does.
            entries.push((
                key(opt.key_pos, "validate"),
                node(opt.value_pos, Value::Str(opt.value.clone())),
            ));
        }
        if let Some(opt) = self.opt(s, "class")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
        {
            entries.push((
                key(opt.key_pos, "class"),
                node(opt.value_pos, Value::Str(v)),
            ));
        }
        node(s.pos, Value::Map(entries))
    }

    fn handler(&mut self, s: &Section, _name: &str) -> Node {
        self.unknown(
            s,
            &["class", "level", "formatter", "args", "kwargs", "target"],
        );
        let mut entries = Vec::new();
        let mut class = None;
        match self.opt(s, "class") {
            Some(opt) => {
                if let Some(v) = self.interpolate(s, &opt, &s.name) {
                    let full = class_name(v.trim());
                    class = Some(full.clone());
                    entries.push((
                        key(opt.key_pos, "class"),
                        node(opt.value_pos, Value::Str(full)),
                    ));
                }
            }
            None => {
                let message = format!("missing option `class` in `[{}]`", s.name);
                self.report(
                    s.pos,
                    &format!("[{}]", s.name),
                    message,
                    Some("e.g. `class=StreamHandler`".into()),
                );
            }
        }
        if let Some(opt) = self.opt(s, "level")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
        {
            entries.push((key(opt.key_pos, "level"), level(opt.value_pos, &v)));
        }
        if let Some(opt) = self.opt(s, "formatter")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
            && !v.is_empty()
        {
            entries.push((
                key(opt.key_pos, "formatter"),
                node(opt.value_pos, Value::Str(v)),
            ));
        }
        if let Some(opt) = self.opt(s, "target")
            && let Some(v) = self.interpolate(s, &opt, &s.name)
            && !v.is_empty()
        {
            entries.push((
                key(opt.key_pos, "target"),
                node(opt.value_pos, Value::Str(v)),
            ));
        }
        if let Some(opt) = self.opt(s, "args")
            && let Some(text) = self.interpolate(s, &opt, &s.name)
            && let Some(value) = self.literal(&opt, &text, &s.name)
        {
            match value.value {
                Value::Seq(items) => {
                    let params = class
                        .as_deref()
                        .and_then(|c| POSITIONAL.iter().find(|(n, _)| *n == c))
                        .map(|(_, p)| *p);
                    match params {
                        Some(params) if items.len() <= params.len() => {
                            for (param, item) in params.iter().zip(items) {
                                entries.push((key(item.pos, param), item));
                            }
                        }
                        Some(params) => {
                            let message = format!(
                                "`{}` takes at most {} positional argument{} ({}), found {}",
                                class.as_deref().unwrap_or(""),
                                params.len(),
                                if params.len() == 1 { "" } else { "s" },
                                params.join(", "),
                                items.len()
                            );
                            self.report(
                                opt.value_pos,
                                &format!("[{}] args", s.name),
                                message,
                                None,
                            );
                        }
                        None if items.is_empty() => {}
                        None => {
                            let message = format!(
                                "positional `args` for `{}` cannot be named",
                                class.as_deref().unwrap_or("")
                            );
                            let help = "pass them by name in `kwargs={...}`".to_owned();
                            self.report(
                                opt.value_pos,
                                &format!("[{}] args", s.name),
                                message,
                                Some(help),
                            );
                        }
                    }
                }
                _ => {
                    let message = "`args` must be a tuple".to_owned();
                    let help = "a one-item tuple needs a comma: `args=(sys.stdout,)`".to_owned();
                    self.report(
                        opt.value_pos,
                        &format!("[{}] args", s.name),
                        message,
                        Some(help),
                    );
                }
            }
        }
        if let Some(opt) = self.opt(s, "kwargs")
            && let Some(text) = self.interpolate(s, &opt, &s.name)
            && let Some(value) = self.literal(&opt, &text, &s.name)
        {
            match value.value {
                Value::Map(items) => entries.extend(items),
                _ => {
                    let message = "`kwargs` must be a dict (`{'encoding': 'utf-8'}`)".to_owned();
                    self.report(
                        opt.value_pos,
                        &format!("[{}] kwargs", s.name),
                        message,
                        None,
                    );
                }
            }
        }
        node(s.pos, Value::Map(entries))
    }

    /// A Python literal written in `opt` (its text after interpolation).
    fn literal(&mut self, opt: &Opt, text: &str, section: &str) -> Option<Node> {
        let exact = text == opt.value && !text.contains('\n');
        let mut parser = Literal {
            text,
            at: 0,
            base: opt.value_pos,
            exact,
        };
        let result = parser.expr(0).and_then(|v| {
            parser.space();
            if parser.at < text.len() {
                Err((parser.at, "unexpected text after the value".to_owned()))
            } else {
                Ok(v)
            }
        });
        match result {
            Ok(v) => Some(v),
            Err((offset, message)) => {
                let at = parser.place(offset);
                let help = "logconf reads Python literals: strings, numbers, True/False/None, tuples, lists, dicts, sys.stdout, sys.stderr".to_owned();
                self.report(
                    at,
                    &format!("[{section}] {}", opt.name),
                    message,
                    Some(help),
                );
                None
            }
        }
    }
}

/// A handler class as fileConfig finds it: a name in `logging` first.
fn class_name(name: &str) -> String {
    if name.starts_with("logging.") {
        return name.to_owned();
    }
    if !name.contains('.') || name.starts_with("handlers.") {
        return format!("logging.{name}");
    }
    name.to_owned()
}

/// A level option: a name, as Python's `setLevel` reads a string (`30` in
/// a string is no level there, nor here).
fn level(at: Pos, text: &str) -> Node {
    node(at, Value::Str(text.trim().to_owned()))
}

/// A small parser of Python literals, placing each value in the INI file.
struct Literal<'t> {
    text: &'t str,
    at: usize,
    base: Pos,
    /// Whether byte offsets map to columns of the value's line.
    exact: bool,
}

type Parsed = Result<Node, (usize, String)>;

impl Literal<'_> {
    fn place(&self, offset: usize) -> Pos {
        if !self.exact {
            return self.base;
        }
        let chars = self.text.get(..offset).map_or(0, |s| s.chars().count());
        Pos {
            line: self.base.line,
            column: self.base.column + chars as u64,
        }
    }

    fn space(&mut self) {
        while let Some(c) = self.text[self.at..].chars().next()
            && c.is_whitespace()
        {
            self.at += c.len_utf8();
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn expr(&mut self, depth: usize) -> Parsed {
        if depth > 8 {
            return Err((self.at, "nested too deeply".into()));
        }
        self.space();
        let start = self.at;
        let at = self.place(start);
        match self.peek() {
            None => Err((start, "expected a value".into())),
            Some('(') => self.sequence(')', depth, true),
            Some('[') => self.sequence(']', depth, false),
            Some('{') => self.dict(depth),
            Some('\'' | '"') => {
                let mut s = self.string()?;
                // Adjacent literals concatenate, as in Python.
                loop {
                    self.space();
                    match self.peek() {
                        Some('\'' | '"') => s.push_str(&self.string()?),
                        _ => break,
                    }
                }
                Ok(node(at, Value::Str(s)))
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                let end = self.text[start..]
                    .find(|c: char| {
                        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
                    })
                    .map_or(self.text.len(), |n| start + n);
                let word = self.text[start..end].replace('_', "");
                self.at = end;
                if let Ok(n) = word.parse::<i128>() {
                    Ok(node(at, Value::Int(n)))
                } else if let Some(hex) = word
                    .strip_prefix("0x")
                    .and_then(|h| i128::from_str_radix(h, 16).ok())
                {
                    Ok(node(at, Value::Int(hex)))
                } else if let Some(oct) = word
                    .strip_prefix("0o")
                    .and_then(|h| i128::from_str_radix(h, 8).ok())
                {
                    Ok(node(at, Value::Int(oct)))
                } else if let Ok(f) = word.parse::<f64>() {
                    Ok(node(at, Value::Float(f)))
                } else {
                    Err((
                        start,
                        format!("`{}` is not a number", crate::args::show(&word)),
                    ))
                }
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let end = self.text[start..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .map_or(self.text.len(), |n| start + n);
                let word = &self.text[start..end];
                self.at = end;
                let value = match word.strip_prefix("logging.").unwrap_or(word) {
                    "True" => Value::Bool(true),
                    "False" => Value::Bool(false),
                    "None" => Value::Null,
                    "sys.stdout" => Value::Str("ext://sys.stdout".into()),
                    "sys.stderr" => Value::Str("ext://sys.stderr".into()),
                    "os.devnull" => Value::Str("ext://os.devnull".into()),
                    "CRITICAL" | "FATAL" => Value::Int(50),
                    "ERROR" => Value::Int(40),
                    "WARNING" | "WARN" => Value::Int(30),
                    "INFO" => Value::Int(20),
                    "DEBUG" => Value::Int(10),
                    "NOTSET" => Value::Int(0),
                    _ => {
                        return Err((
                            start,
                            format!(
                                "`{}` is not a value logconf can read",
                                crate::args::show(word)
                            ),
                        ));
                    }
                };
                Ok(node(at, value))
            }
            Some(c) => Err((start, format!("unexpected `{c}`"))),
        }
    }

    fn string(&mut self) -> Result<String, (usize, String)> {
        let start = self.at;
        let Some(quote) = self.peek() else {
            return Err((start, "expected a string".into()));
        };
        self.at += 1;
        let mut out = String::new();
        let mut chars = self.text[self.at..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.at += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, 'r')) => out.push('\r'),
                    Some((_, '0')) => out.push('\0'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '\'')) => out.push('\''),
                    Some((_, '"')) => out.push('"'),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err((start, "unterminated string".into()))
    }

    fn sequence(&mut self, close: char, depth: usize, tuple: bool) -> Parsed {
        let start = self.at;
        let at = self.place(start);
        self.at += 1;
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            self.space();
            if self.peek() == Some(close) {
                self.at += 1;
                break;
            }
            items.push(self.expr(depth + 1)?);
            self.space();
            match self.peek() {
                Some(',') => {
                    comma = true;
                    self.at += 1;
                }
                Some(c) if c == close => {}
                _ => return Err((self.at, format!("expected `,` or `{close}`"))),
            }
        }
        // `(x)` is x, not a tuple.
        if tuple && items.len() == 1 && !comma {
            return items.pop().ok_or((start, "expected a value".into()));
        }
        Ok(node(at, Value::Seq(items)))
    }

    fn dict(&mut self, depth: usize) -> Parsed {
        let at = self.place(self.at);
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.space();
            if self.peek() == Some('}') {
                self.at += 1;
                break;
            }
            let k = self.expr(depth + 1)?;
            if !matches!(k.value, Value::Str(_)) {
                return Err((self.at, "dict keys must be strings".into()));
            }
            self.space();
            if self.peek() != Some(':') {
                return Err((self.at, "expected `:`".into()));
            }
            self.at += 1;
            let v = self.expr(depth + 1)?;
            items.push((k, v));
            self.space();
            match self.peek() {
                Some(',') => self.at += 1,
                Some('}') => {}
                _ => return Err((self.at, "expected `,` or `}`".into())),
            }
        }
        Ok(node(at, Value::Map(items)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(node: &Node) -> &[(Node, Node)] {
        match &node.value {
            Value::Map(m) => m,
            other => panic!("{other:?}"),
        }
    }

    fn get<'n>(node: &'n Node, name: &str) -> &'n Node {
        match map(node)
            .iter()
            .find(|(k, _)| k.value == Value::Str(name.into()))
        {
            Some((_, v)) => v,
            None => panic!("no {name} in {node:?}"),
        }
    }

    #[test]
    fn reads_sections_args_and_places() {
        let text = "[loggers]\nkeys=root, app\n\n[handlers]\nkeys = h\n\n[formatters]\nkeys=\n\n[logger_root]\nlevel=INFO\nhandlers=h\n\n[logger_app]\nhandlers=\nqualname=app.db\npropagate=0\n\n[handler_h]\nclass=handlers.RotatingFileHandler\nargs=('%(dir)s/a.log', 'a', 10,\n  2)\nkwargs={'encoding': 'utf-8'}\ndir=logs\n";
        let (root, problems) = match parse(text) {
            Ok(r) => r,
            Err(p) => panic!("{p}"),
        };
        assert!(
            problems
                .iter()
                .any(|p| p.message().contains("unknown option `dir`")),
            "{problems:?}"
        );
        let h = get(get(&root, "handlers"), "h");
        assert_eq!(
            get(h, "class").value,
            Value::Str("logging.handlers.RotatingFileHandler".into())
        );
        assert_eq!(get(h, "filename").value, Value::Str("logs/a.log".into()));
        assert_eq!(get(h, "backupCount").value, Value::Int(2));
        assert_eq!(get(h, "encoding").value, Value::Str("utf-8".into()));
        let app = get(get(&root, "loggers"), "app.db");
        assert_eq!(get(app, "propagate").value, Value::Int(0));
        assert_eq!(get(app, "handlers").value, Value::Seq(Vec::new()));
        let root_logger = get(&root, "root");
        let handlers = get(root_logger, "handlers");
        let Value::Seq(items) = &handlers.value else {
            panic!()
        };
        assert_eq!((items[0].pos.line, items[0].pos.column), (12, 10));
        // The second name of `keys=root, app` is at column 12.
        assert!(sniff(text));
        assert!(!sniff("version: 1\n"));
    }

    #[test]
    fn literals() {
        let opt = Opt {
            name: "args".into(),
            key_pos: Pos::default(),
            value_pos: Pos { line: 3, column: 6 },
            value: "(sys.stdout,)".into(),
        };
        let mut r = Reader {
            sections: Vec::new(),
            problems: Vec::new(),
        };
        let v = r.literal(&opt, "(sys.stdout,)", "x").map(|n| n.value);
        assert_eq!(
            v,
            Some(Value::Seq(vec![node(
                Pos { line: 3, column: 7 },
                Value::Str("ext://sys.stdout".into())
            )]))
        );
        let v = r.literal(
            &opt,
            "('a' \"b\", -1, 2.5, True, None, [ERROR], {'k': ()})",
            "x",
        );
        assert!(v.is_some(), "{:?}", r.problems);
        assert!(r.literal(&opt, "(open('x'),)", "x").is_none());
        assert!(
            r.problems[0].message().contains("`open` is not a value"),
            "{:?}",
            r.problems
        );
    }
}
