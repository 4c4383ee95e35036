//! The per-target answer for records of the `log` crate, kept per thread.
//!
//! A `tracing` callsite is asked once and disabled for good; a `log` record
//! has no callsite, only a target string that may be made at run time, so
//! without help every record pays a route lookup by name. Each thread keeps
//! the lowest level written for the targets it logs from, in a small
//! two-way set-associative table (a cheap hash picks the set, the target's
//! bytes confirm a hit, so a target made at run time is found by content,
//! never by address): a hit costs about a hundred instructions, with no
//! lock and no shared cache line written. The table is valid for one
//! config generation: a reload gives the runtime a new one, and a thread
//! that sees it starts over.

use std::cell::RefCell;
use std::sync::atomic::Ordering;

use super::Runtime;
use crate::level::Level;

/// Sets of the table (a power of two).
const SETS: usize = 128;
/// Entries per set: a target that takes another's place in its set leaves
/// the other one there, so two busy targets of one set do not evict each
/// other on every record.
const WAYS: usize = 2;
/// `SETS` as a shift: the set is the top bits of the hash.
const SET_BITS: u32 = SETS.trailing_zeros();

/// One target's answer.
#[derive(Debug)]
struct Entry {
    hash: u64,
    /// The lowest level number written (`u32::MAX`: nothing ever is).
    threshold: u32,
    target: Box<str>,
}

/// A thread's answers, for the config of one generation.
#[derive(Debug)]
struct Answers {
    /// The generation the entries belong to (0: none yet).
    generation: u64,
    /// Empty until the thread's first `log` record; then `SETS * WAYS`
    /// long, set by set, the most recently added first in its set.
    entries: Vec<Option<Entry>>,
}

impl Answers {
    /// The kept threshold of `target` (whose hash is `hash`), if it is kept
    /// for `generation`.
    #[inline]
    fn get(&self, generation: u64, hash: u64, target: &str) -> Option<u32> {
        if self.generation != generation {
            return None;
        }
        let first = set_of(hash) * WAYS;
        self.entries
            .get(first..first + WAYS)?
            .iter()
            .flatten()
            .find(|e| e.hash == hash && *e.target == *target)
            .map(|e| e.threshold)
    }

    /// Keeps `entry` for `generation`, first in its set; the set's last
    /// entry is dropped.
    fn put(&mut self, generation: u64, entry: Entry) {
        if self.generation != generation {
            self.generation = generation;
            self.entries.clear();
            self.entries.resize_with(SETS * WAYS, || None);
        }
        let first = set_of(entry.hash) * WAYS;
        if let Some(set) = self.entries.get_mut(first..first + WAYS) {
            set.rotate_right(1);
            if let Some(slot) = set.first_mut() {
                *slot = Some(entry);
            }
        }
    }
}

/// The set of a hash.
#[inline]
fn set_of(hash: u64) -> usize {
    usize::try_from(hash >> (u64::BITS - SET_BITS)).unwrap_or(0)
}

thread_local! {
    static ANSWERS: RefCell<Answers> = const {
        RefCell::new(Answers {
            generation: 0,
            entries: Vec::new(),
        })
    };
}

/// The words a target's hash is made of, read in constant time: the
/// first, middle and last eight bytes (overlapping), the two halves of a
/// name of four to seven bytes, or the first, middle and last byte of a
/// shorter one.
#[inline]
fn sample(bytes: &[u8]) -> [u64; 3] {
    let len = bytes.len();
    if len >= 8 {
        let middle = len / 2 - 4;
        [
            word8(bytes.get(..8)),
            word8(bytes.get(middle..middle + 8)),
            word8(bytes.get(len - 8..)),
        ]
    } else if len >= 4 {
        let first = word4(bytes.get(..4));
        let last = word4(bytes.get(len - 4..));
        [first | (last << 32), 0, 0]
    } else if let (Some(&a), Some(&b)) = (bytes.first(), bytes.last()) {
        let middle = bytes.get(len / 2).copied().unwrap_or(0);
        [
            u64::from(a) | (u64::from(middle) << 8) | (u64::from(b) << 16),
            0,
            0,
        ]
    } else {
        [0; 3]
    }
}

/// A hash of a target of `len` bytes whose [`sample`] is `words`, for
/// picking its set, in constant time. Names that differ only outside the
/// sample share a set, and their content tells them apart. Not keyed:
/// chosen names can make lookups miss, never falsify one.
#[inline]
fn hash(len: usize, words: &[u64; 3]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    words.iter().fold((len as u64).wrapping_mul(K), |h, &w| {
        (h.rotate_left(23) ^ w).wrapping_mul(K)
    })
}

/// Eight bytes as a number (0 unless `bytes` is eight long).
#[inline]
fn word8(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_le_bytes)
}

