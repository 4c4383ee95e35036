//! Entries made by a factory: `()` (handlers, formatters, filters), or a
//! `class:` that names a factory the application registered
//! ([`crate::Registry`]). Each `check` in this file answers `None` when
//! the entry is not one (the section's usual check reads it), else the
//! entry's result: `Some(None)` when a problem was reported.
//!
//! An unknown factory is one problem, with how to register one; its other
//! keys are its keyword arguments, never reported as unknown keys.

use std::sync::Arc;

use super::handlers::handler_level;
use super::{Checker, Names};
use crate::args::{self, Args, Entry, join, show};
use crate::format::class as format_class;
use crate::handler::class as handler_class;
use crate::model::{FilterSpec, HandlerSpec, NamedFormatter};
use crate::registry::{self, FactoryArgs, UserFilter, UserFormat, UserHandlerSettings, user};
use crate::tree::{Node, Value};

/// What a config entry names: the `()` factory or the `class:`.
enum Named<'n> {
    /// `()`: the factory's name, where it is.
    Factory(&'n str, &'n Node),
    /// `()` with a value that is not a string.
    BadFactory(&'n Node),
    /// `class:`.
    Class(&'n str),
    /// Neither.
    Nothing,
}

/// Reads `()` and `class` from an entry without reporting anything.
fn named<'n>(entry: &Entry<'n>) -> Named<'n> {
    let Value::Map(map) = &entry.value.value else {
        return Named::Nothing;
    };
    let find = |key: &str| {
        map.iter()
            .find(|(k, v)| k.value == Value::Str(key.to_owned()) && v.value != Value::Null)
            .map(|(_, v)| v)
    };
    match (find("()"), find("class")) {
        (Some(node), _) => match &node.value {
            Value::Str(name) => Named::Factory(name, node),
            _ => Named::BadFactory(node),
        },
        (
            None,
            Some(Node {
                value: Value::Str(name),
                ..
            }),
        ) => Named::Class(name),
        _ => Named::Nothing,
    }
}

/// Keys a handler entry's factory never sees: logconf reads them.
const HANDLER_OWN: &[&str] = &["level", "formatter", "filters", "()", "."];

impl<'t> Checker<'t> {
    /// The entry's keys but `skip`, as arguments (`None`, with a problem,
    /// when the entry is not a mapping).
    fn factory_args<'n, 'p>(
        &'p mut self,
        section: &str,
        entry: &Entry<'n>,
        skip: &[&str],
        rename_fmt: bool,
    ) -> Option<Args<'n, 'p>>
    where
        't: 'n,
    {
        let path = join(section, entry.key);
        let entries = args::mapping(&mut self.problems, entry.value, &path)?;
        let entries = entries
            .into_iter()
            .filter(|e| !skip.contains(&e.key))
            .map(|mut e| {
                if rename_fmt && e.key == "fmt" {
                    e.key = "format";
                }
                e
            })
            .collect();
        Some(Args::new(
            self.text,
            path,
            entry.key_pos,
            entries,
            &mut self.problems,
        ))
    }

    /// Reports `.` on an entry a registered factory makes: `.` sets
    /// attributes on a Python object; a Rust factory reads keys.
    fn no_attributes(&mut self, section: &str, entry: &Entry<'_>) {
        let Value::Map(map) = &entry.value.value else {
            return;
        };
        if let Some((dot, _)) = map.iter().find(|(k, _)| k.value == Value::Str(".".into())) {
            let message =
                "setting attributes with `.` on an object made by a factory is not supported"
                    .to_owned();
            let help = "give the values as keys of the entry: the factory reads them".to_owned();
            let path = join(&join(section, entry.key), ".");
            self.report(dot.pos, &path, message, Some(help));
        }
    }

    /// Reports `()` that is not a string: one problem.
    fn bad_factory(&mut self, section: &str, entry: &Entry<'_>, node: &Node) {
        let path = join(&join(section, entry.key), "()");
        let message = format!("expected a factory name, found {}", node.value.kind());
        self.report(node.pos, &path, message, None);
    }

    /// Reports an unknown `()` factory: one problem, how to register one.
    fn unknown_factory(
        &mut self,
        section: &str,
        kind: &str,
        entry: &Entry<'_>,
        name: &str,
        node: &Node,
    ) {
        let path = join(&join(section, entry.key), "()");
        let message = format!("unknown {kind} factory `{}`", show(name));
        let help = registry::how_to_register(kind, name);
        self.report(node.pos, &path, message, Some(help));
    }

