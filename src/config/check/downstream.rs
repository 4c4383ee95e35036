//! Handlers that name other handlers (a MemoryHandler's `target`, a
//! QueueHandler's `handlers`): each name resolved, and no handler passing
//! records on to itself, directly or through others. Python resolves them
//! by configuring named handlers first; logconf builds them in that order
//! (see `api::build_order`), however deep the chain.

use std::collections::HashMap;

use super::{Checker, Names};
use crate::args::show;
use crate::model::HandlerSpec;
use crate::suggest::did_you_mean;

impl Checker<'_> {
    /// Resolves every handler's references into `downstream`; reports
    /// unknown names and cycles.
    pub(super) fn downstream(&mut self, handlers: &mut [HandlerSpec], names: &Names) {
        let by_name: HashMap<&str, usize> = handlers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.as_str(), i))
            .collect();
        let mut resolved = Vec::with_capacity(handlers.len());
        for h in handlers.iter() {
            let mut downstream = Vec::new();
            if let Some(forwarding) = h.settings.forwarding() {
                for r in &forwarding.handlers {
                    if let Some(&i) = by_name.get(r.name.as_str()) {
                        downstream.push(i);
                    } else if !names.index.contains_key(&r.name) {
                        let help = did_you_mean(&r.name, names.list.iter().map(String::as_str));
                        self.report(
                            r.pos,
                            &r.path,
                            format!("unknown handler `{}`", show(&r.name)),
                            help,
                        );
                    }
                    // Otherwise the named handler has problems of its own.
                }
            }
            resolved.push(downstream);
        }
        for (h, downstream) in handlers.iter_mut().zip(resolved) {
            h.downstream = downstream;
        }
        self.cycles(handlers);
    }

    /// Reports each handler that passes records on to itself, at the
    /// reference that closes the loop.
    fn cycles(&mut self, handlers: &[HandlerSpec]) {
        for (start, h) in handlers.iter().enumerate() {
            let Some(forwarding) = h.settings.forwarding() else {
                continue;
            };
            for (r, &next) in forwarding.handlers.iter().zip(&h.downstream) {
                // Each loop once: at its first handler in the config.
                if let Some(path) = path_to(handlers, next, start)
                    && path.iter().all(|&i| i >= start)
                {
                    let chain: Vec<String> = std::iter::once(start)
                        .chain(path)
                        .filter_map(|i| handlers.get(i))
                        .map(|h| format!("`{}`", h.name))
                        .collect();
                    self.report(
                        r.pos,
                        &r.path,
                        format!(
                            "handler `{}` passes records on to itself: {}",
                            show(&h.name),
                            chain.join(" -> ")
                        ),
                        Some(
                            "a handler's target or listed handlers must not lead back to it".into(),
                        ),
                    );
                }
            }
        }
    }
}

/// The handlers from `from` to `to` following `downstream` (both
/// included), if `to` can be reached.
fn path_to(handlers: &[HandlerSpec], from: usize, to: usize) -> Option<Vec<usize>> {
    let mut stack = vec![(from, vec![from])];
    let mut seen = vec![false; handlers.len()];
    while let Some((at, path)) = stack.pop() {
        if at == to {
            return Some(path);
        }
        if std::mem::replace(seen.get_mut(at)?, true) {
            continue;
        }
        for &next in handlers.get(at).map_or(&[][..], |h| &h.downstream[..]) {
            let mut longer = path.clone();
            longer.push(next);
            stack.push((next, longer));
        }
    }
    None
}
