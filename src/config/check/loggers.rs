//! `loggers:` entries and `root:`.

use super::{Checker, Names};
use crate::level::Level;
use crate::tree::Node;

/// Keys of a logger.
const LOGGER_KEYS: &[&str] = &["level", "handlers", "filters", "propagate"];

/// What a logger entry says (before merging `""` into the root).
pub(super) struct LoggerParts {
    pub(super) level: Option<Level>,
    pub(super) handlers: Vec<usize>,
    pub(super) filters: Vec<usize>,
    pub(super) propagate: bool,
}

impl Checker<'_> {
    /// A logger's entry (or the root's) at `path`.
    pub(super) fn logger(
        &mut self,
        node: &Node,
        path: &str,
        handler_names: &Names,
        filter_names: &Names,
    ) -> Option<LoggerParts> {
        let before = self.problems.len();
        let entries = self.mapping(node, path)?;
        let mut args = crate::args::Args::new(
            self.text,
            path.to_owned(),
            node.pos,
            entries,
            &mut self.problems,
        );
        args.unknown_keys(LOGGER_KEYS, "");
        let level = args.level("level");
        // On the root, `propagate` is checked and ignored, as Python does.
        let propagate = args.truthy("propagate", true);
        let handlers_node = args.get("handlers");
        let filters_node = args.get("filters");
        drop(args);
        let handlers = handlers_node.map_or_else(Vec::new, |e| {
            self.refs(
                e.value,
                &crate::args::join(path, "handlers"),
                "handler",
                handler_names,
            )
        });
        let filters = filters_node.map_or_else(Vec::new, |e| {
            self.refs(
                e.value,
                &crate::args::join(path, "filters"),
                "filter",
                filter_names,
            )
        });
        if self.problems.len() > before {
            return None;
        }
        Some(LoggerParts {
            level,
            handlers,
            filters,
            propagate,
        })
    }
}
