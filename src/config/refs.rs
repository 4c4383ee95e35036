//! `cfg://` and `ext://` references, resolved over the spanned tree before
//! it is checked: Python's `BaseConfigurator.convert`, `cfg_convert` and
//! `ext_convert`.
//!
//! # Which strings are references
//!
//! A string value (never a key) that matches CPython's
//! `^(?P<prefix>[a-z]+)://(?P<suffix>.*)$` with the prefix `cfg` or `ext`.
//! Other prefixes (`https://...`) and other cases (`CFG://`) are text, as in
//! Python. Python converts a value when dictConfig reads it; logconf
//! resolves every value of the sections dictConfig reads (`version`,
//! `formatters`, `handlers`, ...) and, in other top-level sections, only
//! what a reference reaches: a broken reference in a part of `paths:` that
//! nothing reads is not an error, as in Python.
//!
//! # `cfg://`
//!
//! `cfg://WORD` then any number of `.WORD` and `[INDEX]` steps (white space
//! after each step allowed), read exactly as `cfg_convert` reads them:
//! `WORD` is a top-level key; `.WORD` a key of a mapping; `[INDEX]` an item
//! of a list when `INDEX` is digits, else a key of a mapping. Digits on a
//! mapping look for an integer key (`{0: a}`), as Python's `d[0]` does;
//! digits on a string take one character. A reference to a reference is
//! followed. The value put in place of the reference is the whole value
//! reached (a string, a number, a whole section), and keeps the place of
//! the reference, so the checker's problems point at the line that uses it.
//!
//! A top-level section that a reference reads is data: it is not an unknown
//! key ([`Resolved::data_keys`]).
//!
//! Problems, each at the reference: a step that cannot be read (a missing
//! key, an item past the end, a step into a string or number), text that is
//! not a reference path, a reference that leads back to itself (a cycle;
//! Python would recurse until `RecursionError`), references nested more
//! than [`MAX_REF_DEPTH`] deep, and references that expand to more than
//! [`MAX_NODES`] values (a reference bomb).
//!
//! # `ext://`
//!
//! Python imports any object. logconf knows three, each valid in one place
//! (the place the value ends up in, after `cfg://` references are resolved):
//!
//! | reference | valid as | becomes |
//! |---|---|---|
//! | `ext://sys.stdout`, `ext://sys.stderr`, `ext://test` | a handler's `stream` | the stream (the checker reads the text) |
//! | `ext://os.devnull` | a handler's `filename` | the null device, `/dev/null` (`nul` on Windows) |
//!
//! Any other `ext://`, or one of these elsewhere, is a problem naming it.
//!
//! # Differences from Python
//!
//! - References read the config as written. dictConfig replaces each
//!   formatter's and handler's entry by the object it built as it goes, so
//!   in Python `cfg://handlers.g.filename` only works from a handler that
//!   sorts before `g`, and `cfg://formatters.f.format` never does; in
//!   logconf both read the text.
//! - A cycle is a load error, not a `RecursionError` or a self-containing
//!   structure.
//! - A reference inside a formatter's `defaults:` is resolved; Python
//!   copies `defaults` without converting its values, so it prints the text.

use std::collections::BTreeSet;

use crate::error::Problem;
use crate::suggest::did_you_mean;
use crate::tree::{Node, Pos, Value};

/// The deepest chain of references (and of the mappings and lists they
/// bring along) followed.
pub(crate) const MAX_REF_DEPTH: usize = 64;

/// The most values the resolved sections may hold (a dictConfig has a few
/// hundred; references can multiply them).
pub(crate) const MAX_NODES: usize = 1_000_000;

/// The null device, what `ext://os.devnull` names.
#[cfg(windows)]
const DEVNULL: &str = "nul";
/// The null device, what `ext://os.devnull` names.
#[cfg(not(windows))]
const DEVNULL: &str = "/dev/null";

/// The `ext://` objects logconf knows.
const EXT_KNOWN: [&str; 4] = [
    "ext://sys.stdout",
    "ext://sys.stderr",
    "ext://test",
    "ext://os.devnull",
];

