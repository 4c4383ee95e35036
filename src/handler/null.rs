//! `logging.NullHandler`: discards every record.

use super::Handler;

/// `logging.NullHandler`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NullHandler;

impl Handler for NullHandler {
    fn emit(&self, _record: &[u8]) {}

    fn flush(&self) {}
}
