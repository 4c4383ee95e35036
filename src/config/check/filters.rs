//! `filters:` entries: `logging.Filter(name)`.

use super::Checker;
use crate::args::Entry;
use crate::model::FilterSpec;

impl Checker<'_> {
    pub(super) fn filter(&mut self, entry: &Entry<'_>) -> Option<FilterSpec> {
        if let Some(made) = self.filter_factory(entry) {
            return made;
        }
        let mut args = self.args("filters", entry)?;
        args.unknown_keys(&["name", "()"], "");
        let logger = args.string("name").unwrap_or("");
        (!args.failed()).then(|| FilterSpec {
            name: entry.key.to_owned(),
            logger: logger.to_owned(),
            check: None,
        })
    }
}