/// The tree with every reference resolved.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The document, references replaced by the values they name.
    pub(crate) root: Node,
    /// Top-level keys outside the schema that a reference reads: data,
    /// not unknown keys.
    pub(crate) data_keys: BTreeSet<String>,
    /// Every problem found, in the order found.
    pub(crate) problems: Vec<Problem>,
    /// The references expanded past [`MAX_NODES`]: the tree is cut short,
    /// not worth checking.
    pub(crate) exhausted: bool,
}

/// Resolves the references in `root`. `schema` lists the top-level keys
/// dictConfig reads: their values are resolved; other top-level values are
/// kept as written and only read through references.
///
/// A reference that cannot be resolved is reported and left as its text,
/// so the checker can still report the rest of the config.
pub(crate) fn resolve(root: Node, schema: &[&str]) -> Resolved {
    if !mentions_reference(&root) {
        return Resolved {
            root,
            data_keys: BTreeSet::new(),
            problems: Vec::new(),
            exhausted: false,
        };
    }
    let mut r = Resolver {
        root: &root,
        data_keys: BTreeSet::new(),
        problems: Vec::new(),
        stack: Vec::new(),
        produced: 0,
        over_budget: false,
    };
    let mut out = match &root.value {
        Value::Map(entries) => {
            let mut resolved = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let top = match &key.value {
                    Value::Str(k) => Some(k.as_str()),
                    _ => None,
                };
                let value = match top {
                    Some(k) if schema.contains(&k) => r.deep_or_keep(value, &key_path("", k)),
                    _ => value.clone(),
                };
                resolved.push((key.clone(), value));
            }
            Node {
                pos: root.pos,
                value: Value::Map(resolved),
            }
        }
        _ => root.clone(),
    };
    let Resolver {
        mut data_keys,
        mut problems,
        over_budget: exhausted,
        ..
    } = r;
    data_keys.retain(|k| !schema.contains(&k.as_str()));
    externals(&mut out, schema, &mut problems);
    Resolved {
        root: out,
        data_keys,
        problems,
        exhausted,
    }
}

/// Whether any string value in the tree starts like a reference (a quick
/// scan, so configs without references are not copied).
fn mentions_reference(root: &Node) -> bool {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Str(s) if converter(s).is_some() => return true,
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    false
}

/// Which reference a string is: `(prefix, suffix)` for `cfg` and `ext`, as
/// CPython's `CONVERT_PATTERN` splits it (`.` stops at a newline; `$` may
/// match before a final newline).
fn converter(s: &str) -> Option<(&str, &str)> {
    let (prefix, rest) = s.split_once("://")?;
    if !matches!(prefix, "cfg" | "ext") {
        return None;
    }
    let suffix = rest.strip_suffix('\n').unwrap_or(rest);
    if suffix.contains('\n') {
        return None;
    }
    Some((prefix, suffix))
}

/// `parent.name` or `name`, quoted as the checker's key paths are.
fn key_path(parent: &str, name: &str) -> String {
    crate::args::join(parent, name)
}

/// A value cut short for a message.
fn show(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}

/// One step of a `cfg://` path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// `.word` (or the first word): a key.
    Key(String),
    /// `[text]`: an item number when `text` is digits, else a key.
    Index(String),
}

/// Python's `\w`, near enough: letters, digits (of any script) and `_`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits a `cfg://` suffix into steps as `cfg_convert`'s patterns do; the
/// error is the text that could not be read.
fn parse_path(suffix: &str) -> Result<Vec<Step>, String> {
    let word = |s: &str| -> Option<(String, usize)> {
        let end = s.find(|c: char| !is_word(c)).unwrap_or(s.len());
        (end > 0).then(|| (s[..end].to_owned(), end))
    };
    let skip_space = |s: &str| s.len() - s.trim_start().len();
    let mut rest = suffix;
    rest = &rest[skip_space(rest)..];
    let Some((first, n)) = word(rest) else {
        return Err(suffix.to_owned());
    };
    let mut steps = vec![Step::Key(first)];
    rest = &rest[n..];
    rest = &rest[skip_space(rest)..];
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let after = &after[skip_space(after)..];
            let Some((key, n)) = word(after) else {
                return Err(rest.to_owned());
            };
            steps.push(Step::Key(key));
            rest = &after[n..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(close) = after.find([']', '[']) else {
                return Err(rest.to_owned());
            };
            if !after[close..].starts_with(']') {
                return Err(rest.to_owned());
            }
            steps.push(Step::Index(after[..close].to_owned()));
            rest = &after[close + 1..];
        } else {
            return Err(rest.to_owned());
        }
        rest = &rest[skip_space(rest)..];
    }
    Ok(steps)
}

