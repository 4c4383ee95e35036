//! `formatters:` entries: the class (`logging.Formatter` unless `class:`
//! names another), then the class's own keys.

use super::Checker;
use crate::args::{Entry, show};
use crate::format::class::{self, CLASSES};
use crate::model::NamedFormatter;
use crate::suggest::did_you_mean;
use crate::tree::Value;

impl Checker<'_> {
    pub(super) fn formatter(&mut self, entry: &Entry<'_>) -> Option<NamedFormatter> {
        if let Some(made) = self.formatter_factory(entry) {
            return made;
        }
        let mut args = self.args("formatters", entry)?;
        // `()` naming a class logconf implements is read as `class:` (Python
        // YAML writes formatters that take keyword arguments this way).
        let factory = args.get("()").and_then(|e| match &e.value.value {
            Value::Str(name) => class::find(name),
            _ => None,
        });
        let class = match args.string("class") {
            _ if factory.is_some() => factory,
            None => Some(&CLASSES[0]),
            Some(name) => match class::find(name) {
                Some(class) => Some(class),
                None => {
                    let names: Vec<&str> = CLASSES.iter().map(|c| c.name).collect();
                    let help = did_you_mean(name, names.iter().copied())
                        .unwrap_or_else(|| crate::registry::how_to_register("formatter", name));
                    let message = format!("formatter class `{}` is not supported", show(name));
                    args.report("class", message, Some(help));
                    None
                }
            },
        };
        let mut known = class.map_or(CLASSES[0].keys, |c| c.keys).to_vec();
        known.push("class");
        if factory.is_some() {
            known.push("()");
        }
        args.unknown_keys(&known, "");
        // With an unknown class the keys are still checked as a
        // `logging.Formatter`'s, so every problem is reported at once.
        let formatter = (class.unwrap_or(&CLASSES[0]).parse)(&mut args);
        let (_, formatter) = (class?, formatter?);
        (!args.failed()).then(|| NamedFormatter {
            name: entry.key.to_owned(),
            formatter,
        })
    }
}
