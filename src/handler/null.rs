//! `logging.NullHandler`: discards every record.

use super::Handler;
use crate::level::Level;

/// `logging.NullHandler`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NullHandler;

impl Handler for NullHandler {
    fn emit(&self, _record: &[u8], _level: Level) {}

    fn flush(&self) {}
}
