//! Registered filters, the one part of routing decided per record.
//!
//! `logging.Filter(name)` depends on the target alone and is folded into
//! each [`Route`]. A filter made by a registered factory sees
//! the record, so a route through one keeps the filters to ask
//! ([`Checks`]); a route through none has no checks and costs nothing more.

use std::fmt::Write as _;

use super::{Delivery, Route, Router};
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

    /// The line of `explain` naming the registered filters of `route`.
    pub(super) fn explain_checks(&self, route: &Route, out: &mut String) {
        let Some(checks) = &route.checks else { return };
        let mut names: Vec<&str> = Vec::new();
        for &f in checks
            .origin
            .iter()
            .chain(checks.deliveries.iter().flatten())
        {
            let name = self.filters.get(f).map_or("?", |f| f.name.as_str());
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let _ = writeln!(
            out,
            "  registered filters decide per record: {}",
            names.join(", ")
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Syntax, load};
    use crate::registry::{FactoryArgs, Filter, LogRecord, Registry};

    #[derive(Debug)]
    struct Never;

    impl Filter for Never {
        fn filter(&self, _record: &LogRecord<'_>) -> bool {
            false
        }
    }

    fn router(yaml: &str) -> Router {
        let registry =
            Registry::new().filter("t.Never", |_: &mut FactoryArgs<'_>| Ok(Box::new(Never)));
        match load(yaml.as_bytes(), "<t>", Syntax::Yaml, &registry) {
            Ok(model) => Router::new(&model),
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn only_routes_through_a_registered_filter_have_checks() {
        let r = router(
            "version: 1\nfilters:\n  plain: {name: a}\n  never: {(): t.Never}\nhandlers:\n  h: {class: logging.NullHandler, filters: [plain]}\n  g: {class: logging.NullHandler, filters: [never]}\nloggers:\n  a: {handlers: [h], filters: [never]}\n  b: {handlers: [g], propagate: false}\n  c: {handlers: [h], propagate: false}\n",
        );
        assert_eq!(
            r.route("a").checks.as_deref(),
            Some(&Checks {
                origin: vec![1],
                deliveries: vec![vec![]],
            })
        );
        // The origin logger's filters apply to its own records only.
        assert_eq!(r.route("a::x").checks, None);
        assert_eq!(
            r.route("b").checks.as_deref(),
            Some(&Checks {
                origin: vec![],
                deliveries: vec![vec![1]],
            })
        );
        assert_eq!(r.route("c").checks, None);
        assert!(
            r.explain("b")
                .contains("registered filters decide per record: `never`"),
            "{}",
            r.explain("b")
        );
        assert!(!r.explain("c").contains("registered"));
    }

    #[test]
    fn a_config_without_registered_filters_has_no_checks() {
        let r = router(
            "version: 1\nfilters:\n  plain: {name: a}\nhandlers:\n  h: {class: logging.NullHandler, filters: [plain]}\nroot: {handlers: [h], filters: [plain]}\nloggers:\n  a: {filters: [plain]}\n",
        );
        for target in ["", "a", "a::b", "z"] {
            assert_eq!(r.route(target).checks, None, "{target}");
        }
    }
}