/// Where a path step arrived: a node of the tree, or one character of a
/// string (`cfg://fmt[0]`).
#[derive(Clone, Copy, Debug)]
enum Reached<'r> {
    /// A node of the tree.
    Node(&'r Node),
    /// One character taken out of a string.
    Char(char),
}

/// Why a reference could not be resolved.
enum Fail {
    /// A message for the reference being resolved, and a suggestion.
    Message(String, Option<String>),
    /// The references expand to more than [`MAX_NODES`] values.
    Budget,
}

/// The state of one resolution.
struct Resolver<'r> {
    /// The document as written.
    root: &'r Node,
    /// Top-level keys outside the schema that references read.
    data_keys: BTreeSet<String>,
    /// Problems so far.
    problems: Vec<Problem>,
    /// The nodes being resolved, outermost first, with the reference text
    /// of those that are references (for cycle messages).
    stack: Vec<(*const Node, Option<String>)>,
    /// Values put into the resolved tree so far.
    produced: usize,
    /// The budget ran out (reported once).
    over_budget: bool,
}

impl<'r> Resolver<'r> {
    /// Records a problem, once per place and message.
    fn report(&mut self, pos: Pos, path: &str, message: String, help: Option<String>) {
        let duplicate = self.problems.iter().any(|p| {
            p.line().unwrap_or(0) == pos.line
                && p.column().unwrap_or(0) == pos.column
                && p.message() == message
        });
        if duplicate {
            return;
        }
        let mut p = Problem::new(pos.line, pos.column, path, message);
        if let Some(help) = help {
            p = p.with_help(help);
        }
        self.problems.push(p);
    }

    /// Counts one produced value; past the budget, every reference being
    /// resolved fails up to the outermost one.
    fn spend(&mut self) -> Result<(), Fail> {
        self.produced += 1;
        if self.produced <= MAX_NODES {
            return Ok(());
        }
        Err(Fail::Budget)
    }

    /// Reports the budget running out, once, at the outermost reference.
    fn report_budget(&mut self, pos: Pos, path: &str) {
        if !self.over_budget {
            self.over_budget = true;
            self.report(
                pos,
                path,
                format!("references expand to more than {MAX_NODES} values"),
                Some("is this a reference bomb?".into()),
            );
        }
    }

    /// Enters `node`: a cycle or too deep a chain is an error.
    fn enter(&mut self, node: &'r Node, text: Option<&str>) -> Result<(), Fail> {
        let ptr: *const Node = node;
        if let Some(at) = self.stack.iter().position(|(p, _)| *p == ptr) {
            if text.is_none() {
                // A mapping or list met again: the innermost reference
                // names a value that holds it.
                let inner = self.stack.iter().rev().find_map(|(_, t)| t.as_deref());
                return Err(Fail::Message(
                    format!(
                        "reference cycle: `{}` names a value that holds it",
                        show(inner.unwrap_or("cfg://"))
                    ),
                    None,
                ));
            }
            let mut chain: Vec<String> = self.stack[at..]
                .iter()
                .filter_map(|(_, t)| t.as_ref().map(|t| format!("`{}`", show(t))))
                .collect();
            if let Some(t) = text {
                chain.push(format!("`{}`", show(t)));
            }
            return Err(Fail::Message(
                format!("reference cycle: {}", chain.join(" -> ")),
                Some("a reference cannot lead back to itself".into()),
            ));
        }
        if self.stack.len() >= MAX_REF_DEPTH {
            return Err(Fail::Message(
                format!("references nested more than {MAX_REF_DEPTH} deep"),
                None,
            ));
        }
        self.stack.push((ptr, text.map(str::to_owned)));
        Ok(())
    }