    /// A `formatters:` entry made by a factory.
    pub(super) fn formatter_factory(
        &mut self,
        entry: &Entry<'_>,
    ) -> Option<Option<NamedFormatter>> {
        let registry = self.registry;
        let (name, skip): (&str, &[&str]) =
            match named(entry) {
                Named::Nothing => return None,
                Named::BadFactory(node) => {
                    self.bad_factory("formatters", entry, node);
                    return Some(None);
                }
                Named::Class(name) if registry.find_formatter(name).is_some() => {
                    (name, &["class", "."])
                }
                Named::Class(_) => return None,
                Named::Factory(name, node) => {
                    if registry.find_formatter(name).is_none() {
                        // logconf's own classes are reached by `()` too.
                        let Some(class) = format_class::find(name) else {
                            self.unknown_factory("formatters", "formatter", entry, name, node);
                            return Some(None);
                        };
                        // `()` calls the class: `logging.Formatter(fmt=...)`.
                        let rename = class.name == "logging.Formatter";
                        let mut args =
                            self.factory_args("formatters", entry, &["()", "."], rename)?;
                        args.unknown_keys(class.keys, &format!(" for `{}`", class.name));
                        let formatter = (class.parse)(&mut args);
                        return Some((!args.failed()).then_some(()).and(formatter).map(
                            |formatter| NamedFormatter {
                                name: entry.key.to_owned(),
                                formatter,
                            },
                        ));
                    }
                    (name, &["()", "."])
                }
            };
        let factory = registry.find_formatter(name)?;
        self.no_attributes("formatters", entry);
        let args = self.factory_args("formatters", entry, skip, false)?;
        let mut args = FactoryArgs::new(args, name);
        let made = user::call(&mut args, &[], |args| factory(args));
        let needs = args.needs();
        Some(made.map(|made| NamedFormatter {
            name: entry.key.to_owned(),
            formatter: Arc::new(UserFormat::new(made, name, needs)),
        }))
    }

    /// A `filters:` entry made by a factory other than `logging.Filter`.
    pub(super) fn filter_factory(&mut self, entry: &Entry<'_>) -> Option<Option<FilterSpec>> {
        let registry = self.registry;
        let (name, node) = match named(entry) {
            Named::BadFactory(node) => {
                self.bad_factory("filters", entry, node);
                return Some(None);
            }
            Named::Factory(name, node) if name != "logging.Filter" => (name, node),
            _ => return None,
        };
        let Some(factory) = registry.find_filter(name) else {
            self.unknown_factory("filters", "filter", entry, name, node);
            return Some(None);
        };
        self.no_attributes("filters", entry);
        let args = self.factory_args("filters", entry, &["()", "."], false)?;
        let mut args = FactoryArgs::new(args, name);
        let made = user::call(&mut args, &[], |args| factory(args));
        Some(made.map(|made| FilterSpec {
            name: entry.key.to_owned(),
            logger: String::new(),
            check: Some(UserFilter::new(made, name)),
        }))
    }

    /// A `handlers:` entry made by a factory: its own keys are checked now,
    /// the factory runs when the config is built.
    pub(super) fn handler_factory(
        &mut self,
        entry: &Entry<'_>,
        formatter_names: &Names,
        filter_names: &Names,
    ) -> Option<Option<HandlerSpec>> {
        let registry = self.registry;
        let (name, skip) = match named(entry) {
            Named::Nothing => return None,
            Named::BadFactory(node) => {
                self.bad_factory("handlers", entry, node);
                return Some(None);
            }
            Named::Class(name) if registry.find_handler(name).is_some() => {
                let mut skip = HANDLER_OWN.to_vec();
                skip.push("class");
                (name, skip)
            }
            Named::Class(_) => return None,
            Named::Factory(name, node) => {
                if registry.find_handler(name).is_none() {
                    let path = join(&join("handlers", entry.key), "()");
                    if let Some(class) = handler_class::find(name) {
                        let message = format!("`()` names logconf's own class `{}`", class.name);
                        let help = format!("write `class: {}` instead", class.name);
                        self.report(node.pos, &path, message, Some(help));
                    } else {
                        self.unknown_factory("handlers", "handler", entry, name, node);
                    }
                }
                (name, HANDLER_OWN.to_vec())
            }
        };
        // An unknown factory's keys are its arguments; the keys logconf
        // reads itself are still checked.
        let factory = registry.find_handler(name);
        if factory.is_some() {
            self.no_attributes("handlers", entry);
        }
        let path = join("handlers", entry.key);
        let before = self.problems.len();
        let mut args = self.factory_args("handlers", entry, &[], false)?;
        let level = handler_level(&mut args);
        let (formatter_node, filters_node) = (args.get("formatter"), args.get("filters"));
        drop(args);
        let (formatter, filters) = self.handler_refs(
            &path,
            formatter_node,
            filters_node,
            formatter_names,
            filter_names,
        );
        let Some(factory) = factory else {
            return Some(None);
        };
        if self.problems.len() > before {
            return Some(None);
        }
        let settings = UserHandlerSettings {
            class: name.to_owned(),
            factory: Arc::clone(factory),
            node: entry.value.clone(),
            path: path.clone(),
            pos: entry.key_pos,
            skip,
        };
        Some(level.map(|level| HandlerSpec {
            name: entry.key.to_owned(),
            pos: entry.key_pos,
            class: REGISTERED,
            settings: Arc::new(settings),
            terminator: "\n".to_owned(),
            level,
            formatter,
            filters,
            downstream: Vec::new(),
        }))
    }
}

/// The class of a handler made by a registered factory, in build errors.
const REGISTERED: &str = "a registered handler factory";
