//! `formatters:` entries: the class (`logging.Formatter` unless `class:`
//! names another), then the class's own keys.

use super::Checker;
use crate::args::{Entry, show};
use crate::format::class::{self, CLASSES};
use crate::model::NamedFormatter;
use crate::suggest::{did_you_mean, one_of};

impl Checker<'_> {
    pub(super) fn formatter(&mut self, entry: &Entry<'_>) -> Option<NamedFormatter> {
        let mut args = self.args("formatters", entry)?;
        if args.get("()").is_some() {
            let help = "logconf's formatter is `logging.Formatter`: remove `()` and write its \
                        `format`, `datefmt`, `style` and `defaults`";
            Checker::refuse_factory(&mut args, "formatter", help.into());
            return None;
        }
        let class = match args.string("class") {
            None => Some(&CLASSES[0]),
            Some(name) => match class::find(name) {
                Some(class) => Some(class),
                None => {
                    let names: Vec<&str> = CLASSES.iter().map(|c| c.name).collect();
                    let help =
                        did_you_mean(name, names.iter().copied()).unwrap_or_else(|| one_of(&names));
                    let message = format!("formatter class `{}` is not supported", show(name));
                    args.report("class", message, Some(help));
                    None
                }
            },
        };
        let mut known = class.map_or(CLASSES[0].keys, |c| c.keys).to_vec();
        known.push("class");
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