    /// `node` with every reference in it resolved; `path` is where it is
    /// written. A reference that fails is reported at its place and kept as
    /// its text; a mapping or list met again (a cycle through a container)
    /// fails the innermost reference that led to it.
    fn deep(&mut self, node: &'r Node, path: &str) -> Result<Node, Fail> {
        self.spend()?;
        match &node.value {
            Value::Str(s) => match converter(s) {
                Some(("cfg", suffix)) => match self.reference(node, s, suffix) {
                    Ok(resolved) => Ok(resolved),
                    Err(Fail::Budget) if self.stack.iter().any(|(_, t)| t.is_some()) => {
                        Err(Fail::Budget)
                    }
                    Err(Fail::Budget) => {
                        self.report_budget(node.pos, path);
                        Ok(node.clone())
                    }
                    Err(Fail::Message(message, help)) => {
                        let message = format!("cannot resolve `{}`: {message}", show(s));
                        self.report(node.pos, path, message, help);
                        Ok(node.clone())
                    }
                },
                _ => Ok(node.clone()),
            },
            Value::Seq(items) => {
                self.enter(node, None)?;
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match self.deep(item, &format!("{path}[{i}]")) {
                        Ok(item) => out.push(item),
                        Err(fail) => {
                            self.stack.pop();
                            return Err(fail);
                        }
                    }
                }
                self.stack.pop();
                Ok(Node {
                    pos: node.pos,
                    value: Value::Seq(out),
                })
            }
            Value::Map(entries) => {
                self.enter(node, None)?;
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let child = match &key.value {
                        Value::Str(k) => key_path(path, k),
                        other => key_path(path, other.kind()),
                    };
                    match self.deep(value, &child) {
                        Ok(value) => out.push((key.clone(), value)),
                        Err(fail) => {
                            self.stack.pop();
                            return Err(fail);
                        }
                    }
                }
                self.stack.pop();
                Ok(Node {
                    pos: node.pos,
                    value: Value::Map(out),
                })
            }
            _ => Ok(node.clone()),
        }
    }

    /// `deep` for a value written at `path` that no reference brought:
    /// a failure is reported there and the value kept as written.
    fn deep_or_keep(&mut self, node: &'r Node, path: &str) -> Node {
        match self.deep(node, path) {
            Ok(resolved) => resolved,
            Err(Fail::Message(message, help)) => {
                self.report(node.pos, path, message, help);
                node.clone()
            }
            Err(Fail::Budget) => {
                self.report_budget(node.pos, path);
                node.clone()
            }
        }
    }

    /// The value the `cfg://` reference `node` (text `text`, path
    /// `suffix`) names, resolved, at the reference's place.
    fn reference(&mut self, node: &'r Node, text: &str, suffix: &str) -> Result<Node, Fail> {
        self.enter(node, Some(text))?;
        let result = self.target(suffix).and_then(|(reached, at)| match reached {
            Reached::Node(target) => self.deep(target, &at),
            Reached::Char(c) => Ok(Node {
                pos: node.pos,
                value: Value::Str(c.to_string()),
            }),
        });
        self.stack.pop();
        let mut resolved = result?;
        resolved.pos = node.pos;
        Ok(resolved)
    }

    /// Follows `node` while it is itself a `cfg://` reference.
    fn settle(&mut self, node: &'r Node) -> Result<&'r Node, Fail> {
        let Value::Str(s) = &node.value else {
            return Ok(node);
        };
        let Some(("cfg", suffix)) = converter(s) else {
            return Ok(node);
        };
        self.enter(node, Some(s))?;
        let result = self.target(suffix).and_then(|(reached, at)| match reached {
            Reached::Node(next) => self.settle(next),
            Reached::Char(_) => Err(Fail::Message(
                format!("`{at}` is a single character, which has no keys or items"),
                None,
            )),
        });
        self.stack.pop();
        result
    }

    /// Walks a `cfg://` path from the top of the document; returns what it
    /// reached and that place's key path.
    fn target(&mut self, suffix: &str) -> Result<(Reached<'r>, String), Fail> {
        let steps = parse_path(suffix).map_err(|at| {
            Fail::Message(
                format!("cannot read `{}` of the path", show(&at)),
                Some(
                    "write `cfg://KEY` followed by `.KEY` or `[INDEX]` steps, \
                     as in `cfg://handlers.file.filename`"
                        .into(),
                ),
            )
        })?;
        let mut reached = Reached::Node(self.root);
        let mut at = String::new();
        for (n, step) in steps.iter().enumerate() {
            let node = match reached {
                Reached::Node(node) if n == 0 => node,
                Reached::Node(node) => self.settle(node)?,
                Reached::Char(c) => {
                    if let Step::Index(i) = step
                        && digits(i).is_some_and(|i| i == 0)
                    {
                        at = format!("{at}[{i}]");
                        reached = Reached::Char(c);
                        continue;
                    }
                    return Err(Fail::Message(
                        format!("`{at}` is a single character, which has no such key or item"),
                        None,
                    ));
                }
            };
            reached = self.step(node, step, &at, n == 0)?;
            at = match step {
                Step::Key(k) if n == 0 => key_path("", k),
                Step::Key(k) => key_path(&at, k),
                Step::Index(i) => format!("{at}[{i}]"),
            };
        }
        Ok((reached, at))
    }

    /// One step from `node` (written at key path `at`; `top` for the first
    /// word, read from the document).
    fn step(
        &mut self,
        node: &'r Node,
        step: &Step,
        at: &str,
        top: bool,
    ) -> Result<Reached<'r>, Fail> {
        let (key, number) = match step {
            Step::Key(k) => (k.as_str(), None),
            Step::Index(i) => (i.as_str(), digits(i)),
        };
        match (&node.value, number) {
            (Value::Map(entries), None) => {
                let found = entries
                    .iter()
                    .find(|(k, _)| matches!(&k.value, Value::Str(s) if s == key));
                match found {
                    Some((_, value)) => {
                        if top {
                            self.data_keys.insert(key.to_owned());
                        }
                        Ok(Reached::Node(value))
                    }
                    None => {
                        let names = entries.iter().filter_map(|(k, _)| match &k.value {
                            Value::Str(s) => Some(s.as_str()),
                            _ => None,
                        });
                        let help = did_you_mean(key, names);
                        let message = if top {
                            format!("the config has no top-level key `{}`", show(key))
                        } else {
                            format!("`{at}` has no key `{}`", show(key))
                        };
                        Err(Fail::Message(message, help))
                    }
                }
            }
            (Value::Map(entries), Some(n)) => {
                let found = entries
                    .iter()
                    .find(|(k, _)| matches!(&k.value, Value::Int(i) if *i == n as i128));
                match found {
                    Some((_, value)) => Ok(Reached::Node(value)),
                    None => Err(Fail::Message(
                        format!("`{at}` has no integer key `{n}`"),
                        Some(format!(
                            "a mapping is read by key: Python's `d[{n}]` looks for the integer {n}, \
                             not the text `{key}`"
                        )),
                    )),
                }
            }
            (Value::Seq(items), Some(n)) => match items.get(n) {
                Some(item) => Ok(Reached::Node(item)),
                None => Err(Fail::Message(
                    format!(
                        "`{at}` has {} item{}, no item {n}",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    ),
                    Some("items are numbered from 0".into()),
                )),
            },
            (Value::Str(s), Some(n)) => match s.chars().nth(n) {
                Some(c) => Ok(Reached::Char(c)),
                None => Err(Fail::Message(
                    format!(
                        "`{at}` has {} characters, no character {n}",
                        s.chars().count()
                    ),
                    None,
                )),
            },
            (other, _) => {
                let wanted = match (step, number) {
                    (Step::Key(k), _) => format!("`.{}` needs a mapping", show(k)),
                    (Step::Index(i), Some(_)) => format!("`[{i}]` needs a list or a mapping"),
                    (Step::Index(i), None) => format!("`[{}]` needs a mapping", show(i)),
                };
                Err(Fail::Message(
                    format!("`{at}` is {}; {wanted}", other.kind()),
                    None,
                ))
            }
        }
    }
}

