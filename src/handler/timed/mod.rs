//! `logging.handlers.TimedRotatingFileHandler`: the rules, free of I/O,
//! of when to roll over ([`schedule`]) and which backups to delete
//! ([`backups`]), and the handler built from them ([`handler`]: the class
//! entry, its keys, and the rule the file handler shell runs).

pub(crate) mod backups;
pub(crate) mod handler;
pub(crate) mod schedule;

#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod tests;