/// Four bytes as a number (0 unless `bytes` is four long).
#[inline]
fn word4(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
}

impl Runtime {
    /// Whether a record from `target` at `level` produces any output under
    /// the current config: what the layer decides per record, from this
    /// thread's answers when it has one for the current generation.
    #[inline]
    pub(crate) fn log_enabled(&self, target: &str, level: Level) -> bool {
        // Loaded before the config is read: an answer kept under this
        // generation was computed from this config or a newer one.
        let generation = self.generation.load(Ordering::Acquire);
        let hash = hash(target.len(), &sample(target.as_bytes()));
        let kept = ANSWERS.try_with(|answers| {
            // Busy only while an answer is stored.
            let answers = answers.try_borrow().ok()?;
            answers.get(generation, hash, target)
        });
        let threshold = match kept {
            Ok(Some(threshold)) => threshold,
            _ => self.remember(target, hash, generation),
        };
        level.number() >= threshold
    }

    /// The threshold of `target` (whose hash is `hash`), computed and kept
    /// for `generation` on this thread.
    #[cold]
    #[inline(never)]
    fn remember(&self, target: &str, hash: u64, generation: u64) -> u32 {
        let threshold = self.compute(target);
        // Not kept if the thread is ending.
        let _ = ANSWERS.try_with(|answers| {
            if let Ok(mut answers) = answers.try_borrow_mut() {
                answers.put(
                    generation,
                    Entry {
                        hash,
                        threshold,
                        target: target.into(),
                    },
                );
            }
        });
        threshold
    }

    /// The threshold of `target`'s route in the current config.
    fn compute(&self, target: &str) -> u32 {
        self.current()
            .route_for_target(target)
            .threshold
            .map_or(u32::MAX, Level::number)
    }

    /// A level below which the current config writes nothing, whatever the
    /// target (see [`Router::lowest_output`](crate::routing::Router::lowest_output)).
    pub(crate) fn lowest_output(&self) -> Level {
        self.current().router().lowest_output()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_tells_apart_names_that_differ_in_length_or_sampled_bytes() {
        let names = [
            "",
            "a",
            "a\0",
            "ab",
            "abc",
            "abd",
            "aws_sdk_ec2",
            "aws_sdk_ec2::client",
            "aws_sdk_ec2::clienT",
            "aws_sdk_sts::client",
            "aws_sdk_ec2::client::x",
            "bws_sdk_ec2::client",
            "12345678",
            "123456789",
        ];
        let hash_of = |name: &str| hash(name.len(), &sample(name.as_bytes()));
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                assert_ne!(hash_of(a), hash_of(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn names_that_differ_outside_the_sample_share_a_hash() {
        // The names `tests/e2e/log_gate.rs` logs from to make targets of
        // one hash meet in one set.
        let hash_of = |name: &str| hash(name.len(), &sample(name.as_bytes()));
        let lib1 = hash_of("noisy_lib1::inner::deep_module::leaf_xyz");
        assert_eq!(lib1, hash_of("noisy_lib2::inner::deep_module::leaf_xyz"));
        assert_eq!(lib1, hash_of("noisy_lib3::inner::deep_module::leaf_xyz"));
    }

    fn entry(hash: u64, target: &str, threshold: u32) -> Entry {
        Entry {
            hash,
            threshold,
            target: target.into(),
        }
    }

    #[test]
    fn answers_are_found_by_content_per_generation() {
        let mut answers = Answers {
            generation: 0,
            entries: Vec::new(),
        };
        let get = |answers: &Answers, generation, hash, target: &str| {
            answers.get(generation, hash, target)
        };
        assert_eq!(get(&answers, 0, 7, ""), None, "generation 0 holds nothing");
        answers.put(1, entry(7, "app", 10));
        assert_eq!(get(&answers, 1, 7, "app"), Some(10));
        // The same hash (one set) and other content: not a hit, and both
        // are kept.
        assert_eq!(get(&answers, 1, 7, "app2"), None);
        answers.put(1, entry(7, "app2", 30));
        assert_eq!(get(&answers, 1, 7, "app"), Some(10));
        assert_eq!(get(&answers, 1, 7, "app2"), Some(30));
        // A third of the set drops the oldest.
        answers.put(1, entry(7, "app3", 40));
        assert_eq!(get(&answers, 1, 7, "app"), None);
        assert_eq!(get(&answers, 1, 7, "app2"), Some(30));
        assert_eq!(get(&answers, 1, 7, "app3"), Some(40));
        // Another generation: nothing kept.
        assert_eq!(get(&answers, 2, 7, "app3"), None);
        answers.put(2, entry(u64::MAX, "z", 5));
        assert_eq!(get(&answers, 2, 7, "app3"), None);
        assert_eq!(get(&answers, 2, u64::MAX, "z"), Some(5));
    }
}