/// `text` as an item number when it is all digits (CPython's `^\d+$`).
/// Numbers too large for an index give `usize::MAX`, past every end.
fn digits(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(usize::MAX))
}

/// What a value is, for `ext://`: where it sits in `handlers:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// The `handlers:` section.
    Handlers,
    /// One handler's mapping.
    Handler,
    /// A handler's `stream`.
    Stream,
    /// A handler's `filename`.
    Filename,
    /// Anything else.
    Other,
}

/// Checks the `ext://` values of the schema sections of `root` (resolved):
/// each must be one logconf knows, where it is valid. `ext://os.devnull`
/// becomes the null device.
fn externals(root: &mut Node, schema: &[&str], problems: &mut Vec<Problem>) {
    let Value::Map(entries) = &mut root.value else {
        return;
    };
    let mut stack: Vec<(&mut Node, String, Role)> = Vec::new();
    for (key, value) in entries.iter_mut() {
        if let Value::Str(k) = &key.value
            && schema.contains(&k.as_str())
        {
            let role = if k == "handlers" {
                Role::Handlers
            } else {
                Role::Other
            };
            stack.push((value, key_path("", k), role));
        }
    }
    let mut found = Vec::new();
    while let Some((node, path, role)) = stack.pop() {
        let (line, column) = (node.pos.line, node.pos.column);
        let text = match &mut node.value {
            Value::Str(s) => match converter(s) {
                Some(("ext", _)) if s == "ext://os.devnull" && role == Role::Filename => {
                    *s = DEVNULL.to_owned();
                    continue;
                }
                Some(("ext", _)) => s.clone(),
                _ => continue,
            },
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    stack.push((item, format!("{path}[{i}]"), Role::Other));
                }
                continue;
            }
            Value::Map(entries) => {
                for (key, value) in entries.iter_mut() {
                    let name = match &key.value {
                        Value::Str(k) => k.as_str(),
                        other => other.kind(),
                    };
                    let child = match (role, name) {
                        (Role::Handlers, _) => Role::Handler,
                        (Role::Handler, "stream") => Role::Stream,
                        (Role::Handler, "filename") => Role::Filename,
                        _ => Role::Other,
                    };
                    stack.push((value, key_path(&path, name), child));
                }
                continue;
            }
            _ => continue,
        };
        match (text.as_str(), role) {
            ("ext://sys.stdout" | "ext://sys.stderr" | "ext://test", Role::Stream) => {}
            ("ext://sys.stdout" | "ext://sys.stderr" | "ext://test", _) => {
                found.push(Problem::new(
                    line,
                    column,
                    &path,
                    format!("`{text}` is a stream: only a handler's `stream` takes it"),
                ))
            }
            ("ext://os.devnull", _) => found.push(Problem::new(
                line,
                column,
                &path,
                "`ext://os.devnull` is a file name: only a handler's `filename` takes it"
                    .to_owned(),
            )),
            _ => {
                let help = did_you_mean(&text, EXT_KNOWN).unwrap_or_else(|| {
                    "logconf knows `ext://sys.stdout`, `ext://sys.stderr` and `ext://test` \
                     (a handler's `stream`) and `ext://os.devnull` (a handler's `filename`)"
                        .to_owned()
                });
                found.push(
                    Problem::new(
                        line,
                        column,
                        &path,
                        format!("unsupported external object `{}`", show(&text)),
                    )
                    .with_help(help),
                );
            }
        }
    }
    found.sort_by_key(|p| (p.line(), p.column()));
    problems.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &[&str] = &["version", "formatters", "handlers", "loggers", "root"];

    fn tree(text: &str) -> Node {
        let mut o = serde_saphyr::Options::default();
        o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
        match serde_saphyr::from_str_with_options::<Node>(text, o) {
            Ok(n) => n,
            Err(err) => panic!("{err}"),
        }
    }

    /// The value at `path` (keys only) of the resolved tree.
    fn at<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
        let mut node = node;
        for key in path {
            let Value::Map(entries) = &node.value else {
                panic!("not a mapping at {key}: {node:?}");
            };
            node = match entries
                .iter()
                .find(|(k, _)| k.value == Value::Str((*key).into()))
            {
                Some((_, v)) => v,
                None => panic!("no {key} in {node:?}"),
            };
        }
        node
    }

    fn messages(r: &Resolved) -> Vec<String> {
        r.problems
            .iter()
            .map(|p| {
                format!(
                    "{}:{} {}: {}",
                    p.line().unwrap_or(0),
                    p.column().unwrap_or(0),
                    p.key_path(),
                    p.message()
                )
            })
            .collect()
    }

    #[test]
    fn paths_parse_as_cpython_reads_them() {
        let key = |s: &str| Step::Key(s.into());
        let index = |s: &str| Step::Index(s.into());
        assert_eq!(parse_path("a"), Ok(vec![key("a")]));
        assert_eq!(
            parse_path(" a . b [0] [ x ]"),
            Ok(vec![key("a"), key("b"), index("0"), index(" x ")])
        );
        assert_eq!(parse_path("a..b"), Err("..b".into()));
        assert_eq!(parse_path("a[b"), Err("[b".into()));
        assert_eq!(parse_path("a[[b]]"), Err("[[b]]".into()));
        assert_eq!(parse_path(".a"), Err(".a".into()));
        assert_eq!(parse_path("a b"), Err("b".into()));
        assert_eq!(converter("cfg://a\n"), Some(("cfg", "a")));
        assert_eq!(converter("cfg://a\nb"), None);
        assert_eq!(converter("CFG://a"), None);
        assert_eq!(converter("https://example.com"), None);
    }

    #[test]
    fn values_sections_items_and_keys() {
        let text = "version: 1\npaths:\n  logs: [a.log, b.log]\n  by: {main: m.log, 0: zero.log}\n  fmt: \"%(message)s\"\nhandlers:\n  a: {filename: cfg://handlers.g.filename}\n  b: {filename: \"cfg://paths.logs[1]\"}\n  c: {filename: \"cfg://paths.by[main]\"}\n  d: {filename: \"cfg://paths.by[0]\"}\n  e: {format: \"cfg://paths.fmt[1]\"}\n  g: {filename: g.log}\nformatters: cfg://more\nmore:\n  f: {format: cfg://paths.fmt}\n";
        let r = resolve(tree(text), SCHEMA);
        assert!(r.problems.is_empty(), "{:?}", messages(&r));
        let root = &r.root;
        let s = |path: &[&str]| at(root, path).value.clone();
        assert_eq!(
            s(&["handlers", "a", "filename"]),
            Value::Str("g.log".into())
        );
        assert_eq!(
            s(&["handlers", "b", "filename"]),
            Value::Str("b.log".into())
        );
        assert_eq!(
            s(&["handlers", "c", "filename"]),
            Value::Str("m.log".into())
        );
        assert_eq!(
            s(&["handlers", "d", "filename"]),
            Value::Str("zero.log".into())
        );
        assert_eq!(s(&["handlers", "e", "format"]), Value::Str("(".into()));
        assert_eq!(
            s(&["formatters", "f", "format"]),
            Value::Str("%(message)s".into())
        );
        // The resolved value keeps the reference's place.
        let a = at(root, &["handlers", "a", "filename"]);
        assert_eq!((a.pos.line, a.pos.column), (7, 17));
        let names: Vec<&str> = r.data_keys.iter().map(String::as_str).collect();
        assert_eq!(names, ["more", "paths"]);
    }

    #[test]
    fn missing_paths_and_wrong_steps() {
        let text = "version: 1\npaths: {logs: [a.log], name: x}\nhandlers:\n  a: {filename: cfg://paths.log}\n  b: {filename: \"cfg://paths.logs[3]\"}\n  c: {filename: cfg://nowhere}\n  d: {filename: \"cfg://paths.logs[x]\"}\n  e: {filename: cfg://paths.name.first}\n  f: {filename: \"cfg://paths..x\"}\n  g: {filename: \"cfg://paths[0]\"}\n";
        let r = resolve(tree(text), SCHEMA);
        assert_eq!(
            messages(&r),
            [
                "4:17 handlers.a.filename: cannot resolve `cfg://paths.log`: `paths` has no key `log`",
                "5:17 handlers.b.filename: cannot resolve `cfg://paths.logs[3]`: `paths.logs` has 1 item, no item 3",
                "6:17 handlers.c.filename: cannot resolve `cfg://nowhere`: the config has no top-level key `nowhere`",
                "7:17 handlers.d.filename: cannot resolve `cfg://paths.logs[x]`: `paths.logs` is a list; `[x]` needs a mapping",
                "8:17 handlers.e.filename: cannot resolve `cfg://paths.name.first`: `paths.name` is a string; `.first` needs a mapping",
                "9:17 handlers.f.filename: cannot resolve `cfg://paths..x`: cannot read `..x` of the path",
                "10:17 handlers.g.filename: cannot resolve `cfg://paths[0]`: `paths` has no integer key `0`",
            ]
        );
        // Failed references stay as text for the checker.
        assert_eq!(
            at(&r.root, &["handlers", "a", "filename"]).value,
            Value::Str("cfg://paths.log".into())
        );
    }

    #[test]
    fn cycles_are_located() {
        let text = "version: 1\np: cfg://q\nq: cfg://p\nz: {inner: cfg://z}\nhandlers:\n  a: {filename: cfg://p}\n  b: {filename: cfg://z}\n  c: {filename: cfg://handlers.c.filename}\n";
        let r = resolve(tree(text), SCHEMA);
        assert_eq!(
            messages(&r),
            [
                // Each at the reference that closes the loop.
                "2:4 p: cannot resolve `cfg://q`: reference cycle: `cfg://q` -> `cfg://p` -> `cfg://q`",
                "4:12 z.inner: cannot resolve `cfg://z`: reference cycle: `cfg://z` names a value that holds it",
                "8:17 handlers.c.filename: cannot resolve `cfg://handlers.c.filename`: reference cycle: `cfg://handlers.c.filename` -> `cfg://handlers.c.filename`",
            ]
        );
    }

    #[test]
    fn unread_data_is_not_resolved() {
        let text = "version: 1\npaths: {good: g.log, bad: cfg://nowhere}\nunused: cfg://nowhere\nhandlers:\n  a: {filename: cfg://paths.good}\n";
        let r = resolve(tree(text), SCHEMA);
        assert!(r.problems.is_empty(), "{:?}", messages(&r));
        assert_eq!(r.data_keys.len(), 1);
    }

    #[test]
    fn externals_are_checked_where_they_land() {
        let text = "version: 1\nstreams: {out: ext://sys.stdout}\nhandlers:\n  a: {stream: cfg://streams.out}\n  b: {filename: ext://os.devnull}\n  c: {filename: ext://sys.stdout}\n  d: {stream: ext://os.devnull}\n  e: {stream: ext://sys.stdot}\n  f: {filename: ext://os.getcwd}\nformatters:\n  f: {format: ext://sys.stderr}\n";
        let r = resolve(tree(text), SCHEMA);
        assert_eq!(
            messages(&r),
            [
                "6:17 handlers.c.filename: `ext://sys.stdout` is a stream: only a handler's `stream` takes it",
                "7:15 handlers.d.stream: `ext://os.devnull` is a file name: only a handler's `filename` takes it",
                "8:15 handlers.e.stream: unsupported external object `ext://sys.stdot`",
                "9:17 handlers.f.filename: unsupported external object `ext://os.getcwd`",
                "11:15 formatters.f.format: `ext://sys.stderr` is a stream: only a handler's `stream` takes it",
            ]
        );
        assert_eq!(
            at(&r.root, &["handlers", "a", "stream"]).value,
            Value::Str("ext://sys.stdout".into())
        );
        assert_eq!(
            at(&r.root, &["handlers", "b", "filename"]).value,
            Value::Str(DEVNULL.into())
        );
    }

    #[test]
    fn reference_bombs_and_chains_stop() {
        let mut text = String::from("version: 1\nl0: [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let refs = vec![format!("cfg://l{}", i - 1); 10].join(", ");
            text.push_str(&format!("l{i}: [{refs}]\n"));
        }
        text.push_str("handlers: {a: {filename: cfg://l11}}\n");
        let r = resolve(tree(&text), SCHEMA);
        assert_eq!(r.problems.len(), 1, "{:?}", messages(&r));
        assert!(
            r.problems[0]
                .message()
                .contains("references expand to more than")
        );
        // At the outermost reference, and the tree is not worth checking.
        assert_eq!(r.problems[0].key_path(), "handlers.a.filename");
        assert!(r.exhausted);

        let mut text = String::from("version: 1\nc0: end\n");
        for i in 1..100 {
            text.push_str(&format!("c{i}: cfg://c{}\n", i - 1));
        }
        text.push_str("handlers: {a: {filename: cfg://c99}}\n");
        let r = resolve(tree(&text), SCHEMA);
        assert_eq!(r.problems.len(), 1, "{:?}", messages(&r));
        assert!(r.problems[0].message().contains("nested more than 64 deep"));
    }

    #[test]
    fn configs_without_references_are_kept() {
        let text = "version: 1\nhandlers: {a: {filename: x.log, stream: \"https://x\"}}\n";
        let node = tree(text);
        let r = resolve(node.clone(), SCHEMA);
        assert_eq!(r.root, node);
        assert!(r.problems.is_empty());
    }
}
