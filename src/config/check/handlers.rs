//! `handlers:` entries: the keys every handler has (`class`, `level`,
//! `formatter`, `filters`), then the class's own keys, read by the class's
//! parse step (see [`crate::handler::class`]).

use super::{Checker, Names};
use crate::args::{Entry, join, show};
use crate::handler::class::{self, CLASSES, NOT_SUPPORTED};
use crate::level::Level;
use crate::model::HandlerSpec;
use crate::suggest::{closest, did_you_mean, one_of};

/// A handler's `level:` (NOTSET when absent); `None` after a problem.
pub(super) fn handler_level(args: &mut crate::args::Args<'_, '_>) -> Option<Level> {
    match args.get("level") {
        None => Some(Level::NOTSET),
        Some(_) => args.level("level"),
    }
}

impl Checker<'_> {
    /// A handler's `formatter:` and `filters:` resolved to indexes.
    pub(super) fn handler_refs(
        &mut self,
        path: &str,
        formatter: Option<Entry<'_>>,
        filters: Option<Entry<'_>>,
        formatter_names: &Names,
        filter_names: &Names,
    ) -> (Option<usize>, Vec<usize>) {
        let formatter = formatter.and_then(|e| {
            self.reference(
                e.value,
                &join(path, "formatter"),
                "formatter",
                formatter_names,
            )
        });
        let filters = filters.map_or_else(Vec::new, |e| {
            self.refs(e.value, &join(path, "filters"), "filter", filter_names)
        });
        (formatter, filters)
    }
}

/// Keys every handler accepts.
const HANDLER_COMMON: &[&str] = &["class", "level", "formatter", "filters"];

impl Checker<'_> {
    pub(super) fn handler(
        &mut self,
        entry: &Entry<'_>,
        formatter_names: &Names,
        filter_names: &Names,
    ) -> Option<HandlerSpec> {
        if let Some(made) = self.handler_factory(entry, formatter_names, filter_names) {
            return made;
        }
        let path = join("handlers", entry.key);
        let before = self.problems.len();
        let mut args = self.args("handlers", entry)?;
        let factory = args.get("()").is_some();
        if factory {
            let help = factory_help(args.string("()"));
            Checker::refuse_factory(&mut args, "handler", help);
        }
        let class = match args.get("class") {
            // The factory, not `class`, would make the handler.
            _ if factory => None,
            None => {
                args.missing("class", Some(format!("e.g. `class: {}`", CLASSES[0].name)));
                None
            }
            Some(e) => match args.string("class") {
                None => None,
                Some(name) => match class::find(name) {
                    Some(class) => Some(class),
                    None => {
                        let (message, help) = unknown_class(name);
                        args.report_at(e.value.pos, "class", message, Some(help));
                        None
                    }
                },
            },
        };
        match class {
            Some(class) => {
                let mut known = HANDLER_COMMON.to_vec();
                // `.x` in a class's keys claims the attribute `x` (see attributes.rs).
                known.extend(class.keys.iter().filter(|k| !k.starts_with('.')));
                known.push(".");
                args.unknown_keys(&known, &format!(" for `{}`", class.name));
            }
            // The factory's keys are its arguments: only its one problem.
            None if factory => {}
            // The class is wrong: which keys belong is unknown, so only the
            // keys no class accepts are reported.
            None => args.unknown_keys(
                &args
                    .entries()
                    .iter()
                    .map(|(k, _)| *k)
                    .filter(|k| !matches!(*k, "()" | "."))
                    .collect::<Vec<_>>(),
                "",
            ),
        }
        let settings = class.and_then(|class| (class.parse)(&mut args));
        let terminator = class.and_then(|class| super::attributes::attributes(&mut args, class));
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
        if self.problems.len() > before {
            return None;
        }
        let class = class?;
        Some(HandlerSpec {
            name: entry.key.to_owned(),
            pos: entry.key_pos,
            class: class.name,
            settings: settings?,
            terminator: terminator.unwrap_or_else(|| class.terminator.to_owned()),
            level: level?,
            formatter,
            filters,
            downstream: Vec::new(),
        })
    }
}

/// What to use instead of the handler factory `factory`.
fn factory_help(factory: Option<&str>) -> String {
    let supported: Vec<&str> = CLASSES.iter().map(|c| c.name).collect();
    if let Some(name) = factory {
        if supported.contains(&name) {
            return format!("write `class: {name}` instead of `()`");
        }
        if let Some((_, Some(instead))) = NOT_SUPPORTED.iter().find(|(c, _)| *c == name) {
            return (*instead).to_owned();
        }
    }
    format!(
        "name a class logconf implements under `class:` instead: {}",
        one_of(&supported).trim_start_matches("expected one of ")
    )
}

/// The message and help for a handler class logconf does not implement.
fn unknown_class(name: &str) -> (String, String) {
    let supported: Vec<&str> = CLASSES.iter().map(|c| c.name).collect();
    if let Some((_, substitute)) = NOT_SUPPORTED.iter().find(|(c, _)| *c == name) {
        let help = match substitute {
            Some(instead) => (*instead).to_owned(),
            None => format!(
                "supported: {}",
                one_of(&supported).trim_start_matches("expected one of ")
            ),
        };
        return (format!("handler class `{name}` is not supported yet"), help);
    }
    let all: Vec<&str> = supported
        .iter()
        .copied()
        .chain(NOT_SUPPORTED.iter().map(|(c, _)| *c))
        .collect();
    let help = did_you_mean(name, all.iter().copied()).or_else(|| {
        // `logging.RotatingFileHandler`: the right class in the wrong module.
        let last_of = |c: &'static str| c.rsplit('.').next().unwrap_or(c);
        let last = name.rsplit('.').next().unwrap_or(name);
        let found = all
            .iter()
            .find(|c| last_of(c).eq_ignore_ascii_case(last))
            .copied()
            .or_else(|| {
                let near = closest(last, all.iter().map(|c| last_of(c)))?;
                all.iter().find(|c| last_of(c) == near).copied()
            })?;
        Some(format!("did you mean `{found}`?"))
    });
    let help = help.unwrap_or_else(|| crate::registry::how_to_register("handler", name));
    (format!("unknown handler class `{}`", show(name)), help)
}
