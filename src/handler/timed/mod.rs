//! `logging.handlers.TimedRotatingFileHandler`'s rules, free of I/O: when to
//! roll over ([`schedule`]), and which backups to delete ([`backups`]). The
//! file handler shell supplies the clock, the file and the directory
//! listing.

// The handler shell that calls these is built separately; until it is, only
// the tests use them.
#![allow(dead_code)]

pub(crate) mod backups;
pub(crate) mod schedule;

#[cfg(test)]
mod tests;
