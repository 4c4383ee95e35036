//! `filters:` entries: `logging.Filter(name)`.

use super::Checker;
use crate::args::Entry;
use crate::model::FilterSpec;

impl Checker<'_> {
    pub(super) fn filter(&mut self, entry: &Entry<'_>) -> Option<FilterSpec> {
        let mut args = self.args("filters", entry)?;
        match args.string("()") {
            Some(factory) if factory != "logging.Filter" => {
                let help = "logconf's filter is `logging.Filter`: write `name: LOGGER` without `()` \
                            to pass that logger and the loggers below it; to drop records by level, \
                            give the handler or the logger a `level`";
                Checker::refuse_factory(&mut args, "filter", help.into());
                return None;
            }
            _ => args.unknown_keys(&["name", "()"], ""),
        }
        let logger = args.string("name").unwrap_or("");
        (!args.failed()).then(|| FilterSpec {
            name: entry.key.to_owned(),
            logger: logger.to_owned(),
        })
    }
}
