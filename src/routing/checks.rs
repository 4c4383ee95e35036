//! Registered filters, the one part of routing decided per record.
//!
//! `logging.Filter(name)` depends on the target alone and is folded into
//! each [`Route`](super::Route). A filter made by a registered factory sees
//! the record, so a route through one keeps the filters to ask
//! ([`Checks`]); a route through none has no checks and costs nothing more.

use super::{Delivery, Router};
use crate::format::Record;

/// The registered filters of one route, as indexes into the model's filters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checks {
    /// The origin logger's: a record any of them rejects is dropped.
    pub(crate) origin: Vec<usize>,
    /// Per delivery (same order as `Route::deliveries`): that handler's.
    pub(crate) deliveries: Vec<Vec<usize>>,
}

impl Router {
    /// The registered filters among `origin` (the origin logger's filters)
    /// and the filters of each delivery's handler; `None` when there are none.
    pub(super) fn checks(&self, origin: &[usize], deliveries: &[Delivery]) -> Option<Box<Checks>> {
        let registered = |ids: &[usize]| -> Vec<usize> {
            ids.iter()
                .copied()
                .filter(|&f| self.filters.get(f).is_some_and(|f| f.check.is_some()))
                .collect()
        };
        let origin = registered(origin);
        let per: Vec<Vec<usize>> = deliveries
            .iter()
            .map(|d| {
                self.handlers
                    .get(d.handler)
                    .map_or_else(Vec::new, |(_, filters)| registered(filters))
            })
            .collect();
        if origin.is_empty() && per.iter().all(Vec::is_empty) {
            None
        } else {
            Some(Box::new(Checks {
                origin,
                deliveries: per,
            }))
        }
    }

    /// Whether every registered filter in `ids` passes `record`, in order
    /// (the first rejection ends the walk, as in Python).
    pub(crate) fn passes(&self, ids: &[usize], record: &Record<'_>) -> bool {
        ids.iter().all(|&f| {
            self.filters
                .get(f)
                .and_then(|f| f.check.as_ref())
                .is_none_or(|check| check.passes(record))
        })
    }
}
