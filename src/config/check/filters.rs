//! `filters:` entries: `logging.Filter(name)`.

use super::Checker;
use crate::args::{Entry, show};
use crate::model::FilterSpec;

impl Checker<'_> {
    pub(super) fn filter(&mut self, entry: &Entry<'_>) -> Option<FilterSpec> {
        let mut args = self.args("filters", entry)?;
        args.unknown_keys(&["name", "()"], "");
        if let Some(factory) = args.string("()")
            && factory != "logging.Filter"
        {
            args.report(
                "()",
                format!(
                    "custom filter factories (`{}`) are not supported yet",
                    show(factory)
                ),
                Some("only `logging.Filter` is supported".into()),
            );
        }
        let logger = args.string("name").unwrap_or("");
        (!args.failed()).then(|| FilterSpec {
            name: entry.key.to_owned(),
            logger: logger.to_owned(),
        })
    }
}
