//! Checking the spanned tree against dictConfig's schema (version 1),
//! collecting every problem, and building the [`Model`]: one file per
//! section (`top`, `formatters`, `filters`, `handlers`, `loggers`); the
//! value readers they share are in [`crate::args`].

mod filters;
mod formatters;
mod handlers;
mod live;
mod loggers;
mod top;

pub(crate) use top::TOP_KEYS;

use std::collections::{BTreeSet, HashMap};

use crate::args::{self, Entry, get, index, show};
use crate::error::Problem;
use crate::model::Model;
use crate::suggest::did_you_mean;
use crate::tree::{Node, Pos, Value};

/// Checks `root` (the whole document) into a model, or returns every
/// problem found, sorted by place. `data_keys` are top-level keys that
/// `cfg://` references read: not unknown keys.
pub(crate) fn check(
    root: &Node,
    source: &str,
    text: &str,
    data_keys: &BTreeSet<String>,
) -> Result<Model, Vec<Problem>> {
    let mut checker = Checker {
        text,
        problems: Vec::new(),
        data_keys,
    };
    let model = checker.top(root, source);
    let mut problems = checker.problems;
    match model {
        Some(model) if problems.is_empty() => Ok(model),
        _ => {
            if problems.is_empty() {
                problems.push(Problem::new(0, 0, "", "the config could not be checked"));
            }
            problems.sort_by_key(|p| (p.line().unwrap_or(0), p.column().unwrap_or(0)));
            Err(problems)
        }
    }
}

/// The names of a section's entries, in order, with an index by name (the
/// first of duplicates wins, as the section's order does).
#[derive(Debug, Default)]
struct Names {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Names {
    fn of(entries: &[Entry<'_>]) -> Names {
        let list: Vec<String> = entries.iter().map(|e| e.key.to_owned()).collect();
        let mut index = HashMap::with_capacity(list.len());
        for (i, name) in list.iter().enumerate() {
            index.entry(name.clone()).or_insert(i);
        }
        Names { list, index }
    }
}

/// Walks the tree, collecting problems.
struct Checker<'t> {
    /// The text, to place problems inside a format string.
    text: &'t str,
    /// Every problem so far.
    problems: Vec<Problem>,
    /// Top-level keys that references read (data, not unknown keys).
    data_keys: &'t BTreeSet<String>,
}

impl<'t> Checker<'t> {
    fn report(&mut self, pos: Pos, path: &str, message: String, help: Option<String>) {
        args::report(&mut self.problems, pos, path, message, help);
    }

    fn mapping<'n>(&mut self, node: &'n Node, path: &str) -> Option<Vec<Entry<'n>>> {
        args::mapping(&mut self.problems, node, path)
    }

    /// A section (`handlers:`...): a mapping, or `null` for none.
    fn section<'n>(&mut self, entries: &[Entry<'n>], key: &str) -> Vec<Entry<'n>> {
        match get(entries, key) {
            None => Vec::new(),
            Some(e) => self.mapping(e.value, key).unwrap_or_default(),
        }
    }

    /// The keys of the entry `entry` under `section` as [`args::Args`]
    /// (`None`, with a problem, when it is not a mapping).
    fn args<'n, 'p>(&'p mut self, section: &str, entry: &Entry<'n>) -> Option<args::Args<'n, 'p>>
    where
        't: 'n,
    {
        let path = args::join(section, entry.key);
        let entries = args::mapping(&mut self.problems, entry.value, &path)?;
        Some(args::Args::new(
            self.text,
            path,
            entry.key_pos,
            entries,
            &mut self.problems,
        ))
    }

    /// Reports the unsupported `()` factory of the entry `args` (a
    /// `what`: handler, formatter, filter) as one problem with `help`. Its
    /// other keys are the factory's keyword arguments: they are not checked
    /// one by one, so the one real problem is not lost among unknown keys.
    fn refuse_factory(args: &mut args::Args<'_, '_>, what: &str, help: String) {
        let factory = match args.get("()").map(|e| &e.value.value) {
            Some(Value::Str(name)) => format!(" (`{}`)", show(name)),
            _ => String::new(),
        };
        let message = format!("custom {what} factories{factory} are not supported yet");
        args.report("()", message, Some(help));
    }

    /// A list of references to `what`s (`handler`, `filter`), resolved to
    /// indexes into `names`.
    fn refs(&mut self, node: &Node, path: &str, what: &str, names: &Names) -> Vec<usize> {
        let items = match &node.value {
            Value::Null => return Vec::new(),
            Value::Seq(items) => items,
            Value::Str(s) => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a list of {what} names, found a string"),
                    Some(format!("write `[{}]`", show(s))),
                );
                return Vec::new();
            }
            other => {
                self.report(
                    node.pos,
                    path,
                    format!("expected a list of {what} names, found {}", other.kind()),
                    None,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(found) = self.reference(item, &index(path, i), what, names) {
                out.push(found);
            }
        }
        out
    }

    /// One reference to a `what`, resolved to an index into `names`.
    fn reference(&mut self, node: &Node, path: &str, what: &str, names: &Names) -> Option<usize> {
        let Value::Str(name) = &node.value else {
            self.report(
                node.pos,
                path,
                format!("expected a {what} name, found {}", node.value.kind()),
                None,
            );
            return None;
        };
        if let Some(found) = names.index.get(name.as_str()) {
            return Some(*found);
        }
        let help = if names.list.is_empty() {
            Some(format!("no {what}s are defined under `{what}s:`"))
        } else {
            did_you_mean(name, names.list.iter().map(String::as_str))
        };
        self.report(
            node.pos,
            path,
            format!("unknown {what} `{}`", show(name)),
            help,
        );
        None
    }
}
