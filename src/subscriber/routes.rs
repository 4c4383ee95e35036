//! The route of each `tracing` callsite, computed when the callsite
//! registers and read by every event: a fixed table of write-once slots
//! (open addressing), so the read an event makes is a hash, a load and a
//! compare — no lock, no reference count touched, nothing written to memory
//! other threads read.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use tracing_core::callsite::Identifier;

use crate::routing::Route;

/// A hasher for callsite identities, which hash as a pointer or two: one
/// multiply-rotate per word instead of SipHash (the keys are addresses of
/// statics, not attacker-chosen).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PtrHasher(u64);

impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

pub(super) type BuildPtrHasher = BuildHasherDefault<PtrHasher>;

/// Slots of the table: enough for the enabled callsites of a large
/// program; past them (or past [`PROBES`] collisions) routes go to a map
/// behind a lock.
const SLOTS: usize = 2048;

/// How many slots a lookup tries from the callsite's hash.
const PROBES: usize = 8;

/// One slot of the table: a callsite and its route, written once.
type Slot = OnceLock<(Identifier, Arc<Route>)>;

/// Routes by callsite.
#[derive(Debug)]
pub(super) struct CallsiteRoutes {
    /// Written once each, never cleared: a config's callsites only grow.
    slots: Box<[Slot]>,
    /// Past the table, by the callsite's address.
    overflow: RwLock<HashMap<usize, Arc<Route>, BuildPtrHasher>>,
}

/// The address of the callsite `id` names. `Identifier`'s own `Hash` also
/// hashes the vtable pointer, which two references to one callsite need not
/// share; its `PartialEq`, like this, compares addresses only.
fn address(id: &Identifier) -> usize {
    std::ptr::from_ref(id.0).cast::<()>() as usize
}

impl Default for CallsiteRoutes {
    fn default() -> CallsiteRoutes {
        CallsiteRoutes {
            slots: (0..SLOTS).map(|_| OnceLock::new()).collect(),
            overflow: RwLock::new(HashMap::default()),
        }
    }
}

impl CallsiteRoutes {
    /// The slots a lookup of `id` tries, in order.
    fn probe(&self, id: &Identifier) -> impl Iterator<Item = &Slot> {
        #[allow(clippy::cast_possible_truncation, reason = "an index mask follows")]
        let start = BuildPtrHasher::default().hash_one(address(id)) as usize;
        (0..PROBES).filter_map(move |i| self.slots.get(start.wrapping_add(i) % SLOTS))
    }

    /// The route kept for `id`, if any.
    pub(super) fn get(&self, id: &Identifier) -> Option<Cow<'_, Arc<Route>>> {
        for slot in self.probe(id) {
            match slot.get() {
                Some((key, route)) if key == id => return Some(Cow::Borrowed(route)),
                Some(_) => {}
                // Slots fill in probe order: an empty one ends the search.
                None => return None,
            }
        }
        self.overflow
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&address(id))
            .map(|route| Cow::Owned(Arc::clone(route)))
    }

    /// Keeps `route` for `id` (unless another thread kept one first).
    pub(super) fn insert(&self, id: Identifier, route: Arc<Route>) {
        for slot in self.probe(&id) {
            let (key, _) = slot.get_or_init(|| (id.clone(), Arc::clone(&route)));
            if *key == id {
                return;
            }
        }
        self.overflow
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(address(&id))
            .or_insert(route);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::Level;
    use tracing_core::callsite::Callsite;
    use tracing_core::field::FieldSet;
    use tracing_core::metadata::Kind;
    use tracing_core::{Interest, Metadata};

    /// A callsite of its own (leaked, so `'static`), with its metadata.
    struct Site(OnceLock<Metadata<'static>>);

    impl Site {
        fn leak() -> &'static Site {
            let site: &'static Site = Box::leak(Box::new(Site(OnceLock::new())));
            site.0.get_or_init(|| {
                Metadata::new(
                    "event",
                    "app",
                    tracing_core::Level::INFO,
                    None,
                    None,
                    None,
                    FieldSet::new(&[], Identifier(site)),
                    Kind::EVENT,
                )
            });
            site
        }
    }

    impl Callsite for Site {
        fn set_interest(&self, _: Interest) {}
        fn metadata(&self) -> &Metadata<'_> {
            self.0.get().expect("set when the site is made")
        }
    }

    fn route(threshold: Level) -> Arc<Route> {
        Arc::new(Route {
            effective: threshold,
            deliveries: Vec::new(),
            last_resort: false,
            threshold: Some(threshold),
            checks: None,
            field_text: true,
        })
    }

    #[test]
    fn every_callsite_finds_its_own_route_past_the_table() {
        // More callsites than slots: the rest go to the overflow map.
        let sites: Vec<&'static Site> = (0..SLOTS + 500).map(|_| Site::leak()).collect();
        let routes = CallsiteRoutes::default();
        for (i, site) in sites.iter().enumerate() {
            let level = if i % 2 == 0 {
                Level::DEBUG
            } else {
                Level::ERROR
            };
            let id = site.metadata().callsite();
            assert!(routes.get(&id).is_none());
            routes.insert(id, route(level));
        }
        for (i, site) in sites.iter().enumerate() {
            let want = if i % 2 == 0 {
                Level::DEBUG
            } else {
                Level::ERROR
            };
            let got = routes.get(&Identifier(*site)).map(|r| r.effective);
            assert_eq!(got, Some(want), "callsite {i}");
        }
        // A second insert keeps the first route.
        let first = Identifier(sites[0]);
        routes.insert(first.clone(), route(Level::CRITICAL));
        assert_eq!(routes.get(&first).map(|r| r.effective), Some(Level::DEBUG));
    }
}
