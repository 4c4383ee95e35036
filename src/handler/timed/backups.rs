//! Which backups a `TimedRotatingFileHandler` deletes after a rollover:
//! CPython 3.13's `getFilesToDelete` (`Lib/logging/handlers.py:382-418`,
//! rewritten for gh-115809), able to count compressed backups too.
//!
//! A file is a backup of `base` when its name is `base.` followed by exactly
//! one suffix of the handler's `when` (`app.log.2024-01-02` for `D`,
//! `MIDNIGHT` and `W`; `app.log.2024-01-02_10` for `H`; ...), optionally
//! followed by one of the given extensions (`.gz`). Nothing else is ever a
//! candidate: not the live file, not another handler's files (`app.log.b.*`,
//! `app.log.2024-01-02.c`), not the backups of another `when`.
//!
//! With no extensions this is exactly CPython's rule without a namer. With
//! extensions, backups are counted per period: `app.log.2024-01-02` and
//! `app.log.2024-01-02.gz` (a compression caught half-way) are one backup,
//! and both are deleted together. CPython with a `+ ".gz"` namer counts
//! only the `.gz` files; a difference chosen so that plain backups left from
//! before compression was turned on are pruned too.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};

use super::schedule::When;

/// The names among `entries` (a directory listing, names only) to delete so
/// that `backup_count` backups of `base_name` remain; oldest first.
///
/// Backups sort by their timestamp, which is chronological since the stamps
/// are zero-padded. Fewer than `backup_count` + 1 backups: nothing. A
/// `backup_count` of 0 keeps everything (CPython does not prune then).
pub(crate) fn files_to_delete<I, S>(
    entries: I,
    base_name: &OsStr,
    when: When,
    backup_count: usize,
    extensions: &[&str],
) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    if backup_count == 0 {
        return Vec::new();
    }
    let base = base_name.as_encoded_bytes();
    let mut periods: BTreeMap<Vec<u8>, Vec<OsString>> = BTreeMap::new();
    for entry in entries {
        let name = entry.as_ref();
        if let Some(stamp) = backup_stamp(name.as_encoded_bytes(), base, when, extensions) {
            periods
                .entry(stamp.to_vec())
                .or_default()
                .push(name.to_os_string());
        }
    }
    let excess = periods.len().saturating_sub(backup_count);
    let mut doomed = Vec::new();
    for (_, mut names) in periods.into_iter().take(excess) {
        names.sort();
        doomed.append(&mut names);
    }
    doomed
}

/// The timestamp part of `name` if it is a backup of `base` (see the module
/// documentation), else `None`.
pub(crate) fn backup_stamp<'n>(
    name: &'n [u8],
    base: &[u8],
    when: When,
    extensions: &[&str],
) -> Option<&'n [u8]> {
    let rest = name.strip_prefix(base)?.strip_prefix(b".")?;
    if when.matches_suffix(rest) {
        return Some(rest);
    }
    extensions
        .iter()
        .filter_map(|ext| rest.strip_suffix(ext.as_bytes()))
        .find(|stamp| when.matches_suffix(stamp))
}
